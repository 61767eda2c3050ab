package sbx

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// EarlyList is `sbx ls --json` started before the command has read its
// settings: the one read-ahead git-airlock makes. `ls` and `status` (the
// commands that declare listsFirst in cmd/git-airlock) ask sbx for its
// sandboxes first thing; their load starts this list at once where the
// directory looks like a work tree (gitx.SeemsWorkTree), else as soon as
// git says it is one (gitx.Also.Found), so that sbx's daemon round trip
// overlaps git's discovery and config read instead of following them. It
// is handed to the Client that lists this machine (Client.Early), which
// takes it once, under its own limits: its timeout counts from the start.
// A Client of another machine or program never takes it. Reading refs
// ahead as well bought under 2 % with sbx's round trip modelled, and was
// removed (docs/BENCHMARKS.md, "Read-ahead").
type EarlyList struct {
	bin    string
	start  time.Time
	cancel context.CancelFunc
	done   chan struct{}
	out    string
	err    error
	taken  atomic.Bool
}

// StartList starts `sbx ls --json` on this machine with c's program and
// output limit, and returns once it runs: what the caller starts next
// does not delay it. The taker's timeout applies.
func StartList(ctx context.Context, c *Client) *EarlyList {
	ctx, cancel := context.WithCancel(ctx)
	e := &EarlyList{bin: c.bin(), start: time.Now(), cancel: cancel, done: make(chan struct{})}
	early := &Client{Bin: c.Bin, Run: c.Run, OutputLimit: c.OutputLimit}
	started := make(chan struct{})
	cmd := xec.Cmd{Argv: c.argv("ls", "--json"), Timeout: 24 * time.Hour, Started: func() { close(started) }}
	go func() {
		defer close(e.done)
		e.out, e.err = early.callCmd(ctx, "list sandboxes", cmd)
	}()
	select {
	case <-started:
	case <-e.done:
	}
	return e
}

// take is the early answer for c's List, once; ok is false when c is not
// the client it was started for.
func (e *EarlyList) take(c *Client) (out string, err error, ok bool) {
	if e == nil || c.Remote != nil || c.bin() != e.bin || !e.taken.CompareAndSwap(false, true) {
		return "", nil, false
	}
	timer := time.NewTimer(max(c.timeout()-time.Since(e.start), 0))
	defer timer.Stop()
	select {
	case <-e.done:
		return e.out, e.err, true
	case <-timer.C:
		e.cancel()
		<-e.done
		return "", c.classify("list sandboxes", &xec.TimeoutError{Argv: []string{c.bin(), "ls", "--json"}, Timeout: c.timeout()}), true
	}
}
