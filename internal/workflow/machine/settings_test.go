package machine

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/internal/hint"
)

func TestTrustRecordsTheHashOfWhatWasRead(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.common.Root = t.TempDir()
	content := "agent = \"codex\"\nallow = [\"a.example.com\"]\nseedPath = [\".ssh\"]\n"
	if err := os.WriteFile(filepath.Join(w.common.Root, config.FileName), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.config.Trust(ctx); err != nil {
		t.Fatal(err)
	}
	want := "git config set " + config.TrustKey + " " + config.Hash([]byte(content))
	if !slices.Equal(*w.log, []string{want}) {
		t.Errorf("calls %q, want %q", *w.log, want)
	}
	// A key a committed file may not set is named, and not counted.
	if len(w.ui.Warns) != 1 || !strings.Contains(w.ui.Warns[0], `"seedPath" may only be set in git config`) {
		t.Errorf("warnings %q", w.ui.Warns)
	}
	if !strings.HasSuffix(w.ui.Infos[0], "it sets 2 settings") || !slices.Contains(w.ui.Infos, "  airlock.allow = a.example.com") {
		t.Errorf("infos %q", w.ui.Infos)
	}
}

func TestTrustRefusals(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.common.Root = t.TempDir()
	if err := w.config.Trust(ctx); err == nil || !strings.Contains(err.Error(), "there is no .airlock.toml") {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(w.common.Root, config.FileName), []byte("agent = \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.config.Trust(ctx); err == nil || !slices.Equal(hint.Of(err), []string{"fix the file, then trust it"}) {
		t.Errorf("broken file: %v %q", err, hint.Of(err))
	}
	if len(*w.log) != 0 {
		t.Errorf("trusted anyway: %q", *w.log)
	}
}

func TestImportConfigReplacesEachKey(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	p := filepath.Join(t.TempDir(), "sandbox.conf")
	conf := "# code-airlock\nAGENT=codex\nexport ALLOW=\"a.example.com, b.example.com\"\nUNKNOWN=1\n"
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	values, err := w.config.ImportConfig(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != 2 {
		t.Errorf("values %+v", values)
	}
	want := []string{"git config unset airlock.agent", "git config add airlock.agent codex",
		"git config unset airlock.allow", "git config add airlock.allow a.example.com", "git config add airlock.allow b.example.com"}
	if !slices.Equal(*w.log, want) {
		t.Errorf("calls\n%q\nwant\n%q", *w.log, want)
	}
	if len(w.ui.Warns) != 1 || !strings.Contains(w.ui.Warns[0], "UNKNOWN has no git-airlock setting") {
		t.Errorf("warnings %q", w.ui.Warns)
	}
}

func TestImportConfigWritesNothingFromABadFile(t *testing.T) {
	for _, conf := range []string{
		"AGENT=codex\nALLOW=*\n",            // a bad value after a good one
		"AGENT=codex\nSANDBOX_NAME=$(id)\n", // shell to evaluate
		"AGENT=codex\nnot a line\n",
	} {
		w := newWorld(t, config.Inputs{}, nil)
		p := filepath.Join(t.TempDir(), "sandbox.conf")
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := w.config.ImportConfig(ctx, p)
		if err == nil || !slices.Equal(hint.Of(err), []string{"nothing was written; fix the file and import again"}) {
			t.Errorf("%q: error %v, hints %q", conf, err, hint.Of(err))
		}
		if len(*w.log) != 0 {
			t.Errorf("%q: wrote %q", conf, *w.log)
		}
	}
}

func TestInitNeverOverwrites(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.common.Root = t.TempDir()
	p := filepath.Join(w.common.Root, "AGENTS.md")
	if err := w.config.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || !strings.HasPrefix(string(b), "# Working in this repository") {
		t.Fatalf("AGENTS.md: %v", err)
	}
	if err := os.WriteFile(p, []byte("ours\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := w.config.Init(ctx)
	if err == nil || err.Error() != p+" already exists" || len(hint.Of(err)) != 1 {
		t.Errorf("error %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "ours\n" {
		t.Errorf("overwritten: %q", b)
	}
}

func TestInitDryRun(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.common.Root = t.TempDir()
	var out bytes.Buffer
	w.common.DryRun = &out
	if err := w.config.Init(ctx); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(w.common.Root, "AGENTS.md")
	if out.String() != "write "+p+"\n" {
		t.Errorf("printed %q", out.String())
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("dry run wrote %s", p)
	}
}
