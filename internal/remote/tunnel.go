package remote

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// serviceScript runs the git service in the VM. The start marker ($2)
// separates whatever sbx printed on stdout (a wake-up banner, an error)
// from the protocol. The service's stderr goes to a file, never to a
// stream: some sbx versions merge a child's stderr into stdout, which
// would corrupt the pack stream. After a failure the end marker ($3,
// behind a DEL byte) and the file's last lines follow on stdout (farError).
// The script is fixed; service ($0), path ($1) and markers travel as
// arguments. One line, as sbx's call log and `-v` show it.
const serviceScript = `printf '%s\n' "$2"; f=$(mktemp 2>/dev/null) || f=/dev/null; ` +
	`git -c uploadpack.allowFilter=true -c uploadpack.allowAnySHA1InWant=true "$0" "$1" 2>"$f"; rc=$?; ` +
	`[ "$rc" = 0 ] || { printf '\177%s\n' "$3"; tail -n 5 "$f"; }; [ "$f" = /dev/null ] || rm -f "$f"; exit "$rc"`

// tunnelEnd is how a tunnel ended, for report.
type tunnelEnd struct {
	err     error           // sbx.Tunnel's
	req     sbx.ExecRequest // what ran
	frame   *sbx.Frame      // Seen: the service started; Noise: what sbx printed before it
	timeout time.Duration
	late    atomic.Bool // no start within timeout
	gone    atomic.Bool // git went away before the start
	idle    *idleTimer  // fired: no byte either way for timeout, once started
	over    atomic.Pointer[error]
	tag     atomic.Pointer[string] // the tag a push named, refused
	adv     *advertGuard
	far     *farError
	held    *heldUntilStart // sbx's stderr, until the service starts
	replied error           // writing git's blank line, at the start
}

// tunnel runs the service in the sandbox with git's streams spliced to it.
// The start deadline runs until the service's marker line, the inactivity
// deadline from then on; past either, or past an advertisement limit, or
// on a tag in a push, the tunnel's context is cancelled and xec ends sbx's
// whole process group. git gets its blank line only when the service has
// started: a tunnel that never starts leaves git with no reply, so that it
// exits on the helper's own error instead of reading an empty repository.
func (h *Helper) tunnel(ctx context.Context, c *conn) (*tunnelEnd, error) {
	e := &tunnelEnd{timeout: cmp.Or(h.Timeout, 60*time.Second)}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.AfterFunc(e.timeout, func() { e.late.Store(true); cancel() })
	defer start.Stop()
	e.idle = newIdleTimer(e.timeout, cancel)
	defer e.idle.stop()
	var seen atomic.Bool
	if h.GitGone != nil {
		go func() {
			select {
			case <-h.GitGone:
				if !seen.Load() {
					e.gone.Store(true)
					cancel()
				}
			case <-tctx.Done():
			}
		}()
	}

	pump := &stdinPump{src: c.in, touch: e.idle.touch}
	if c.verb == "receive-pack" {
		pump.refuse = func(ref string) { e.tag.Store(&ref); cancel() }
	}
	stdin, err := pump.open()
	if err != nil {
		return nil, err
	}
	defer pump.close()

	e.adv = h.advertGuard(c, func(err error) { e.over.Store(&err); cancel() })
	end := sbx.NewMarker()
	e.far = newFarError(e.adv, end)
	e.held = &heldUntilStart{w: &quote.Writer{W: h.Err}}
	e.frame = &sbx.Frame{W: e.far, Marker: sbx.NewMarker(), OnSeen: func() {
		seen.Store(true)
		start.Stop()
		c.replied = true
		_, e.replied = io.WriteString(h.Out, "\n")
		e.held.start()
		e.idle.arm()
		pump.start()
	}}
	e.req = sbx.ExecRequest{Name: c.t.Sandbox, Interactive: true, Env: h.serviceEnv(ctx, c.verb),
		Argv:    []string{"sh", "-c", serviceScript, c.verb, c.t.Path, e.frame.Marker, end},
		Streams: xec.Streams{In: stdin, Out: touching{w: e.frame, t: e.idle}, Err: e.held}}
	e.err = h.Sbx.Tunnel(tctx, e.req)
	if ferr := e.far.flush(); e.err == nil {
		e.err = ferr
	}
	return e, nil
}

// serviceEnv passes git's protocol request on: GIT_PROTOCOL as git set it,
// else version 2 for a fetch where git allows it. git does not tell a
// connect helper which protocol it wants, but reads whichever the server
// answers in; receive-pack has no v2.
func (h *Helper) serviceEnv(ctx context.Context, verb string) []string {
	if h.Protocol != "" && !strings.ContainsAny(h.Protocol, "\n\x00") {
		return []string{"GIT_PROTOCOL=" + h.Protocol}
	}
	if verb == "upload-pack" && h.V2 != nil && h.V2(ctx) {
		return []string{"GIT_PROTOCOL=version=2"}
	}
	return nil
}

// advertGuard reads the service's ref advertisement on its way to git:
// limits, no tags, and for a fetch the sandbox branches named like git's
// own refs (reported in one line each). over is called once when it ends
// the connection.
func (h *Helper) advertGuard(c *conn, over func(error)) *advertGuard {
	limits := DefaultLimits
	if h.Limits != nil {
		limits = *h.Limits
	}
	a := &advertGuard{w: h.Out, limits: limits, sandbox: c.t.Sandbox, filter: c.verb == "upload-pack", over: over,
		report: func(skipped []SkippedRef) { h.reportSkipped(c.t.Sandbox, skipped) }}
	if a.filter {
		var host sandboxref.HostRefs
		if h.Repo != nil {
			host = h.Repo
		}
		a.skip = sandboxref.NewNameCheck(c.remote, h.Remotes, h.FoldCase, host).Skip
	}
	return a
}

// heldUntilStart holds sbx's stderr until the service starts, then passes
// it on as it comes: if the service never starts and the fetch is answered
// from the last-fetched refs, one line says why instead.
type heldUntilStart struct {
	mu      sync.Mutex
	w       *quote.Writer // sbx's text is masked, never raw escapes
	started bool
	held    bytes.Buffer
}

func (e *heldUntilStart) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return e.w.Write(p)
	}
	if e.held.Len() < 1<<20 {
		e.held.Write(p)
	}
	return len(p), nil
}

// start passes on what was held and everything after it.
func (e *heldUntilStart) start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.started {
		e.started = true
		_, _ = e.w.Write(e.held.Bytes())
		e.held.Reset()
	}
}
