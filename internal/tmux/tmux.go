// Package tmux runs git-airlock commands inside tmux sessions, one session
// per sandbox, so that an agent keeps running on a remote server after the
// SSH connection drops.
package tmux

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// Client runs tmux.
type Client struct {
	Run *xec.Runner // required
	// Remote, when set, runs tmux on the server of a sandbox there, over
	// ssh, so that its agent outlives this machine's connection.
	Remote *sshhost.Transport
}

// start runs a tmux command here or, over ssh, on the server (with a
// terminal when it attaches one).
func (c *Client) start(ctx context.Context, cmd xec.Cmd, terminal bool) ([]byte, error) {
	if c.Remote != nil {
		mode := sshhost.Batch
		if terminal {
			mode = sshhost.Terminal
		}
		argv, err := c.Remote.Argv(mode, cmd.Argv)
		if err != nil {
			return nil, err
		}
		cmd.Argv = argv
	}
	if cmd.Stdout == nil {
		return c.Run.Output(ctx, cmd)
	}
	return nil, c.Run.Run(ctx, cmd)
}

// ErrMissing: tmux is not installed.
var ErrMissing = errors.New("tmux is not installed")

// HasSession reports whether a session of exactly that name exists.
func (c *Client) HasSession(ctx context.Context, name string) (bool, error) {
	if c.Run.DryRun != nil {
		return false, nil
	}
	_, err := c.start(ctx, xec.Cmd{Argv: []string{"tmux", "has-session", "-t", "=" + name}}, false)
	var nf *xec.NotFoundError
	if errors.As(err, &nf) {
		return false, ErrMissing
	}
	var ee *xec.ExitError
	if errors.As(err, &ee) {
		if c.Remote != nil && (ee.Code == 255 || ee.Code == 127) {
			return false, fmt.Errorf("tmux on %s: %w", c.Remote.Host, err)
		}
		return false, nil
	}
	return err == nil, err
}

// Session is a new tmux session: its name, the command and where it
// starts, and how.
type Session struct {
	Name string
	Dir  string   // the command's working directory; "" for tmux's default
	Argv []string // the command; its first act must be TakeEnv when Env is set
	// Env (KEY=VALUE) is for the command: a tmux server gives new sessions
	// its own environment, not the caller's, and values given to tmux (-e)
	// would stand on its command line, where ps shows them to every user,
	// and in the session's environment. So the values go into a file only
	// this user can read (envfile.go), and tmux gets its path (needs tmux
	// 3.2 for -e).
	Env []string
	// Detached leaves it running in the background; otherwise the
	// terminal (Streams) attaches to it.
	Detached bool
	Streams  xec.Streams
}

// NewSession starts a session.
func (c *Client) NewSession(ctx context.Context, sess Session) error {
	name, dir, argv, env, detached := sess.Name, sess.Dir, sess.Argv, sess.Env, sess.Detached
	args := []string{"tmux", "new-session", "-s", name}
	if dir != "" {
		args = append(args, "-c", dir)
	}
	if detached {
		args = append(args, "-d")
	}
	keep := false
	if len(env) > 0 {
		file, drop, err := c.envFile(env)
		if err != nil {
			return fmt.Errorf("start tmux session %q: %w", name, err)
		}
		// The command removes the file when it takes it; it is dropped
		// here only when tmux failed, and the command may never start.
		// (Not when an attached session ends: a client detached at once
		// may return before the command has read it.)
		defer func() { drop(keep) }()
		args = append(args, "-e", EnvFileVar+"="+file)
	}
	args = append(append(args, "--"), argv...)
	_, err := c.start(ctx, xec.Cmd{Argv: args, Stdin: sess.Streams.In, Stdout: sess.Streams.Out, Stderr: sess.Streams.Err, Mutates: true}, !detached)
	keep = err == nil
	var nf *xec.NotFoundError
	if errors.As(err, &nf) {
		return ErrMissing
	}
	if err != nil {
		return fmt.Errorf("start tmux session %q: %w", name, err)
	}
	return nil
}

// Attach attaches the terminal to a session.
func (c *Client) Attach(ctx context.Context, name string, in io.Reader, out, errw io.Writer) error {
	_, err := c.start(ctx, xec.Cmd{Argv: []string{"tmux", "attach-session", "-t", "=" + name}, Stdin: in, Stdout: out, Stderr: errw, Mutates: true}, true)
	var nf *xec.NotFoundError
	if errors.As(err, &nf) {
		return ErrMissing
	}
	if err != nil {
		return fmt.Errorf("attach tmux session %q: %w", name, err)
	}
	return nil
}

// Kill ends a session; a missing session or tmux is no error.
func (c *Client) Kill(ctx context.Context, name string) error {
	ok, err := c.HasSession(ctx, name)
	if err != nil || !ok {
		return nil
	}
	_, err = c.start(ctx, xec.Cmd{Argv: []string{"tmux", "kill-session", "-t", "=" + name}, Mutates: true}, false)
	return err
}

// SwitchClient moves the tmux client we run inside to a session; tmux
// finds that client through the terminal on stdin.
func (c *Client) SwitchClient(ctx context.Context, name string, in io.Reader) error {
	if err := c.Run.Run(ctx, xec.Cmd{Argv: []string{"tmux", "switch-client", "-t", "=" + name}, Stdin: in, Mutates: true}); err != nil {
		return fmt.Errorf("switch to tmux session %q: %w", name, err)
	}
	return nil
}
