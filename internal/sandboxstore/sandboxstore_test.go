package sandboxstore

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

func TestSandboxRecordsRoundTrip(t *testing.T) {
	s := For(t.TempDir(), nil)
	if got, err := s.Sandboxes(); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v %v", got, err)
	}
	box := Sandbox{Agent: "claude", Base: "main", Sbx: "/usr/local/bin/sbx", Group: "fix abc 2026-12-07T20:00:00Z", Exit: "2"}
	if err := s.PutSandbox("box", box); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSandbox("other", Sandbox{Agent: "codex"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Sandbox("box")
	if err != nil || !ok || got != box {
		t.Fatalf("Sandbox(box) = %+v %v %v", got, ok, err)
	}
	all, err := s.Sandboxes()
	if err != nil || !reflect.DeepEqual(all, map[string]Sandbox{"box": box, "other": {Agent: "codex"}}) {
		t.Fatalf("Sandboxes = %+v %v", all, err)
	}
	// Written whole, no temporary file left beside it.
	ents, _ := os.ReadDir(filepath.Join(s.Dir, "sandboxes"))
	if len(ents) != 2 {
		t.Errorf("files: %v", ents)
	}
	if err := s.DropSandbox("box"); err != nil {
		t.Fatal(err)
	}
	if err := s.DropSandbox("box"); err != nil {
		t.Fatalf("dropping a missing record: %v", err)
	}
	if _, ok, _ := s.Sandbox("box"); ok {
		t.Error("dropped record still read")
	}
}

func TestRemovalRecords(t *testing.T) {
	s := For(t.TempDir(), nil)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []sandboxref.RemovalRecord{{Removal: "box@2", Time: at, Agent: "codex"}, {Removal: "box@1", Time: at, Agent: "claude", Base: "main"}} {
		if err := s.PutRemoval(r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Removals()
	want := []sandboxref.RemovalRecord{{Removal: "box@1", Time: at, Agent: "claude", Base: "main"}, {Removal: "box@2", Time: at, Agent: "codex"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Removals = %+v %v", got, err)
	}
	if err := s.DropRemoval("box@1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Removals(); len(got) != 1 || got[0].Removal != "box@2" {
		t.Errorf("after drop: %+v", got)
	}
}

// A damaged record is an error that names the file and the way out; a
// name that is not a sandbox's never becomes a path.
func TestDamagedRecordAndBadNames(t *testing.T) {
	s := For(t.TempDir(), nil)
	dir := filepath.Join(s.Dir, "sandboxes")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "box.json")
	if err := os.WriteFile(bad, []byte("{\"agent\": "), 0o666); err != nil {
		t.Fatal(err)
	}
	_, err := s.Sandboxes()
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("damaged record: %v", err)
	}
	if _, _, err := s.Sandbox("box"); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("damaged record, read alone: %v", err)
	}
	for _, name := range []string{"../x", "-rf", "a/b", "", "box@1/x"} {
		if err := s.PutSandbox(name, Sandbox{}); err == nil {
			t.Errorf("PutSandbox(%q) accepted", name)
		}
		if err := s.PutRemoval(sandboxref.RemovalRecord{Removal: name}); err == nil {
			t.Errorf("PutRemoval(%q) accepted", name)
		}
	}
}

// Under dry-run nothing is written; each write is printed.
func TestDryRunWritesNothing(t *testing.T) {
	var out strings.Builder
	s := For(t.TempDir(), &out)
	if err := s.PutSandbox("box", Sandbox{Agent: "claude"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DropSandbox("box"); err != nil {
		t.Fatal(err)
	}
	want := "write " + filepath.Join(s.Dir, "sandboxes", "box.json") + ` {"agent":"claude"}` + "\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
		t.Errorf("dry run created %s", s.Dir)
	}
}

func TestFromConfig(t *testing.T) {
	r, keys := FromConfig("airlock-box", map[string]string{"airlockagent": "claude", "airlocksbx": "/bin/sbx", "airlockexit": "0", "fetch": "x", "prunetags": "false"})
	if r != (Sandbox{Agent: "claude", Sbx: "/bin/sbx", Exit: "0"}) {
		t.Errorf("record %+v", r)
	}
	want := []string{"remote.airlock-box.airlockAgent", "remote.airlock-box.airlockSbx", "remote.airlock-box.airlockExit"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %q", keys)
	}
	if got := (Sandbox{Agent: "new"}).Merge(r); got != (Sandbox{Agent: "new", Sbx: "/bin/sbx", Exit: "0"}) {
		t.Errorf("Merge = %+v", got)
	}
}
