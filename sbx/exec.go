package sbx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Framing. `sbx exec` prints lines of its own around the child's output
// (0.47 says the sandbox started when it wakes one, on a stream nobody has
// pinned down), and its failures share the child's exit status and stderr.
// So every non-terminal exec runs the child through
//
//	sh -c 'printf "%s\n" "$0"; exec "$@"' MARKER ARGV...
//
// with a fresh random MARKER: what sbx printed on stdout before the marker
// line is sbx's, what follows is the child's, and a run that never printed
// the marker failed before the child started, so only then is its exit
// status and stderr sbx's own answer. The child still runs without a shell
// of ours: argv is passed as positional parameters, never as script text.

// frameScript prints its $0 (the marker) on a line, then becomes the child.
const frameScript = `printf '%s\n' "$0"; exec "$@"`

// NewMarker is a fresh random marker line for framing a command.
func NewMarker() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "git-airlock-exec-" + hex.EncodeToString(b[:])
}

// framedArgv is the child's argv run behind a marker line.
func framedArgv(marker string, argv []string) []string {
	return append([]string{"sh", "-c", frameScript, marker}, argv...)
}

// Frame passes on what a framed command wrote after its marker line and
// keeps what sbx wrote before it. The exec calls here and the remote
// helper's tunnel both read sbx's stdout through one.
type Frame struct {
	W      io.Writer
	Marker string // without the newline
	OnSeen func() // optional: called once, when the marker arrives
	seen   bool
	before bytes.Buffer
}

// Seen reports whether the command started (its marker line arrived).
func (f *Frame) Seen() bool { return f.seen }

// Noise is what sbx printed on stdout before the command started.
func (f *Frame) Noise() string { return strings.TrimSpace(f.before.String()) }

func (f *Frame) Write(p []byte) (int, error) {
	if f.seen {
		return f.W.Write(p)
	}
	f.before.Write(p)
	buf := f.before.Bytes()
	i := bytes.Index(buf, []byte(f.Marker+"\n"))
	if i < 0 {
		if f.before.Len() > 1<<20 {
			return 0, errors.New("sbx exec: no start of the command within 1 MiB of sbx's output")
		}
		return len(p), nil
	}
	f.seen = true
	if f.OnSeen != nil {
		f.OnSeen()
	}
	rest := append([]byte(nil), buf[i+len(f.Marker)+1:]...)
	f.before.Truncate(i)
	if len(rest) > 0 {
		if _, err := f.W.Write(rest); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// liveUnderDryRun reports whether a dry run may run the exec for real: a
// read-only, non-terminal command in a sandbox that is already running. sbx
// starts a stopped sandbox for an exec, and a dry run starts nothing.
func (c *Client) liveUnderDryRun(ctx context.Context, req ExecRequest) bool {
	if req.Mutates || req.TTY || req.Interactive {
		return false
	}
	sb, err := c.Get(ctx, req.Name)
	return err == nil && sb.Running()
}

// execCmd builds the command for an exec request: framed, unless it runs
// on a terminal (a pty carries the child's stderr on sbx's stdout, so sbx's
// stderr is its own) or is only printed under dry-run (as the user would
// type it).
func (c *Client) execCmd(ctx context.Context, req ExecRequest, out io.Writer) (xec.Cmd, *Frame) {
	printed := c.DryRun() && !c.liveUnderDryRun(ctx, req)
	cmd := xec.Cmd{Stdin: req.Streams.In, Stdout: out, Stderr: req.Streams.Err, Mutates: req.Mutates || printed}
	if req.TTY || printed {
		cmd.Argv = c.execArgv(req)
		return cmd, nil
	}
	if out == nil {
		out = io.Discard
	}
	marker := NewMarker()
	split := &Frame{W: out, Marker: marker}
	framed := req
	framed.Argv = framedArgv(marker, req.Argv)
	cmd.Argv = c.execArgv(framed)
	cmd.Stdout = split
	return cmd, split
}

// execError types the failure of an exec. Once the child has started, a
// non-zero status is the child's, whatever it printed: an *ExitError. Before
// that (or on a terminal, where sbx's stderr is its own), the status and
// text are sbx's: a missing sandbox is a *NotFoundError, the rest is
// classified as for any sbx call.
func execError(req ExecRequest, split *Frame, err error) error {
	if err == nil {
		return nil
	}
	var nf *xec.NotFoundError
	if errors.As(err, &nf) {
		return &MissingError{Bin: nf.Program}
	}
	var te *xec.TimeoutError
	if errors.As(err, &te) {
		return fmt.Errorf("exec in sandbox %q: %w", req.Name, err)
	}
	var ee *xec.ExitError
	if !errors.As(err, &ee) {
		return err
	}
	started := split != nil && split.Seen()
	if started {
		return &ExitError{Name: req.Name, Code: ee.Code, Err: err}
	}
	sbxText := ee.Stderr
	if split != nil {
		sbxText = split.Noise() + "\n" + sbxText
	}
	if saysNoSandbox(sbxText) {
		return &NotFoundError{Name: req.Name}
	}
	noise := ""
	if split != nil {
		noise = split.Noise()
	}
	typed := classifyText(fmt.Sprintf("exec %s in sandbox %q", req.Argv[0], req.Name), err, noise)
	var ce *CommandError
	if split == nil && errors.As(typed, &ce) {
		// A terminal session: the status is the child's unless sbx said
		// something it recognises.
		return &ExitError{Name: req.Name, Code: ee.Code, Err: err}
	}
	return typed
}

// Exec runs a command in the sandbox with the given streams. What sbx
// prints on stdout before the command starts goes to Streams.Err. The
// command's own non-zero status is an *ExitError (which unwraps to the
// *xec.ExitError); sbx's failures are typed as for every call.
func (c *Client) Exec(ctx context.Context, req ExecRequest) error {
	cmd, split := c.execCmd(ctx, req, req.Streams.Out)
	if !req.Stream {
		cmd.Timeout = c.timeout()
	}
	err := c.run(ctx, cmd, req.TTY)
	if split != nil && req.Streams.Err != nil {
		if noise := split.Noise(); noise != "" {
			fmt.Fprintln(req.Streams.Err, noise)
		}
	}
	if err == nil && split != nil && !split.Seen() && !c.Run.Printed(cmd) {
		return notStarted(req, split)
	}
	return execError(req, split, err)
}

// ExecOutput runs a short command in the sandbox and returns its stdout:
// only the command's, never what sbx printed around it. Its answer is
// bounded (req.MaxOutput, or the client's limit): past it the command is
// stopped and the call fails with an *OutputLimitError.
func (c *Client) ExecOutput(ctx context.Context, req ExecRequest) (string, error) {
	var out bytes.Buffer
	req.Streams = xec.Streams{}
	cmd, split := c.execCmd(ctx, req, &out)
	cmd.Timeout = c.timeout()
	if split == nil {
		if !req.Mutates {
			// A read that a dry run may not run (the sandbox is not
			// running): neither run nor listed, since a dry run lists
			// writes. It answers nothing.
			return "", nil
		}
		_, err := c.output(ctx, cmd) // printed under dry-run
		return "", execError(req, nil, err)
	}
	err := c.bounded(ctx, cmd, c.outputLimit(req.MaxOutput), fmt.Sprintf("exec %s in sandbox %q", req.Argv[0], req.Name), req.Name)
	var over *OutputLimitError
	if errors.As(err, &over) {
		return "", err
	}
	if err == nil && !split.Seen() && !c.Run.Printed(cmd) {
		return "", notStarted(req, split)
	}
	return out.String(), execError(req, split, err)
}

// notStarted is an exec that succeeded without the command ever starting.
func notStarted(req ExecRequest, split *Frame) error {
	msg := "sbx exec succeeded but the command never started"
	if n := split.Noise(); n != "" {
		msg += "; sbx printed: " + n
	}
	return &CommandError{Subject: fmt.Sprintf("exec %s in sandbox %q", req.Argv[0], req.Name), Err: errors.New(msg)}
}

// saysNoSandbox reports whether sbx's own text says the sandbox is missing:
// 0.47's "ERROR: no sandbox named 'x'" and the older wordings. Only ever
// called on text known to be sbx's.
func saysNoSandbox(text string) bool {
	for _, line := range strings.Split(strings.ToLower(text), "\n") {
		switch {
		case strings.Contains(line, "no sandbox named"), strings.Contains(line, "no such sandbox"):
			return true
		case strings.Contains(line, "sandbox") && (strings.Contains(line, "not found") || strings.Contains(line, "does not exist")):
			return true
		}
	}
	return false
}

// Unstarted types the failure of a framed command that ran through Tunnel
// and never printed its marker (f): sbx's own answer, as Exec reads it. A
// missing sandbox is a *NotFoundError only when sbx said so for that name.
func Unstarted(req ExecRequest, f *Frame, err error) error {
	if err == nil {
		return notStarted(req, f)
	}
	return execError(req, f, err)
}
