// Package remote implements git-remote-airlock: git's remote-helper protocol
// with the `connect` capability, tunnelling git-upload-pack and
// git-receive-pack through `sbx exec -i` to the agent's clone in the VM.
//
// Nothing but protocol may reach Out. The helper splices streams (as git's
// remote-ext does) and reads only what it must on the way through: the ref
// advertisement (advertGuard: a fetch leaves out sandbox branches named
// like git's own refs, no tag is ever advertised, and an advertisement past
// airlock.maxRefs or airlock.maxRefBytes ends the connection) and, for a
// push, git's list of ref updates (stdinPump: a push that names a tag is
// refused before the sandbox sees that line). The pack is never parsed.
// The one time it answers itself is a fetch of a sandbox that is asleep
// and may not be woken, or that sbx says is gone or cannot be asked: then
// it plays a server that has exactly the refs fetched last time, so that
// git changes nothing and `git fetch --all` does not fail.
//
// One connection, in three steps (connect):
//
//   - decide (decide.go): which service, whether a fetch would prune the
//     host's tags, whether the sandbox may be woken, where its clone is;
//   - act (tunnel.go): `sbx exec` with a start deadline (airlock.timeout
//     until the service's marker line) and an inactivity deadline (no byte
//     either way for airlock.timeout), or serve the last-fetched refs
//     (cached.go);
//   - report (report.go): what ended the tunnel, in one line naming the
//     sandbox and the next step.
//
// A sandbox is gone only when sbx says so for that name (its missing-sandbox
// answer to the exec), never because a list lacks it.
//
// How `git fetch airlock-box` wakes a stopped sandbox, file by file:
//
//  1. main.go: git starts the helper; one `git config` read gives
//     airlock.wakeOnFetch and airlock.timeout; the Wake policy is built
//     (Forced under git-airlock's own fetch, GIT_AIRLOCK_WAKE=1).
//  2. remote.go: Serve answers git's `capabilities` and `connect
//     git-upload-pack`, then runs connect.
//  3. decide.go: Wake.refused says whether this fetch may wake; if not,
//     asleep asks `sbx ls` and, for a stopped sandbox, serves the refs
//     fetched last time (cached.go) instead.
//  4. tunnel.go: the tunnel is `sbx exec -i <name> … git upload-pack`;
//     sbx itself starts a stopped sandbox for an exec, so the wake is the
//     exec's, bounded by the start deadline until the service's marker.
//  5. ../../sbx/exec.go: the exec's argv (--no-input where the release
//     has it) and its missing-sandbox answer.
package remote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/sbx"
)

// Helper is one run of the remote helper.
type Helper struct {
	Sbx  *sbx.Client // required: also runs the tunnel
	Repo *gitx.Repo  // the repository git is working on (GIT_DIR); may be nil
	// Wake says whether this fetch may start a stopped sandbox.
	Wake Wake
	// V2 reports whether git allows protocol v2 (protocol.version unset or
	// 2): the far side's upload-pack is then asked for it.
	V2 func(context.Context) bool
	// Timeout bounds how long the far side may take to start the git
	// service (waking the sandbox included), and how long a started
	// tunnel may pass no byte either way; airlock.timeout, 60s when zero.
	Timeout  time.Duration
	Protocol string // GIT_PROTOCOL from git, forwarded to the service
	// Limits bound the ref advertisement (airlock.maxRefs,
	// airlock.maxRefBytes); the zero value is DefaultLimits.
	Limits *Limits
	// Remotes are the host's remote names and FoldCase its core.ignoreCase:
	// a fetch leaves out sandbox branches named like them (sandboxref.NameCheck).
	Remotes  []string
	FoldCase bool
	// PruneTags is how git will prune tags on this fetch, as far as git
	// config says (a --prune-tags on git's command line is not told to a
	// helper).
	PruneTags PruneTags
	In        io.Reader
	Out       io.Writer
	Err       io.Writer
	// GitGone, when set, is closed once git no longer reads Out (git was
	// killed, with git-airlock, say): a tunnel still waiting for the
	// service to start ends then. Afterwards the next write to Out ends
	// the helper.
	GitGone <-chan struct{}
}

// PruneTags is pruneTags as git reads it for the remote.
type PruneTags struct {
	On        bool // remote.<remote>.pruneTags, else fetch.pruneTags
	RemoteSet bool // remote.<remote>.pruneTags is set (registered since tags were dropped)
}

// ProtocolError is a malformed or unsupported helper command; git-remote-airlock
// exits 128 on it, as git's own die() does.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return e.Msg }

// Serve answers git's commands for remote (its name, or the URL itself when
// git has no named remote) at rawURL.
func (h *Helper) Serve(ctx context.Context, remote, rawURL string) error {
	t, err := sandboxref.ParseURL(rawURL)
	if err != nil {
		return &ProtocolError{Msg: err.Error()}
	}
	in := bufio.NewReader(h.In)
	for {
		line, err := in.ReadString('\n')
		if errors.Is(err, io.EOF) && line == "" {
			return nil // git is done with us
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read command from git: %w", err)
		}
		cmd := strings.TrimRight(line, "\r\n")
		switch {
		case cmd == "capabilities":
			if _, err := io.WriteString(h.Out, "connect\n\n"); err != nil {
				return err
			}
		case strings.HasPrefix(cmd, "connect "):
			return h.connect(ctx, &conn{remote: remote, t: t, in: in}, strings.TrimPrefix(cmd, "connect "))
		case cmd == "":
			return nil
		default:
			return &ProtocolError{Msg: fmt.Sprintf("unsupported command %q", cmd)}
		}
	}
}

// conn is one `connect` command: git's name for the remote, the sandbox it
// names, git's command stream, and what has been decided about it.
type conn struct {
	remote string
	t      sandboxref.Target
	in     *bufio.Reader
	verb   string // upload-pack or receive-pack
	// fallback: a fetch that may be served from the refs fetched last time
	// (not git-airlock's own fetches, which report what went wrong).
	fallback bool
	replied  bool // git has its blank line: the connection is established
}

// connect serves one connection: decide where it goes, act on it, report
// how it ended.
func (h *Helper) connect(ctx context.Context, c *conn, service string) error {
	if settled, err := h.decide(ctx, c, service); settled {
		return err
	}
	e, err := h.tunnel(ctx, c)
	if err != nil {
		return err
	}
	return h.report(ctx, c, e)
}

// interrupted is the helper stopped by SIGINT or SIGTERM: xec has ended
// the sbx child (and its process group) on the cancelled context.
func interrupted(sandbox string) error {
	return fmt.Errorf("%w; the connection to sandbox %q was closed", errInterrupted, sandbox)
}

// errInterrupted is a tunnel ended by a signal, or by git going away.
var errInterrupted = errors.New("interrupted")
