package sbx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// An sbx that logs each call, answers `ls --json` with one sandbox, and
// hangs while $FAKE_HANG exists.
const fakeListSbx = `#!/bin/sh
echo "$*" >>"$FAKE_LOG"
while [ -e "$FAKE_HANG" ]; do sleep 0.05; done
echo '{"sandboxes":[{"name":"box","agent":"claude","status":"stopped"}]}'
`

// TestEarlyList: a list started before the client is configured answers
// that client's List once, under that client's timeout counted from the
// start; a client of another machine or program runs its own.
func TestEarlyList(t *testing.T) {
	ctx := context.Background()
	fake, dir, log := fakeSbx(t, fakeListSbx)
	hang := filepath.Join(dir, "hang")
	t.Setenv("FAKE_HANG", hang)
	calls := func() int {
		b, _ := os.ReadFile(log)
		_ = os.Remove(log)
		return strings.Count(string(b), "ls --json")
	}
	run := &xec.Runner{}
	c := &Client{Bin: fake, Run: run, Timeout: 10 * time.Second}

	c.Early = StartList(ctx, &Client{Bin: fake, Run: run})
	for i := range 2 {
		list, err := c.List(ctx)
		if err != nil || len(list) != 1 || list[0].Name != "box" {
			t.Fatalf("List %d: %v, %v", i, list, err)
		}
	}
	if n := calls(); n != 2 {
		t.Errorf("two Lists ran %d `sbx ls`, want 2 (the early one, then its own)", n)
	}

	// Another program, or another machine: not this list's taker.
	other := &Client{Bin: "sbx-other", Run: run, Early: StartList(ctx, &Client{Bin: fake, Run: run})}
	if _, _, ok := other.Early.take(other); ok {
		t.Error("a client of another program took the early list")
	}
	far := &Client{Bin: fake, Run: run, Remote: &sshhost.Transport{}, Early: other.Early}
	if _, _, ok := far.Early.take(far); ok {
		t.Error("a client of another machine took the early list")
	}
	<-other.Early.done
	calls()

	// A hung sbx: the taker's timeout ends the early list.
	if err := os.WriteFile(hang, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(hang)
	early := StartList(ctx, &Client{Bin: fake, Run: run})
	short := &Client{Bin: fake, Run: run, Timeout: 500 * time.Millisecond, Early: early}
	_, err := short.List(ctx)
	var te *xec.TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "did not finish within 500ms") {
		t.Fatalf("hung early list: %v", err)
	}
}
