package machine

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/hooks"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

// hooksWorld keeps its hooks in a temporary directory (core.hooksPath as
// git would report it).
func hooksWorld(t *testing.T) (*world, string) {
	w := newWorld(t, config.Inputs{}, nil)
	w.repo.hooksDir = filepath.Join(t.TempDir(), "hooks")
	return w, filepath.Join(w.repo.hooksDir, "pre-merge-commit")
}

func TestInstallHooksMessages(t *testing.T) {
	w, _ := hooksWorld(t)
	if err := w.hooks.InstallHooks(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := w.hooks.InstallHooks(ctx, false); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range []string{"installed %s at %s", "%s is already installed at %s"} {
		for _, name := range hooks.Names {
			want = append(want, fmt.Sprintf(f, name, filepath.Join(w.repo.hooksDir, name)))
		}
	}
	if !slices.Equal(w.ui.Infos, want) {
		t.Errorf("infos %q, want %q", w.ui.Infos, want)
	}
	if len(w.ui.Hints) != 2 || !strings.Contains(w.ui.Hints[0], "git 2.28+ stops every branch move") {
		t.Errorf("hints %q", w.ui.Hints)
	}
	if st, _ := hooks.Status(w.repo.hooksDir, "pre-merge-commit"); st != hooks.Current {
		t.Errorf("state %v", st)
	}
}

func TestInstallHooksUpgradesOurOlderShim(t *testing.T) {
	w, p := hooksWorld(t)
	writeHook(t, p, "#!/bin/sh\n"+hooks.Marker+" v0\nexec git-airlock hook pre-merge-commit\n")
	if err := w.hooks.InstallHooks(ctx, false); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(w.ui.Infos, "upgraded pre-merge-commit at "+p) {
		t.Errorf("infos %q", w.ui.Infos)
	}
}

func TestInstallHooksKeepsAForeignHookOnlyWithForce(t *testing.T) {
	w, p := hooksWorld(t)
	foreign := "#!/bin/sh\necho team hook\n"
	writeHook(t, p, foreign)

	err := w.hooks.InstallHooks(ctx, false)
	var fe *hooks.ForeignError
	if !errors.As(err, &fe) || !slices.Equal(hint.Of(err), []string{"--force keeps it as pre-merge-commit.local, run before git-airlock's check"}) {
		t.Fatalf("error %v, hints %q", err, hint.Of(err))
	}
	if b, _ := os.ReadFile(p); string(b) != foreign {
		t.Errorf("the foreign hook was changed without --force")
	}

	if err := w.hooks.InstallHooks(ctx, true); err != nil {
		t.Fatal(err)
	}
	if want := "installed pre-merge-commit at " + p + "; the existing hook now runs first as pre-merge-commit.local"; !slices.Contains(w.ui.Infos, want) {
		t.Errorf("infos %q, want %q", w.ui.Infos, want)
	}
	if b, _ := os.ReadFile(p + ".local"); string(b) != foreign {
		t.Errorf("the foreign hook was not kept as .local")
	}

	// Uninstalling puts it back.
	w.ui.Infos = nil
	if err := w.hooks.UninstallHooks(ctx); err != nil {
		t.Fatal(err)
	}
	var removed []string
	for _, name := range hooks.Names {
		removed = append(removed, "removed "+name+" from "+w.repo.hooksDir)
	}
	if !slices.Equal(w.ui.Infos, removed) {
		t.Errorf("infos %q", w.ui.Infos)
	}
	if b, _ := os.ReadFile(p); string(b) != foreign {
		t.Errorf("the foreign hook was not put back")
	}
}

func TestUninstallHooksLeavesOthersAlone(t *testing.T) {
	w, p := hooksWorld(t)
	if err := w.hooks.UninstallHooks(ctx); err != nil {
		t.Fatal(err)
	}
	var absent []string
	for _, name := range hooks.Names {
		absent = append(absent, name+" is not installed")
	}
	if !slices.Equal(w.ui.Infos, absent) {
		t.Errorf("infos %q", w.ui.Infos)
	}
	writeHook(t, p, "#!/bin/sh\nexit 0\n")
	err := w.hooks.UninstallHooks(ctx)
	if err == nil || !slices.Equal(hint.Of(err), []string{"it is not git-airlock's, so it was left alone"}) {
		t.Errorf("error %v, hints %q", err, hint.Of(err))
	}
	if _, serr := os.Stat(p); serr != nil {
		t.Errorf("a foreign hook was removed")
	}
}

func TestHooksDryRunPrintsAndWritesNothing(t *testing.T) {
	w, p := hooksWorld(t)
	var out bytes.Buffer
	w.common.DryRun = &out
	if err := w.hooks.InstallHooks(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := w.hooks.UninstallHooks(ctx); err != nil {
		t.Fatal(err)
	}
	var want string
	for _, verb := range []string{"write", "remove"} {
		for _, name := range hooks.Names {
			want += verb + " " + filepath.Join(w.repo.hooksDir, name) + "\n"
		}
	}
	if p != filepath.Join(w.repo.hooksDir, hooks.Names[0]) || out.String() != want {
		t.Errorf("dry run printed %q, want %q", out.String(), want)
	}
	if _, err := os.Stat(w.repo.hooksDir); !os.IsNotExist(err) {
		t.Errorf("dry run touched %s", w.repo.hooksDir)
	}
	if len(w.ui.Infos) != 0 {
		t.Errorf("dry run claimed %q", w.ui.Infos)
	}
}

func TestHooksStatus(t *testing.T) {
	w, p := hooksWorld(t)
	st, err := w.hooks.Hooks(ctx)
	if err != nil || len(st) != len(hooks.Names) || st[0] != (HookStatus{Name: "pre-merge-commit", Path: p, State: "absent"}) ||
		st[len(st)-1].Name != "reference-transaction" {
		t.Errorf("status %+v, %v", st, err)
	}
	for _, f := range []func() error{
		func() error { return (&HookKeeper{Common: &Common{}}).InstallHooks(ctx, false) },
		func() error { return (&HookKeeper{Common: &Common{}}).UninstallHooks(ctx) },
		func() error { _, err := (&HookKeeper{Common: &Common{}}).Hooks(ctx); return err },
	} {
		if err := f(); !errors.Is(err, workflow.ErrNotRepository) {
			t.Errorf("outside a repository: %v", err)
		}
	}
}

func writeHook(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}
