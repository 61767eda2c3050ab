package sbx

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// An interrupt in the middle of the probe still removes its sandbox.
func TestProbeBehaviourRemovesOnInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake sbx is a shell script")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	fake := filepath.Join(dir, "sbx")
	script := `#!/bin/sh
echo "$*" >> ` + log + `
case "$1 $2" in
"version "*) echo "sbx version: v0.47.0" ;;
"create --help") echo "  --clone" ;;
"run --help") echo "  -d, --detached" ;;
"secret set") echo "  --sandbox" ;;
"ls --json") echo '{"sandboxes":[{"name":"probe","status":"stopped"}]}' ;;
"exec "*) shift; name=$1; shift; exec "$@" ;;
esac
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	facts := c.ProbeBehaviour(ctx, BehaviourRequest{Name: "probe", Repo: dir,
		HostRemote: func(context.Context) (string, error) { cancel(); return "", nil }})
	calls, _ := os.ReadFile(log)
	lines := strings.Split(strings.TrimSpace(string(calls)), "\n")
	if last := lines[len(lines)-1]; last != "rm --force probe" {
		t.Fatalf("last sbx call %q, want the removal; calls:\n%s", last, calls)
	}
	if len(facts) == 0 || facts[0].Name != "version" || !facts[0].OK {
		t.Fatalf("facts = %+v", facts)
	}
}
