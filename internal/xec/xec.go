// Package xec is the one place where git-airlock starts child processes.
//
// Only the domain wrappers (gitx, sbx, internal/tmux) call it. Every child gets
// an argv, never a shell string, and a failing child's stderr travels inside
// the returned error so that callers can show it without string matching.
package xec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Cmd describes one child process.
type Cmd struct {
	Argv    []string // required: program and arguments
	Dir     string
	Env     []string // added to the inherited environment
	Stdin   io.Reader
	Stdout  io.Writer // nil: captured by Output, discarded by Run
	Stderr  io.Writer // nil: its last 64 KiB captured into the error
	Timeout time.Duration

	// Mutates marks commands that change state. Under dry-run they are
	// printed instead of run; under -v they are echoed before running.
	Mutates bool

	// Started, when set, is called once the program is running, before
	// it is waited for (not when it could not be started).
	Started func()
}

// Streams are the streams of a child whose output is the result itself
// (diff, log, merge) or that needs the terminal (an agent, a shell).
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// Runner runs commands. The zero value runs everything silently.
type Runner struct {
	// DryRun, when set, receives mutating commands instead of running them.
	DryRun io.Writer
	// Echo, when set, receives every mutating command before it runs (-v).
	Echo io.Writer
	// Trace, when set, receives every command before it runs (debugging and
	// the child-process counts in docs/BENCHMARKS.md).
	Trace io.Writer
	// Record, when set, receives every command that ran, with its exit
	// code (-1 when it did not start or was stopped) and its stdout and
	// stderr kept apart: the transcript of `doctor --probe`.
	Record func(Record)

	// mu keeps the lines above whole when commands run side by side
	// (status overlaps sbx with git; ahead/behind runs in parallel).
	mu sync.Mutex
}

// note writes one line to w, or calls Record, one caller at a time.
func (r *Runner) note(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
}

// Record is one command that ran, for a transcript.
type Record struct {
	Argv           []string
	Code           int
	Stdout, Stderr []byte
}

// ExitError is a child that ran and failed.
type ExitError struct {
	Argv   []string
	Code   int
	Stderr string
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("%s: exit status %d", Quote(e.Argv[:min(len(e.Argv), 3)]...), e.Code)
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += ": " + lastLines(s, 6)
	}
	return msg
}

// TimeoutError is a child that did not finish in time and was killed.
type TimeoutError struct {
	Argv    []string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s did not finish within %s and was stopped", Quote(e.Argv...), e.Timeout)
}

// NotFoundError is a program that is not installed.
type NotFoundError struct{ Program string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s: command not found", e.Program) }

// LookPath finds a program the way Run does, without starting it: for
// callers that only need to know where (or whether) it is installed. A
// missing program is a *NotFoundError.
func LookPath(program string) (string, error) {
	path, err := exec.LookPath(program)
	if err != nil {
		return "", &NotFoundError{Program: program}
	}
	return path, nil
}

// Run runs the command with the streams it names.
func (r *Runner) Run(ctx context.Context, c Cmd) error {
	_, err := r.run(ctx, c, false)
	return err
}

// Output runs the command and returns its standard output.
func (r *Runner) Output(ctx context.Context, c Cmd) ([]byte, error) {
	return r.run(ctx, c, true)
}

// Printed reports whether a mutating command would only be printed.
func (r *Runner) Printed(c Cmd) bool { return c.Mutates && r.DryRun != nil }

func (r *Runner) run(ctx context.Context, c Cmd, capture bool) ([]byte, error) {
	if len(c.Argv) == 0 {
		return nil, errors.New("xec: empty argv")
	}
	line := Quote(c.Argv...)
	if c.Dir != "" && c.Mutates {
		line = "(cd " + Quote(c.Dir) + " && " + line + ")"
	}
	if r.Printed(c) {
		r.note(func() { fmt.Fprintln(r.DryRun, line) })
		return nil, nil
	}
	if r.Trace != nil {
		r.note(func() { fmt.Fprintln(r.Trace, "exec:", line) })
	}
	if c.Mutates && r.Echo != nil {
		r.note(func() { fmt.Fprintln(r.Echo, "+", line) })
	}
	path, err := LookPath(c.Argv[0])
	if err != nil {
		return nil, err
	}
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, path, c.Argv[1:]...)
	cmd.Args[0] = c.Argv[0]
	cmd.Dir = c.Dir
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.Stdin = c.Stdin
	// On a timeout or an interrupt, ask the child (and, for non-interactive
	// children, its whole process group, since a hung sbx may have children
	// of its own holding our pipes) to terminate, so that git can remove its
	// lock files; os/exec kills it outright if it is still there WaitDelay
	// later.
	group := c.Stdin == nil || !isTerminalReader(c.Stdin)
	ownProcessGroup(cmd, group)
	cmd.Cancel = func() error { return terminate(cmd, group) }
	cmd.WaitDelay = 3 * time.Second

	var stdout bytes.Buffer
	cmd.Stdout = c.Stdout
	if capture {
		cmd.Stdout = &stdout
	}
	var stderr bytes.Buffer
	if c.Stderr != nil {
		cmd.Stderr = io.MultiWriter(c.Stderr, &tail{buf: &stderr})
	} else {
		// Only the tail: a child may print without end (a program in the
		// agent's VM, behind sbx exec).
		cmd.Stderr = &tail{buf: &stderr}
	}
	var recOut, recErr bytes.Buffer
	if r.Record != nil {
		cmd.Stdout = teeTo(cmd.Stdout, &recOut)
		cmd.Stderr = teeTo(cmd.Stderr, &recErr)
	}
	err = cmd.Start()
	if err == nil {
		if c.Started != nil {
			c.Started()
		}
		err = cmd.Wait()
	}
	if r.Record != nil {
		r.record(c, err, recOut.Bytes(), recErr.Bytes())
	}
	return stdout.Bytes(), failure(ctx, c, err, stderr.String())
}

// record hands a command that ran to Record, with its exit code (-1 when
// it did not start or was stopped).
func (r *Runner) record(c Cmd, err error, stdout, stderr []byte) {
	code := 0
	if err != nil {
		code = -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
	}
	r.note(func() { r.Record(Record{Argv: c.Argv, Code: code, Stdout: stdout, Stderr: stderr}) })
}

// failure is the error of a command that ran: its timeout, the context's
// end, its exit status with the tail of its stderr, or why it did not run.
func failure(ctx context.Context, c Cmd, err error, stderr string) error {
	if err == nil {
		return nil
	}
	if c.Timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{Argv: c.Argv, Timeout: c.Timeout}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &ExitError{Argv: c.Argv, Code: ee.ExitCode(), Stderr: stderr}
	}
	return fmt.Errorf("run %s: %w", Quote(c.Argv[0]), err)
}

func teeTo(w io.Writer, rec *bytes.Buffer) io.Writer {
	if w == nil {
		return &tail{buf: rec}
	}
	return io.MultiWriter(w, &tail{buf: rec})
}

// tail keeps the last 64 KiB written to it, for errors of streamed commands.
type tail struct{ buf *bytes.Buffer }

func (t *tail) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if t.buf.Len() > 64<<10 {
		b := t.buf.Bytes()
		keep := append([]byte(nil), b[len(b)-32<<10:]...)
		t.buf.Reset()
		t.buf.Write(keep)
	}
	return len(p), nil
}

func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Quote renders argv the way a POSIX shell would read it back.
func Quote(argv ...string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteOne(a))
	}
	return b.String()
}

func quoteOne(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%^", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
