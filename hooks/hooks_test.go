package hooks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallUpgradeUninstall(t *testing.T) {
	dir := t.TempDir()
	if st, _ := Status(dir, "pre-merge-commit"); st != Absent {
		t.Fatalf("status %v", st)
	}
	if _, err := Install(dir, "pre-merge-commit", false); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "pre-merge-commit")
	if fi, err := os.Stat(p); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("shim not executable: %v %v", fi, err)
	}
	old := strings.Replace(Shim("pre-merge-commit"), "shim v3:", "shim v2:", 1)
	if err := os.WriteFile(p, []byte(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if st, _ := Status(dir, "pre-merge-commit"); st != Outdated {
		t.Fatalf("older shim: %v", st)
	}
	if st, err := Install(dir, "pre-merge-commit", false); err != nil || st != Outdated {
		t.Fatalf("upgrade: %v %v", st, err)
	}
	if st, _ := Status(dir, "pre-merge-commit"); st != Current {
		t.Fatalf("after upgrade: %v", st)
	}
	if _, err := Uninstall(dir, "pre-merge-commit"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("shim left behind: %v", err)
	}
}

func TestForeignHookIsNeverClobbered(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pre-merge-commit")
	foreign := "#!/bin/sh\necho mine\n"
	if err := os.WriteFile(p, []byte(foreign), 0o755); err != nil {
		t.Fatal(err)
	}
	var fe *ForeignError
	if _, err := Install(dir, "pre-merge-commit", false); !errors.As(err, &fe) || !strings.Contains(fe.Preview, "echo mine") {
		t.Fatalf("want ForeignError with a preview, got %v", err)
	}
	if _, err := Uninstall(dir, "pre-merge-commit"); !errors.As(err, &fe) {
		t.Fatalf("uninstall of a foreign hook: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != foreign {
		t.Fatal("foreign hook changed")
	}
	if _, err := Install(dir, "pre-merge-commit", true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p + ".local"); string(b) != foreign {
		t.Fatal("forced install lost the foreign hook")
	}
	if !strings.Contains(Shim("pre-merge-commit"), `"$0.local" "$@"`) {
		t.Fatal("shim does not chain to .local")
	}
	if _, err := Uninstall(dir, "pre-merge-commit"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != foreign {
		t.Fatal("uninstall did not put the foreign hook back")
	}
}

// The reference-transaction shim runs for every ref update: it starts
// git-airlock only for a prepared transaction touching a branch or HEAD,
// whose verdict is the exit status; without git-airlock it refuses only
// moves that bring sandbox commits (remote-tracking refs never).
func TestReferenceTransactionShim(t *testing.T) {
	s := Shim("reference-transaction")
	for _, want := range []string{`[ "$1" = prepared ] || exit 0`, `*" refs/heads/"*`, `command -v git-airlock >/dev/null 2>&1`,
		`git-airlock hook reference-transaction "$@"`, `"$0.local" "$@"`, Marker, `case "$ref" in refs/heads/*) ;; *) continue ;; esac`,
		`sandbox_brings "$new" "$cur"`} {
		if !strings.Contains(s, want) {
			t.Errorf("shim lacks %q:\n%s", want, s)
		}
	}
}

// The commit shims stay in the shell unless a merge or a copy is being
// finished.
func TestCommitShims(t *testing.T) {
	for _, name := range []string{"pre-commit", "prepare-commit-msg"} {
		s := Shim(name)
		for _, want := range []string{`[ -n "$head" ] || exit 0`, `MERGE_HEAD`, `CHERRY_PICK_HEAD`, "exec git-airlock hook " + name + ` "$@"`, `"$0.local" "$@"`} {
			if !strings.Contains(s, want) {
				t.Errorf("%s shim lacks %q:\n%s", name, want, s)
			}
		}
	}
}
