package tmux

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// TestEnvFileRoundTrip: values with newlines and '=' come back as they
// went, from a file only this user can read, which taking removes.
func TestEnvFileRoundTrip(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	env := []string{"OPENAI_API_KEY=sk-x=y", "MULTI=a\nb", "EMPTY=", "TMUX"}
	c := &Client{Run: &xec.Runner{}}
	file, drop, err := c.envFile(env)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(false)
	for p, want := range map[string]os.FileMode{file: 0o600, filepath.Dir(file): 0o700 | os.ModeDir} {
		if fi, err := os.Lstat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: %v %v, want %v", p, fi.Mode(), err, want)
		}
	}
	got, err := TakeEnv(file)
	if err != nil || !slices.Equal(got, env[:3]) {
		t.Errorf("TakeEnv = %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Dir(file)); !os.IsNotExist(err) {
		t.Errorf("still there: %v", err)
	}
}

// TestTakeEnvRefuses what is not such a file, leaving it alone.
func TestTakeEnvRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "git-airlock-env-1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other")
	for _, f := range []struct {
		name string
		mode os.FileMode
	}{{"env", 0o644}, {"other", 0o600}} {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte("A=1\x00"), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(t.TempDir(), "git-airlock-env-2", "env")
	_ = os.Mkdir(filepath.Dir(link), 0o700)
	if err := os.Symlink(other, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "env"), other, link, "/etc/passwd"} {
		if _, err := TakeEnv(p); err == nil {
			t.Errorf("%s taken", p)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("removed: %v", err)
	}
}

// TestNewSessionDryRun prints where the file would be, no value, and
// writes none.
func TestNewSessionDryRun(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var printed bytes.Buffer
	c := &Client{Run: &xec.Runner{DryRun: &printed}}
	if err := c.NewSession(t.Context(), Session{Name: "s", Dir: "/repo", Argv: []string{"git-airlock", "up"}, Env: []string{"OPENAI_API_KEY=sk-secret"}, Detached: true}); err != nil {
		t.Fatal(err)
	}
	want := "tmux new-session -s s -c /repo -d -e GIT_AIRLOCK_SESSION_ENV=" + filepath.Join(tmp, "git-airlock-env-XXXXXX", "env") + " -- git-airlock up\n"
	if printed.String() != want || strings.Contains(printed.String(), "sk-secret") {
		t.Errorf("printed %q, want %q", printed.String(), want)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("wrote %v", left)
	}
}

// TestNewSessionFailedDropsTheFile: tmux that does not start leaves no
// file of values behind.
func TestNewSessionFailedDropsTheFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("PATH", t.TempDir()) // no tmux
	c := &Client{Run: &xec.Runner{}}
	if err := c.NewSession(t.Context(), Session{Name: "s", Argv: []string{"x"}, Env: []string{"K=v"}, Detached: true}); err != ErrMissing {
		t.Fatalf("NewSession = %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left %v", left)
	}
}
