// Package remote implements git-remote-airlock: git's remote-helper protocol
// with the `connect` capability, tunnelling git-upload-pack and
// git-receive-pack through `sbx exec -i` to the agent's clone in the VM.
//
// Nothing but protocol may reach Out. The helper splices streams (as git's
// remote-ext does) and reads only the ref advertisement on its way through
// (advertGuard): a fetch leaves out sandbox branches named like git's own
// refs, and an advertisement past airlock.maxRefs or airlock.maxRefBytes
// ends the fetch; the pack is never parsed. The one time it answers itself
// is a stopped sandbox with waking turned off: then it plays a server that
// has exactly the refs fetched last time, so that git changes nothing and
// `git fetch --all` does not fail.
package remote

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Helper is one run of the remote helper.
type Helper struct {
	Sbx  *sbx.Client // required: also runs the tunnel
	Repo *gitx.Repo  // the repository git is working on (GIT_DIR); may be nil
	// WakeOnFetch reads airlock.wakeOnFetch lazily: only a stopped sandbox
	// needs the answer.
	WakeOnFetch func(context.Context) bool
	// Background reports a fetch nobody waits for (git maintenance's
	// prefetch): it never wakes a stopped sandbox.
	Background func(context.Context) bool
	// V2 reports whether git allows protocol v2 (protocol.version unset or
	// 2): the far side's upload-pack is then asked for it.
	V2 func(context.Context) bool
	// ForceWake is git-airlock's own fetch (GIT_AIRLOCK_WAKE=1): it wakes
	// whatever the settings say, and fails rather than serve old refs.
	ForceWake bool
	// Timeout bounds how long the far side may take to start the git
	// service (waking the sandbox included); airlock.timeout, 60s when zero.
	Timeout  time.Duration
	Protocol string // GIT_PROTOCOL from git, forwarded to the service
	// Limits bound the ref advertisement (airlock.maxRefs,
	// airlock.maxRefBytes); the zero value is DefaultLimits.
	Limits *Limits
	// Remotes are the host's remote names and FoldCase its core.ignoreCase:
	// a fetch leaves out sandbox branches named like them (sandboxref.NameCheck).
	Remotes  []string
	FoldCase bool
	In       io.Reader
	Out      io.Writer
	Err      io.Writer
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
			return h.connect(ctx, remote, t, strings.TrimPrefix(cmd, "connect "), in)
		case cmd == "":
			return nil
		default:
			return &ProtocolError{Msg: fmt.Sprintf("unsupported command %q", cmd)}
		}
	}
}

func (h *Helper) connect(ctx context.Context, remote string, t sandboxref.Target, service string, in *bufio.Reader) error {
	var verb string
	switch service {
	case "git-upload-pack":
		verb = "upload-pack"
	case "git-receive-pack":
		verb = "receive-pack"
	default:
		return &ProtocolError{Msg: fmt.Sprintf("unsupported service %q", service)}
	}
	// A fetch may be served from the refs fetched last time when the
	// sandbox is asleep and may not be woken, or cannot be reached; not so
	// git-airlock's own fetches, which report what went wrong.
	fallback := verb == "upload-pack" && !h.ForceWake
	if fallback {
		if why := h.noWake(ctx); why != "" {
			sb, err := h.Sbx.Get(ctx, t.Sandbox)
			if err != nil {
				return h.unreachable(remote, t, err, in, false)
			}
			if !sb.Running() {
				return h.cached(remote, in, false, "sandbox %q is stopped and %s; %s is as fetched last time (wake it: git airlock fetch)", t.Sandbox, why, remote)
			}
		}
	}
	if t.Path == "" {
		p, err := h.discover(ctx, t.Sandbox)
		if ctx.Err() != nil {
			return interrupted(t.Sandbox)
		}
		if err != nil {
			var ue *unreachableError
			if fallback && errors.As(err, &ue) {
				return h.unreachable(remote, t, ue.err, in, false)
			}
			return err
		}
		t.Path = p
	}
	if _, err := io.WriteString(h.Out, "\n"); err != nil {
		return err
	}
	stdin, err := childStdin(in, h.In)
	if err != nil {
		return err
	}
	var env []string
	if h.Protocol != "" && !strings.ContainsAny(h.Protocol, "\n\x00") {
		env = append(env, "GIT_PROTOCOL="+h.Protocol)
	} else if verb == "upload-pack" && h.V2 != nil && h.V2(ctx) {
		// git does not tell a connect helper which protocol it wants, but
		// reads whichever the server answers in; receive-pack has no v2.
		env = append(env, "GIT_PROTOCOL=version=2")
	}
	// The service's stderr goes to /dev/null inside the VM: some sbx
	// versions merge a child's stderr into stdout, which would corrupt the
	// pack stream. A marker line, printed just before git starts, separates
	// whatever sbx itself printed on stdout (a wake-up banner, an error)
	// from the protocol. The script is fixed; service, path and marker
	// travel as arguments.
	marker := sbx.NewMarker()
	limits := DefaultLimits
	if h.Limits != nil {
		limits = *h.Limits
	}
	var over atomic.Pointer[error]
	adv := &advertGuard{w: h.Out, limits: limits, sandbox: t.Sandbox, filter: verb == "upload-pack",
		report: func(skipped []SkippedRef) { h.reportSkipped(remote, t.Sandbox, skipped) }}
	if adv.filter {
		var host sandboxref.HostRefs
		if h.Repo != nil {
			host = h.Repo
		}
		check := sandboxref.NewNameCheck(remote, h.Remotes, h.FoldCase, host)
		adv.skip = check.Skip
	}
	// sbx's own stderr is held until the protocol starts: if it never does
	// and the fetch is served from the last-fetched refs, one line says why.
	// It is the sandbox's text: masked (quote.Writer), never raw escapes.
	masked := &quote.Writer{W: h.Err}
	defer masked.Flush()
	errw := &heldUntilStart{w: masked}
	// The deadline covers only the far side's start (sbx, waking the VM,
	// the marker line): a long pack transfer is not cut off.
	timeout := cmp.Or(h.Timeout, 60*time.Second)
	tunnelCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var late atomic.Bool
	timer := time.AfterFunc(timeout, func() { late.Store(true); cancel() })
	defer timer.Stop()
	// Past a limit, or on a malformed advertisement, the tunnel is closed:
	// a far side that never stops advertising is not read further.
	adv.over = func(err error) { over.Store(&err); cancel() }
	out := &sbx.Frame{W: adv, Marker: marker, OnSeen: func() { timer.Stop(); errw.start() }}
	err = h.Sbx.Tunnel(tunnelCtx, sbx.ExecRequest{Name: t.Sandbox, Interactive: true, Env: env,
		Argv: []string{"sh", "-c", `printf '%s\n' "$2"; exec git -c uploadpack.allowFilter=true -c uploadpack.allowAnySHA1InWant=true "$0" "$1" 2>/dev/null`,
			verb, t.Path, marker},
		Streams: xec.Streams{In: stdin, Out: out, Err: errw}})
	if ctx.Err() != nil {
		errw.start()
		return interrupted(t.Sandbox)
	}
	if e := over.Load(); e != nil {
		errw.start()
		var le *LimitError
		if errors.As(*e, &le) {
			return hint.With(*e,
				fmt.Sprintf("see what the agent made: git airlock shell --name %s", t.Sandbox),
				fmt.Sprintf("if the repository really has that many, raise the limit: git config %s %d", le.Setting, 4*le.Limit))
		}
		return *e
	}
	if out.Seen() && h.Repo != nil {
		// The tunnel may have started the sandbox, and sbx then rewrote its
		// own sandbox-<name> remote: put tagOpt and skipFetchAll back now
		// (best effort; any git-airlock command does it again).
		_ = gitx.GuardSbxRemote(ctx, h.Repo, t.Sandbox)
	}
	if !out.Seen() && !late.Load() {
		// Nothing reached git yet: ask sbx whether the sandbox is there. If
		// it is gone or sbx cannot be reached, a fetch is served from the
		// last-fetched refs; anything else says what sbx said.
		if _, gerr := h.Sbx.Get(ctx, t.Sandbox); gerr != nil {
			if fallback {
				return h.unreachable(remote, t, gerr, in, true)
			}
			return h.sandboxError(t, gerr)
		}
	}
	errw.start()
	if noise := out.Noise(); noise != "" {
		ui.Line(h.Err, "sbx printed: %s", quote.Text(noise))
	}
	if late.Load() && !out.Seen() {
		return hint.Errorf([]string{
			"see whether it is running: git airlock status",
			fmt.Sprintf("if it is only slow to wake, allow more time: git config airlock.timeout %s", 2*timeout),
		}, "sandbox %q did not answer within %s (airlock.timeout)", t.Sandbox, timeout)
	}
	var me *sbx.MissingError
	if errors.As(err, &me) {
		return fmt.Errorf("%s is not installed or not on PATH; cannot reach sandbox %q", me.Bin, t.Sandbox)
	}
	if !out.Seen() {
		return fmt.Errorf("the git service did not start in sandbox %q (sbx's message is above; 'git airlock status' shows the sandbox)", t.Sandbox)
	}
	var ee *sbx.ExitError
	if errors.As(err, &ee) {
		return &TunnelError{Sandbox: t.Sandbox, Code: ee.Code}
	}
	if err == nil && verb == "upload-pack" {
		h.followHead(ctx, remote, adv)
	}
	return err
}

// followHead keeps refs/remotes/<remote>/HEAD on the sandbox's checked-out
// branch, from the symref the advertisement carried. It runs after the
// service ended and before git writes the fetched refs, so it never races
// a write through the symref (the remote's HEAD refspec no longer writes
// there). A legacy remote is migrated instead: git already read its old
// refspecs for this fetch, so the symref waits for the next one.
func (h *Helper) followHead(ctx context.Context, remote string, adv *advertGuard) {
	if h.Repo == nil || !adv.head {
		return
	}
	migrated, err := h.Repo.MigrateSandboxRemote(ctx, remote)
	if err == nil && !migrated {
		err = h.Repo.FollowSandboxHead(ctx, remote, strings.TrimPrefix(adv.headTarget(), "refs/heads/"))
	}
	if err != nil {
		ui.Line(h.Err, "could not follow the sandbox's HEAD: %v", err)
	}
}

// reportSkipped says, one line a branch, which sandbox branches the fetch
// left out and why; they stay in the sandbox, where status and rm see them.
func (h *Helper) reportSkipped(remote, sandbox string, skipped []SkippedRef) {
	for _, s := range skipped {
		ui.Line(h.Err, "skipped sandbox branch %q: %s; it stays in sandbox %q ('git airlock status --unfetched' lists it; rename it there: git airlock shell)",
			strings.TrimPrefix(s.Name, "refs/heads/"), s.Reason, sandbox)
	}
}

// interrupted is the helper stopped by SIGINT or SIGTERM: xec has ended
// the sbx child (and its process group) on the cancelled context.
func interrupted(sandbox string) error {
	return fmt.Errorf("interrupted; the connection to sandbox %q was closed", sandbox)
}

// TunnelError is a tunnel whose far end failed; git has already reported
// what it saw on the protocol stream.
type TunnelError struct {
	Sandbox string
	Code    int
}

func (e *TunnelError) Error() string {
	return fmt.Sprintf("the git service in sandbox %q ended with exit status %d; git's message is above", e.Sandbox, e.Code)
}

func (h *Helper) sandboxError(t sandboxref.Target, err error) error {
	var nf *sbx.NotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("sandbox %q no longer exists; branches fetched from it are kept (see 'git airlock ls')", t.Sandbox)
	}
	return fmt.Errorf("sandbox %q: %w", t.Sandbox, workflow.SbxError(err))
}

// discover asks the sandbox where its clone is.
func (h *Helper) discover(ctx context.Context, name string) (string, error) {
	p, err := workflow.ClonePath(ctx, h.Sbx, name)
	if err != nil {
		if _, gerr := h.Sbx.Get(ctx, name); gerr != nil {
			return "", &unreachableError{err: gerr}
		}
		return "", h.sandboxError(sandboxref.Target{Sandbox: name}, err)
	}
	return p, nil
}

// unreachableError is a sandbox that sbx says is gone, or an sbx that
// cannot be asked.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }

// noWake says why a stopped sandbox is not to be woken, or "" when it may.
func (h *Helper) noWake(ctx context.Context) string {
	if h.Background != nil && h.Background(ctx) {
		return "this is a background fetch (git maintenance prefetch)"
	}
	if h.WakeOnFetch != nil && !h.WakeOnFetch(ctx) {
		return "airlock.wakeOnFetch is false"
	}
	return ""
}

// unreachable serves the last-fetched refs for a sandbox sbx cannot reach,
// with one line saying why and what to do.
func (h *Helper) unreachable(remote string, t sandboxref.Target, err error, in *bufio.Reader, replied bool) error {
	var nf *sbx.NotFoundError
	var me *sbx.MissingError
	var ue *sbx.UnreachableError
	switch {
	case errors.As(err, &ue):
		return h.cached(remote, in, replied, "%s (where sandbox %q lives); %s is as fetched last time", ue, t.Sandbox, remote)
	case errors.As(err, &nf):
		return h.cached(remote, in, replied, "sandbox %q no longer exists; %s is as fetched last time (keep its branches and drop the remote: git airlock rm %s)", t.Sandbox, remote, t.Sandbox)
	case errors.As(err, &me):
		return h.cached(remote, in, replied, "%s is not installed or not on PATH (an app started from the desktop may lack your shell's PATH), so sandbox %q cannot be reached; %s is as fetched last time", me.Bin, t.Sandbox, remote)
	case errors.Is(err, sbx.ErrDaemonDown):
		return h.cached(remote, in, replied, "sbx's daemon is not running, so sandbox %q cannot be reached; %s is as fetched last time (start it: sbx daemon start)", t.Sandbox, remote)
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	return h.cached(remote, in, replied, "cannot reach sandbox %q (%s); %s is as fetched last time", t.Sandbox, first, remote)
}

// cached says why in one line, then answers as the sandbox would have the
// last time it was fetched.
func (h *Helper) cached(remote string, in *bufio.Reader, replied bool, format string, args ...any) error {
	ui.Line(h.Err, format, args...)
	if !replied {
		if _, err := io.WriteString(h.Out, "\n"); err != nil {
			return err
		}
	}
	return h.serveCached(remote, in)
}

// heldUntilStart holds sbx's stderr until the protocol starts, then
// passes it on as it comes.
type heldUntilStart struct {
	mu      sync.Mutex
	w       io.Writer
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

// serveCached plays a protocol-v0 upload-pack that has exactly the refs
// fetched last time: the branches under refs/remotes/<remote>/, HEAD from
// the sandbox HEAD ref with its symref, so that `ls-remote --symref` and
// followRemoteHEAD see what they saw last time. A client that wants only
// objects it already has (an up-to-date fetch asks for nothing; `--depth`
// asks anyway) gets an empty pack; a want it lacks needs the sandbox.
func (h *Helper) serveCached(remote string, in *bufio.Reader) error {
	prefix := sandboxref.TrackingPrefix(remote)
	var refs map[string]string
	var head, symref string
	if h.Repo != nil {
		var err error
		if refs, err = h.Repo.Refs(prefix); err != nil {
			return err
		}
		head = refs[prefix+"HEAD"]
		if own, err := h.Repo.Refs(sandboxref.Head(remote)); err == nil && own[sandboxref.Head(remote)] != "" {
			head = own[sandboxref.Head(remote)]
		}
		if t, ok := strings.CutPrefix(h.Repo.SymrefTarget(prefix+"HEAD"), prefix); ok {
			symref = "refs/heads/" + t
		}
	}
	names := make([]string, 0, len(refs))
	for n := range refs {
		if n != prefix+"HEAD" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var adv []string
	if head != "" {
		adv = append(adv, head+" HEAD")
	}
	for _, n := range names {
		adv = append(adv, refs[n]+" refs/heads/"+strings.TrimPrefix(n, prefix))
	}
	if len(adv) == 0 {
		adv = []string{strings.Repeat("0", 40) + " capabilities^{}"}
	}
	caps := "shallow"
	if symref != "" && head != "" {
		caps += " symref=HEAD:" + symref
	}
	adv[0] += "\x00" + caps + " agent=git-airlock/cached"
	for _, line := range adv {
		if err := writePkt(h.Out, line+"\n"); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(h.Out, "0000"); err != nil {
		return err
	}
	return h.answerCached(in)
}

// answerCached reads the client's request after the advertisement and
// answers as upload-pack does without multi_ack or side-band: the shallow
// update (none), an ACK for the first have or a NAK, then an empty pack.
func (h *Helper) answerCached(in *bufio.Reader) error {
	var wants int
	deepen := false
	for {
		line, err := readPkt(in)
		if err != nil {
			return nil // the client hung up after reading the refs (ls-remote)
		}
		if line == "" {
			break
		}
		switch {
		case strings.HasPrefix(line, "want "):
			f := strings.Fields(line)
			if len(f) < 2 || h.Repo == nil || !h.Repo.HasCommit(f[1]) {
				return errors.New("the refs fetched last time lack what git wants, and the sandbox was not asked; run 'git airlock fetch' to wake it")
			}
			wants++
		case strings.HasPrefix(line, "deepen"):
			deepen = true
		}
	}
	if wants == 0 {
		return nil // flush: nothing wanted
	}
	if deepen {
		if _, err := io.WriteString(h.Out, "0000"); err != nil { // no shallow update
			return err
		}
	}
	haves := 0
	for {
		line, err := readPkt(in)
		if err != nil {
			return fmt.Errorf("read the client's haves: %w", err)
		}
		switch {
		case strings.HasPrefix(line, "have "):
			haves++
			if haves == 1 { // everything the client has is here
				if err := writePkt(h.Out, "ACK "+strings.TrimSpace(strings.TrimPrefix(line, "have "))+"\n"); err != nil {
					return err
				}
			}
			continue
		case line == "":
			if haves == 0 {
				if err := writePkt(h.Out, "NAK\n"); err != nil {
					return err
				}
			}
			continue
		case strings.TrimSpace(line) == "done":
		default:
			return fmt.Errorf("unexpected %q from git while serving the refs fetched last time", line)
		}
		if haves == 0 {
			if err := writePkt(h.Out, "NAK\n"); err != nil {
				return err
			}
		}
		_, err = h.Out.Write(emptyPack())
		return err
	}
}

// emptyPack is a version-2 pack with no objects: the client has them all.
func emptyPack() []byte {
	p := []byte{'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0}
	sum := sha1.Sum(p)
	return append(p, sum[:]...)
}

func writePkt(w io.Writer, s string) error {
	_, err := fmt.Fprintf(w, "%04x%s", len(s)+4, s)
	return err
}

// readPkt reads one pkt-line; "" is a flush packet.
func readPkt(r *bufio.Reader) (string, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return "", err
	}
	var n int
	if _, err := fmt.Sscanf(string(hdr[:]), "%04x", &n); err != nil {
		return "", fmt.Errorf("bad pkt-line header %q", hdr)
	}
	if n == 0 {
		return "", nil
	}
	if n < 4 || n > 65520 {
		return "", fmt.Errorf("bad pkt-line length %d", n)
	}
	buf := make([]byte, n-4)
	_, err := io.ReadFull(r, buf)
	return string(buf), err
}

// childStdin hands git's stdin to the tunnel as a file, so that the child
// reads it directly. A reader that is not a file would make os/exec copy
// it in a goroutine that blocks on git's open pipe after the child exits,
// and the helper would never finish. Bytes git sent ahead of our reply
// (it does not, but the protocol allows it) are replayed through a pipe.
func childStdin(buffered *bufio.Reader, raw io.Reader) (io.Reader, error) {
	f, ok := raw.(*os.File)
	if ok && buffered.Buffered() == 0 {
		return f, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	go func() {
		_, _ = io.Copy(w, buffered)
		w.Close()
	}()
	return r, nil
}
