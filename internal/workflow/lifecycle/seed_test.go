package lifecycle_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

const (
	seedAnthropicKey = "sk-ant-api03-Q1w2E3r4T5y6U7i8O9p0AaSsDdFfGgHh"
	seedGitHubPAT    = "ghp_1234567890abcdefghijABCDEFGHIJ123456"
)

// TestSeedLeavesCredentialsOut: the user's Claude settings hold an API
// key in env and a skill holds a GitHub token. The sandbox gets the
// settings without the key and the other skill files, and the user is
// told which key of which file was left out and which file was not
// copied, never the values.
func TestSeedLeavesCredentialsOut(t *testing.T) {
	home := t.TempDir()
	write := func(rel, content string, mode os.FileMode) {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(".claude/settings.json", `{"theme": "dark", "env": {"ANTHROPIC_API_KEY": "`+seedAnthropicKey+`"}}`, 0o600)
	write(".claude/skills/deploy/SKILL.md", "# Deploy\n", 0o644)
	write(".claude/skills/deploy/run.sh", "#!/bin/sh\nGH="+seedGitHubPAT+" gh release create\n", 0o755)
	write(".claude/skills/lint/run.sh", "#!/bin/sh\nmake lint\n", 0o755)

	w := newWorld(t, nil, gitx.ConfigEntry{Key: "airlock.seedconfig", Value: "true"})
	w.svc.Home = home
	w.repo.head = gitx.Head{Hash: hash("c1"), Branch: "main"}
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if len(w.sbx.put) != 1 {
		t.Fatalf("Put %d times:\n%s", len(w.sbx.put), w.sbx.log())
	}
	req := w.sbx.put[0]
	got := map[string]string{}
	for _, tr := range req.Trees {
		for _, f := range tr.Files {
			got[filepath.ToSlash(filepath.Join(tr.Path, f.Path))] = string(f.Content) + " " + f.Mode.Perm().String()
		}
	}
	want := map[string]string{
		".claude/settings.json":          `{"theme": "dark", "env": {}} -rw-------`,
		".claude/skills/deploy/SKILL.md": "# Deploy\n -rw-r--r--",
		".claude/skills/lint/run.sh":     "#!/bin/sh\nmake lint\n -rwxr-xr-x",
	}
	if req.Dir != "/home/agent" || len(got) != len(want) {
		t.Errorf("put into %s: %q", req.Dir, got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	said := strings.Join(append(append(w.ui.Warns, w.ui.Infos...), w.ui.Hints...), "\n")
	for _, line := range []string{
		"~/.claude/settings.json: left out env.ANTHROPIC_API_KEY: its value looks like an sk- API key",
		"not seeded: ~/.claude/skills/deploy/run.sh: line 2 holds what looks like a GitHub token",
		"seeded ~/.claude/settings.json",
		"seeded ~/.claude/skills",
		"credentials never go into a sandbox",
	} {
		if !strings.Contains(said, line) {
			t.Errorf("not said: %q in\n%s", line, said)
		}
	}
	for _, secret := range []string{seedAnthropicKey, seedGitHubPAT} {
		if strings.Contains(said, secret) || strings.Contains(w.sbx.log(), secret) {
			t.Errorf("%s was shown", secret)
		}
	}
}
