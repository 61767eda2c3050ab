// Package sbx is a typed client of the Docker Sandboxes CLI.
//
// Requests go in, typed results and typed errors come out; every argv for
// sbx is built here and nowhere else. Non-interactive calls carry a timeout.
// Under dry-run every mutating sbx command is printed instead of run, while
// reads (ls, policy ls, secret ls, the version and help probes) run for
// real, so that a dry run decides from the same state as the real one. A
// read that fails under dry-run (sbx not installed, the daemon down) answers
// as if no sandbox, policy or secret existed yet, so that `--dry-run` still
// works on a machine without sbx. A read-only exec runs only in a sandbox
// that is already running: sbx starts a stopped one for an exec, and a dry
// run must not start anything; otherwise it is printed.
package sbx

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// Client runs the sbx CLI.
type Client struct {
	Bin     string        // program name or path; "sbx" when empty
	Run     *xec.Runner   // required
	Timeout time.Duration // for non-interactive calls; 60s when zero
	// CreateTimeout bounds `sbx create`, which may pull an image first
	// (minutes on a first run); 10 minutes when zero.
	CreateTimeout time.Duration
	// CacheDir holds probed capabilities keyed by binary and version; empty
	// disables the cache.
	CacheDir string

	// OutputLimit bounds every answer read into memory (limit.go);
	// DefaultOutputLimit when zero.
	OutputLimit int64

	// Remote, when set, runs sbx on another machine over ssh (transport.go).
	Remote *sshhost.Transport

	// Early, when set, is an `sbx ls --json` already under way that List
	// takes instead of starting one (see EarlyList).
	Early *EarlyList

	mu      sync.Mutex // guards caps and capsKey
	caps    *Capabilities
	capsKey string // the cache entry caps came from or went to, once known

	dryMu   sync.Mutex
	dryList *[]Sandbox // under dry-run, the one answer of List
}

// Program is the absolute path of the sbx this client runs, for callers
// that start it later with another PATH (the remote helper under an IDE).
// For a client of another machine it is the name the server's PATH finds.
func (c *Client) Program() (string, error) {
	if c.Remote != nil {
		return c.bin(), nil
	}
	p, err := xec.LookPath(c.bin())
	if err != nil {
		return "", &MissingError{Bin: c.bin()}
	}
	return filepath.Abs(p)
}

func (c *Client) bin() string {
	if c.Bin == "" {
		return "sbx"
	}
	return c.Bin
}

func (c *Client) timeout() time.Duration {
	if c.Timeout == 0 {
		return 60 * time.Second
	}
	return c.Timeout
}

func (c *Client) createTimeout() time.Duration {
	if c.CreateTimeout == 0 {
		return 10 * time.Minute
	}
	return c.CreateTimeout
}

// DryRun reports whether commands are only printed.
func (c *Client) DryRun() bool { return c.Run.DryRun != nil }

// NoInputFlag is sbx's global flag that turns every question into a
// failure naming the command that goes on without asking.
const NoInputFlag = "--no-input"

// argv is the command line of a non-interactive sbx call: NoInputFlag
// after the verb's own arguments, where the sbx this client knows has it,
// so that a question sbx asks (today's confirmations and port retries, or
// one a later release adds) fails at once with its next step instead of
// waiting on a terminal that a script does not have. (A global flag may
// follow the verb's arguments; an exec's goes before the sandbox's name,
// since its command follows: execArgv.) Before the first probe of this
// sbx (in this process or the cache) nothing is known, and nothing is
// added. Terminal sessions (Attach, Login, exec -t) never get it: there
// the user answers.
func (c *Client) argv(args ...string) []string {
	argv := append([]string{c.bin()}, args...)
	if c.noInput() {
		argv = append(argv, NoInputFlag)
	}
	return argv
}

// noInput reports whether calls carry NoInputFlag (see argv).
func (c *Client) noInput() bool {
	caps, ok := c.known()
	return ok && caps.NoInput
}

// call runs a non-interactive sbx command and returns its stdout.
func (c *Client) call(ctx context.Context, subject string, mutates bool, args ...string) (string, error) {
	// Under dry-run a mutating command is printed, a read runs.
	return c.callCmd(ctx, subject, xec.Cmd{Argv: c.argv(args...), Timeout: c.timeout(), Mutates: mutates})
}

// callCmd is call of a command built by the caller.
func (c *Client) callCmd(ctx context.Context, subject string, cmd xec.Cmd) (string, error) {
	out, err := c.output(ctx, cmd)
	if err != nil {
		return string(out), c.classifyOutput(subject, err, string(out))
	}
	return string(out), nil
}

// classify is the package's classify, and drops the record of a chosen
// default policy when sbx says there is none (PolicyKnownInitialised).
func (c *Client) classify(subject string, err error) error {
	return c.classifyOutput(subject, err, "")
}

// classifyOutput is classify of a command that also printed stdout: since
// the 0.48 CLI migration nobody has pinned down which stream sbx writes its
// errors to, so a failure's stdout is read with its stderr.
func (c *Client) classifyOutput(subject string, err error, stdout string) error {
	typed := classifyText(subject, err, stdout)
	if errors.Is(typed, ErrPolicyNotInitialised) {
		c.forgetPolicy()
	}
	return typed
}

// Typed errors. Callers branch on these with errors.As / errors.Is.

// MissingError: sbx is not installed or not on PATH (of Host, when set).
type MissingError struct{ Bin, Host string }

func (e *MissingError) Error() string {
	if e.Host != "" {
		return fmt.Sprintf("%s is not installed or not on PATH on %s", e.Bin, e.Host)
	}
	return fmt.Sprintf("%s is not installed or not on PATH", e.Bin)
}

// NotFoundError: no sandbox of that name.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("no sandbox named %q", e.Name) }

// ExitError: a command run in a sandbox exited non-zero. From Exec and
// ExecOutput, Code is the command's own status (it is known to have
// started); from Tunnel, it is the status of `sbx exec`, which is the far
// command's unless sbx itself failed. Err is the *xec.ExitError with the
// tail of the stderr.
type ExitError struct {
	Name string
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("exec in sandbox %q: exit status %d", e.Name, e.Code)
	var xe *xec.ExitError
	if errors.As(e.Err, &xe) {
		if lines := strings.Split(strings.TrimSpace(xe.Stderr), "\n"); lines[len(lines)-1] != "" {
			msg += ": " + lines[len(lines)-1]
		}
	}
	return msg
}
func (e *ExitError) Unwrap() error { return e.Err }

// UnsupportedError: the installed sbx lacks a feature git-airlock needs.
type UnsupportedError struct {
	Version string
	Feature string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("sbx %s does not support %s", e.Version, e.Feature)
}

// ErrNotLoggedIn: sbx needs `sbx login`.
var ErrNotLoggedIn = errors.New("sbx is not logged in to Docker")

// ErrDaemonDown: the sandbox daemon cannot be reached.
var ErrDaemonDown = errors.New("the Docker Sandboxes daemon is not running")

// ErrPolicyNotInitialised: no default network policy has been chosen yet.
var ErrPolicyNotInitialised = errors.New("sbx network policy is not initialised")

// CommandError is any other failure of an sbx command, with its stderr
// (in Err) and what it printed on stdout.
type CommandError struct {
	Subject string
	Err     error
	Stdout  string
}

func (e *CommandError) Error() string { return e.Subject + ": " + e.Err.Error() }
func (e *CommandError) Unwrap() error { return e.Err }

// Text is everything sbx said of the failure: its stderr and stdout.
func (e *CommandError) Text() string {
	var xe *xec.ExitError
	if errors.As(e.Err, &xe) {
		return xe.Stderr + "\n" + e.Stdout
	}
	return e.Stdout
}

// NeedsAnswerError: sbx stopped at a question it was told not to ask
// (NoInputFlag). Next is the command sbx named to go on without the
// question, as sbx printed it ("" when it named none); it is sbx's next
// step, which the error's hint repeats. Err is ErrPolicyNotInitialised
// when the question was which default network policy to use, else the
// *xec.ExitError.
type NeedsAnswerError struct {
	Subject string
	Said    string // sbx's first line of it
	Next    string
	Err     error
}

func (e *NeedsAnswerError) Error() string {
	return e.Subject + ": sbx stopped at a question (git-airlock runs it with " + NoInputFlag + "): " + e.Said
}
func (e *NeedsAnswerError) Unwrap() error { return e.Err }

// classify turns an xec error into a typed one.
func classify(subject string, err error) error { return classifyText(subject, err, "") }

// classifyText is classify of a failure whose stdout is known. It and the
// recognisers it calls are the only places that read sbx's message texts.
func classifyText(subject string, err error, stdout string) error {
	var ue *UnreachableError
	var me *MissingError
	if errors.As(err, &ue) || errors.As(err, &me) {
		return fmt.Errorf("%s: %w", subject, err)
	}
	var nf *xec.NotFoundError
	if errors.As(err, &nf) {
		return &MissingError{Bin: nf.Program}
	}
	var ee *xec.ExitError
	if !errors.As(err, &ee) {
		return &CommandError{Subject: subject, Err: err, Stdout: stdout}
	}
	text := ee.Stderr + "\n" + stdout
	msg := strings.ToLower(text)
	switch {
	case strings.Contains(msg, "not authenticated") || strings.Contains(msg, "no valid user session") || strings.Contains(msg, "sbx login"):
		return fmt.Errorf("%s: %w", subject, ErrNotLoggedIn)
	case strings.Contains(msg, "daemon is not running") || strings.Contains(msg, "cannot connect to the sandbox daemon") || strings.Contains(msg, "sandboxd.sock"):
		return fmt.Errorf("%s: %w", subject, ErrDaemonDown)
	}
	if next, ok := needsAnswer(text); ok {
		cause := error(ee)
		if low := strings.ToLower(next); strings.Contains(low, "policy init") || strings.Contains(low, "policy set-default") {
			cause = ErrPolicyNotInitialised
		}
		na := &NeedsAnswerError{Subject: subject, Said: sbxLine(text), Next: next, Err: cause}
		if next == "" {
			return hint.With(na, "run the command yourself in a terminal to answer sbx's question")
		}
		return hint.With(na, "sbx's next step: "+next)
	}
	switch {
	case strings.Contains(msg, "already initialized") || strings.Contains(msg, "already been initialized"):
		return fmt.Errorf("%s: %w", subject, ErrPolicyAlreadyInitialised)
	case strings.Contains(msg, "not been initialized") || strings.Contains(msg, "not initialized"):
		return fmt.Errorf("%s: %w", subject, ErrPolicyNotInitialised)
	}
	return &CommandError{Subject: subject, Err: err, Stdout: stdout}
}

// noInputMarks are the ways sbx may say that it needed an answer it may
// not ask for: its wording of a --no-input failure is not documented (the
// docs say only that the command fails and prints the command to run).
// ("unknown flag: --no-input" is an sbx without the flag, not one.)
var noInputMarks = []string{"needs an answer", "need an answer", "requires an answer", "needs input",
	"requires input", "cannot prompt", "can't prompt", "unable to prompt"}

// nextCommand is the command sbx names after "run" (on the same line, in
// quotes or backquotes, or on the next lines).
var nextCommand = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("(?i)\\brun\\b:?\\s+['\"`]?(sbx\\s[^'\"`\\n]*)")
})

// sbxLine is the first line of sbx's text, without its "ERROR:" prefix.
func sbxLine(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			for _, p := range []string{"ERROR: ", "Error: ", "error: "} {
				line = strings.TrimPrefix(line, p)
			}
			return line
		}
	}
	return ""
}

// needsAnswer recognises sbx's failure for a question under NoInputFlag,
// and the command it names to go on.
func needsAnswer(text string) (next string, ok bool) {
	low := strings.ToLower(text)
	for _, m := range noInputMarks {
		if strings.Contains(low, m) {
			ok = true
			break
		}
	}
	if !ok {
		return "", false
	}
	if m := nextCommand().FindStringSubmatch(text); m != nil {
		next = strings.TrimRight(strings.TrimSpace(m[1]), ".;")
	}
	return next, true
}
