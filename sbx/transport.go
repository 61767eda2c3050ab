package sbx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// Transport. Every sbx command of this client starts here: on this
// machine as `sbx args…`, or, with Remote set, as `ssh … -- host 'sbx'
// 'args'…` with each word quoted for the remote shell (sshhost builds that
// line). Non-interactive calls run in ssh's batch mode over a shared
// connection; terminal sessions (attach, shell, login) get `ssh -t`.

// UnreachableError: ssh could not reach the host (refused, no route, host
// key or login refused): ssh's own exit status 255.
type UnreachableError struct {
	Host string
	Err  error // the *xec.ExitError, with ssh's stderr
}

func (e *UnreachableError) Error() string {
	msg := fmt.Sprintf("cannot reach %s over ssh", e.Host)
	var xe *xec.ExitError
	if errors.As(e.Err, &xe) {
		if s := strings.TrimSpace(xe.Stderr); s != "" {
			lines := strings.Split(s, "\n")
			msg += ": " + strings.TrimSpace(lines[len(lines)-1])
		}
	}
	return msg
}
func (e *UnreachableError) Unwrap() error { return e.Err }

// Host is the machine the client's sandboxes live on: "" for this one.
func (c *Client) Host() string {
	if c.Remote == nil {
		return ""
	}
	return c.Remote.Host.String()
}

// wire turns a local sbx command into the command that runs it where the
// sandboxes live. cmd.Argv[0] is the sbx program.
func (c *Client) wire(cmd xec.Cmd, terminal bool) (xec.Cmd, error) {
	if c.Remote == nil {
		return cmd, nil
	}
	mode := sshhost.Batch
	if terminal {
		mode = sshhost.Terminal
	}
	argv, err := c.Remote.Argv(mode, cmd.Argv)
	if err != nil {
		return cmd, fmt.Errorf("run sbx on %s: %w", c.Remote.Host, err)
	}
	cmd.Argv = argv
	return cmd, nil
}

// run is the client's only way to start sbx: through wire. output (and
// ExecOutput) read the answer through the output limit (limit.go).
// An sbx that refuses NoInputFlag as unknown is not the one the cache
// describes (a wrapper or shim whose target changed, which the cache key
// cannot see): the cache is corrected and the command runs again without
// the flag.
func (c *Client) run(ctx context.Context, cmd xec.Cmd, terminal bool) error {
	err := c.runOnce(ctx, cmd, terminal)
	if c.unknownNoInput(cmd, err) {
		c.forgetNoInput()
		cmd.Argv = slices.DeleteFunc(slices.Clone(cmd.Argv), func(a string) bool { return a == NoInputFlag })
		err = c.runOnce(ctx, cmd, terminal)
	}
	return err
}

func (c *Client) runOnce(ctx context.Context, cmd xec.Cmd, terminal bool) error {
	cmd, err := c.wire(cmd, terminal)
	if err != nil {
		return err
	}
	return c.remoteError(c.Run.Run(ctx, cmd))
}

// unknownNoInput: sbx refused the command's NoInputFlag, before reading
// any of its input (only a command with no stdin, or a file that the
// child reads itself, runs again).
func (c *Client) unknownNoInput(cmd xec.Cmd, err error) bool {
	var ee *xec.ExitError
	if !errors.As(err, &ee) || !slices.Contains(cmd.Argv, NoInputFlag) || !strings.Contains(ee.Stderr, "unknown flag: "+NoInputFlag) {
		return false
	}
	_, file := cmd.Stdin.(*os.File)
	return cmd.Stdin == nil || file
}

func (c *Client) output(ctx context.Context, cmd xec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	subject := cmd.Argv[0]
	if len(cmd.Argv) > 1 {
		subject += " " + cmd.Argv[1]
	}
	err := c.bounded(ctx, cmd, c.outputLimit(0), subject, "")
	return out.Bytes(), err
}

// remoteError types what only ssh says: its own failure (status 255) and
// a remote shell that found no sbx (status 127 with the shell's words).
// Everything else is sbx's, or the command's, as on this machine.
func (c *Client) remoteError(err error) error {
	var ee *xec.ExitError
	if c.Remote == nil || !errors.As(err, &ee) {
		return err
	}
	switch {
	case ee.Code == 255:
		return &UnreachableError{Host: c.Remote.Host.String(), Err: err}
	case ee.Code == 127 && (strings.Contains(ee.Stderr, c.bin()+": command not found") || strings.Contains(ee.Stderr, c.bin()+": not found")):
		return &MissingError{Bin: c.bin(), Host: c.Remote.Host.String()}
	}
	return err
}

// ServerPlatform reads the operating system, architecture and KVM device
// of the machine sbx runs on over ssh (doctor's checks of a server).
func (c *Client) ServerPlatform(ctx context.Context) (goos, arch string, kvm bool, err error) {
	if c.Remote == nil {
		return "", "", false, errors.New("sbx runs on this machine")
	}
	out, err := c.output(ctx, xec.Cmd{Argv: []string{"sh", "-c", `uname -s; uname -m; if [ -c /dev/kvm ]; then echo kvm; else echo none; fi`}, Timeout: c.timeout()})
	if err != nil {
		return "", "", false, err
	}
	f := strings.Fields(string(out))
	if len(f) != 3 {
		return "", "", false, fmt.Errorf("read the platform of %s: unexpected answer %q", c.Remote.Host, strings.TrimSpace(string(out)))
	}
	goos = strings.ToLower(f[0])
	switch f[1] {
	case "x86_64", "amd64":
		arch = "amd64"
	case "aarch64", "arm64":
		arch = "arm64"
	default:
		arch = f[1]
	}
	return goos, arch, f[2] == "kvm", nil
}
