package sbx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// fakePolicySbx logs every call to $FAKE_LOG and answers from
// $FAKE_STATE: "set" when a default policy exists. Its version and help
// are the newest CLI's.
const fakePolicySbx = `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1 $2" in
"version "*) echo "sbx version 0.47.0" ;;
"create --help") echo "--clone" ;;
"run --help") echo "--detached" ;;
"policy --help") echo "  init" ;;
"secret set") echo "--sandbox" ;;
"policy ls")
	if [ "$(cat "$FAKE_STATE" 2>/dev/null)" = set ]; then echo "default local all balanced"; exit 0; fi
	echo "network policy has not been initialized; run 'sbx policy init <preset>'" >&2; exit 1 ;;
"policy init") echo set > "$FAKE_STATE" ;;
"policy reset") rm -f "$FAKE_STATE" ;;
"create --clone")
	if [ "$(cat "$FAKE_STATE" 2>/dev/null)" = set ]; then exit 0; fi
	echo "network policy has not been initialized" >&2; exit 1 ;;
esac
`

// The record of a chosen default policy: written when sbx says one
// exists or git-airlock sets one, believed after that without a call,
// dropped by a reset, by a call that fails for want of a policy, and by
// another sbx binary (an upgrade in place changes size and time).
func TestPolicyRecord(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake sbx is a shell script")
	}
	ctx := context.Background()
	dir := t.TempDir()
	fake := filepath.Join(dir, "sbx")
	if err := os.WriteFile(fake, []byte(fakePolicySbx), 0o755); err != nil {
		t.Fatal(err)
	}
	log, state := filepath.Join(dir, "calls"), filepath.Join(dir, "state")
	t.Setenv("FAKE_LOG", log)
	t.Setenv("FAKE_STATE", state)
	c := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 10 * time.Second, CacheDir: filepath.Join(dir, "cache")}
	policyCalls := func() int {
		b, _ := os.ReadFile(log)
		_ = os.Remove(log)
		return strings.Count(string(b), "policy ls")
	}
	known := func(want bool, calls int, when string) {
		t.Helper()
		ok, err := c.PolicyKnownInitialised(ctx)
		if err != nil || ok != want {
			t.Fatalf("%s: PolicyKnownInitialised = %v, %v; want %v", when, ok, err, want)
		}
		if n := policyCalls(); n != calls {
			t.Errorf("%s: %d `policy ls`, want %d", when, n, calls)
		}
	}

	known(false, 1, "nothing chosen")
	known(false, 1, "still nothing: a false answer is never kept")
	if err := c.PolicyInit(ctx, "balanced"); err != nil {
		t.Fatal(err)
	}
	known(true, 0, "after PolicyInit")
	if err := c.PolicyReset(ctx); err != nil {
		t.Fatal(err)
	}
	known(false, 1, "after PolicyReset")

	// Set behind git-airlock's back: asked once, then believed.
	_ = os.WriteFile(state, []byte("set\n"), 0o644)
	known(true, 1, "set outside")
	known(true, 0, "the record")

	// Another binary at the same path: asked again.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(fake, later, later); err != nil {
		t.Fatal(err)
	}
	known(true, 1, "after an upgrade")

	// Reset behind git-airlock's back: the record is stale until a call
	// fails for want of a policy, which drops it.
	_ = os.Remove(state)
	known(true, 0, "a stale record")
	err := c.Create(ctx, CreateRequest{Name: "box", Agent: "claude", Path: dir})
	if !errors.Is(err, ErrPolicyNotInitialised) {
		t.Fatalf("create without a policy: %v", err)
	}
	known(false, 1, "after the failed create")
}
