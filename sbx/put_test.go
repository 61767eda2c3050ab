package sbx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// fakeCopySbx runs exec's command on this machine (the "sandbox" is a
// directory here) and copies as docker cp does onto an existing
// directory: no parent is created.
const fakeCopySbx = `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1" in
exec) shift; while [ "${1#-}" != "$1" ]; do shift; done; shift; exec "$@" ;;
cp) dst=${3#*:}; [ -d "$dst" ] || { echo "tar extract failed: $dst: no such directory" >&2; exit 1; }
    cp -R "$2" "$dst" ;;
esac
`

var putTrees = []Tree{
	{Path: ".claude/settings.json", Files: []File{{Content: []byte(`{"theme":"dark"}`), Mode: 0o600}}},
	{Path: ".config/opencode/skills", Files: []File{
		{Path: "lint/SKILL.md", Content: []byte("# Lint\n"), Mode: 0o644},
		{Path: "lint/run.sh", Content: []byte("#!/bin/sh\n"), Mode: 0o777},
	}},
}

// TestPut: the parents are made first (sbx cp makes none), each tree is
// copied under its own name with its content and modes, and nothing is
// left in the staging directory.
func TestPut(t *testing.T) {
	fake, dir, log := fakeSbx(t, fakeCopySbx)
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	home := filepath.Join(dir, "vm", "home")
	c := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 10 * time.Second}
	if err := c.Put(context.Background(), PutRequest{Name: "box", Dir: home, Trees: putTrees}); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]string{
		".claude/settings.json":                 `{"theme":"dark"} -rw-------`,
		".config/opencode/skills/lint/SKILL.md": "# Lint\n -rw-r--r--",
		".config/opencode/skills/lint/run.sh":   "#!/bin/sh\n -rwxr-xr-x",
	} {
		p := filepath.Join(home, filepath.FromSlash(rel))
		b, err := os.ReadFile(p)
		fi, _ := os.Stat(p)
		if err != nil || string(b)+" "+fi.Mode().Perm().String() != want {
			t.Errorf("%s: %q %v, want %q", rel, b, err, want)
		}
	}
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "mkdir -p "+home+"/.claude "+home+"/.config/opencode\n") {
		t.Errorf("no mkdir of both parents first:\n%s", calls)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("staging left behind: %v", left)
	}
}

// TestPutDryRun lists the commands with a stand-in for the staging
// directory and writes nothing.
func TestPutDryRun(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var printed bytes.Buffer
	c := &Client{Run: &xec.Runner{DryRun: &printed}}
	if err := c.Put(context.Background(), PutRequest{Name: "box", Dir: "/home/agent", Trees: putTrees}); err != nil {
		t.Fatal(err)
	}
	stage := filepath.Join(tmp, StagePlaceholder)
	want := "sbx exec box mkdir -p /home/agent/.claude /home/agent/.config/opencode\n" +
		"sbx cp " + stage + "/.claude/settings.json box:/home/agent/.claude/\n" +
		"sbx cp " + stage + "/.config/opencode/skills box:/home/agent/.config/opencode/\n"
	if printed.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", printed.String(), want)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("a dry run staged %v", left)
	}
}

// TestPutRefuses paths that leave the directory, a relative directory,
// and a sandbox on another machine (its sbx cp would read that disk),
// before running anything.
func TestPutRefuses(t *testing.T) {
	fake, _, log := fakeSbx(t, fakeCopySbx)
	c := &Client{Bin: fake, Run: &xec.Runner{}}
	for _, req := range []PutRequest{
		{Name: "box", Dir: "/h", Trees: []Tree{{Path: "../etc/passwd", Files: []File{{}}}}},
		{Name: "box", Dir: "/h", Trees: []Tree{{Path: "/etc", Files: []File{{}}}}},
		{Name: "box", Dir: "/h", Trees: []Tree{{Path: "a/./b", Files: []File{{}}}}},
		{Name: "box", Dir: "/h", Trees: []Tree{{Path: "d", Files: []File{{Path: "x/../../y"}}}}},
		{Name: "box", Dir: "h", Trees: putTrees},
	} {
		if err := c.Put(context.Background(), req); err == nil {
			t.Errorf("%+v accepted", req)
		}
	}
	remote := &Client{Bin: fake, Run: &xec.Runner{}, Remote: &sshhost.Transport{Host: sshhost.Host{Name: "server"}}}
	if err := remote.Put(context.Background(), PutRequest{Name: "box", Dir: "/h", Trees: putTrees}); err == nil || !strings.Contains(err.Error(), "server") {
		t.Errorf("a remote put: %v", err)
	}
	if _, err := os.Stat(log); err == nil {
		t.Error("sbx ran")
	}
}
