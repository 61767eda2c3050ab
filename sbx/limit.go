package sbx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Output limit. Every answer this client reads into memory (ExecOutput,
// and the output of sbx's own commands) is read through one bound: the
// VM is the agent's, and an agent can put a program of its own in place
// of the one asked (git first on the VM's PATH) that prints without end.
// Past the limit the reading stops, the command (its whole process group:
// sbx, or ssh) is stopped rather than left to run until the timeout, and
// the call fails with an *OutputLimitError. Stderr, which is kept only for
// the error, has the same bound. Commands whose output streams through
// (Exec with Streams, the tunnel, terminal sessions) are not bounded.

// DefaultOutputLimit is the most a command's answer may hold: far above
// what rm's survey of a large repository prints (docs/BENCHMARKS.md).
const DefaultOutputLimit int64 = 64 << 20

// OutputLimitError: a command printed more than the limit; it was stopped
// and what it printed was discarded.
type OutputLimitError struct {
	Subject string // "exec git in sandbox \"box\"", "sbx ls"
	Name    string // the sandbox, for an exec
	Limit   int64
}

func (e *OutputLimitError) Error() string {
	return fmt.Sprintf("%s: it printed more than %s; the command was stopped and its answer discarded", e.Subject, sizeOf(e.Limit))
}

// sizeOf renders a byte count in the largest binary unit that divides it.
func sizeOf(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (c *Client) outputLimit(req int64) int64 {
	switch {
	case req > 0:
		return req
	case c.OutputLimit > 0:
		return c.OutputLimit
	}
	return DefaultOutputLimit
}

// limiter is the bound on one command's stdout and stderr (each counted
// apart). Past the limit, or when the writer below fails, a write fails
// and stop is called, once.
type limiter struct {
	limit int64
	stop  context.CancelFunc

	mu       sync.Mutex
	exceeded bool
	failed   error // the first write that failed below the limit (Frame's own bound)
}

// fail records the first failure and stops the command, once.
func (l *limiter) fail(over bool, err error) {
	l.mu.Lock()
	first := !l.exceeded && l.failed == nil
	if first {
		l.exceeded, l.failed = over, err
	}
	l.mu.Unlock()
	if first {
		l.stop()
	}
}

var errOverLimit = errors.New("output limit exceeded")

type limitedWriter struct {
	l *limiter
	w io.Writer
	n int64
}

// Write is called by one goroutine per stream: n is the writer's own.
func (lw *limitedWriter) Write(p []byte) (int, error) {
	if lw.n+int64(len(p)) > lw.l.limit {
		lw.l.fail(true, errOverLimit)
		return 0, errOverLimit
	}
	lw.n += int64(len(p))
	n, err := lw.w.Write(p)
	if err != nil {
		lw.l.fail(false, err)
	}
	return n, err
}

// result is how the limiter ended the command: over the limit, a write
// that failed, or neither.
func (l *limiter) result() (over bool, failed error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.exceeded, l.failed
}

// bounded runs a non-terminal command, through wire, whose stdout
// (cmd.Stdout, never nil) and stderr (cmd.Stderr, when set) are read into
// memory, each bounded by limit. Over the limit it returns an
// *OutputLimitError for subject.
func (c *Client) bounded(ctx context.Context, cmd xec.Cmd, limit int64, subject, name string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := &limiter{limit: limit, stop: cancel}
	cmd.Stdout = &limitedWriter{l: l, w: cmd.Stdout}
	if cmd.Stderr == nil {
		// xec keeps the tail of what passes here for the error.
		cmd.Stderr = io.Discard
	}
	cmd.Stderr = &limitedWriter{l: l, w: cmd.Stderr}
	err := c.run(ctx, cmd, false)
	switch over, failed := l.result(); {
	case over:
		return &OutputLimitError{Subject: subject, Name: name, Limit: limit}
	case failed != nil:
		// Frame's bound on what sbx prints before the command starts.
		return &CommandError{Subject: subject, Err: failed}
	}
	return err
}
