// Package remote implements git-remote-airlock: git's remote-helper protocol
// with the `connect` capability, tunnelling git-upload-pack and
// git-receive-pack through `sbx exec -i` to the agent's clone in the VM.
//
// Nothing but protocol may reach Out. The helper never parses the pack
// protocol of a live sandbox; it only splices streams (as git's remote-ext
// does). The one exception is a stopped sandbox with waking turned off: then
// it answers as a server that has exactly the refs fetched last time, so
// that git changes nothing and `git fetch --all` does not fail.
package remote

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
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
	// Timeout bounds how long the far side may take to start the git
	// service (waking the sandbox included); airlock.timeout, 60s when zero.
	Timeout  time.Duration
	Protocol string // GIT_PROTOCOL from git, forwarded to the service
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
	if verb == "upload-pack" && h.WakeOnFetch != nil && !h.WakeOnFetch(ctx) {
		sb, err := h.Sbx.Get(ctx, t.Sandbox)
		if err != nil {
			return h.sandboxError(t, err)
		}
		if !sb.Running() {
			ui.Line(h.Err, "sandbox %q is stopped and airlock.wakeOnFetch is false; %s left as fetched last time", t.Sandbox, remote)
			if _, err := io.WriteString(h.Out, "\n"); err != nil {
				return err
			}
			return h.serveCached(remote, in)
		}
	}
	if t.Path == "" {
		p, err := h.discover(ctx, t.Sandbox)
		if ctx.Err() != nil {
			return interrupted(t.Sandbox)
		}
		if err != nil {
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
	}
	// The service's stderr goes to /dev/null inside the VM: some sbx
	// versions merge a child's stderr into stdout, which would corrupt the
	// pack stream. A marker line, printed just before git starts, separates
	// whatever sbx itself printed on stdout (a wake-up banner, an error)
	// from the protocol. The script is fixed; service, path and marker
	// travel as arguments.
	marker := newMarker()
	adv := &advertPeek{w: h.Out}
	// The deadline covers only the far side's start (sbx, waking the VM,
	// the marker line): a long pack transfer is not cut off.
	timeout := cmp.Or(h.Timeout, 60*time.Second)
	tunnelCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var late atomic.Bool
	timer := time.AfterFunc(timeout, func() { late.Store(true); cancel() })
	defer timer.Stop()
	out := &afterMarker{w: adv, marker: []byte(marker + "\n"), onSeen: func() { timer.Stop() }}
	err = h.Sbx.Tunnel(tunnelCtx, sbx.ExecRequest{Name: t.Sandbox, Interactive: true, Env: env,
		Argv:    []string{"sh", "-c", `printf '%s\n' "$2"; exec git "$0" "$1" 2>/dev/null`, verb, t.Path, marker},
		Streams: xec.Streams{In: stdin, Out: out, Err: h.Err}})
	if noise := strings.TrimSpace(out.before.String()); noise != "" {
		ui.Line(h.Err, "sbx printed: %s", noise)
	}
	if ctx.Err() != nil {
		return interrupted(t.Sandbox)
	}
	if late.Load() && !out.seen {
		return hint.Errorf([]string{
			"see whether it is running: git airlock status",
			fmt.Sprintf("if it is only slow to wake, allow more time: git config airlock.timeout %s", 2*timeout),
		}, "sandbox %q did not answer within %s (airlock.timeout)", t.Sandbox, timeout)
	}
	var me *sbx.MissingError
	if errors.As(err, &me) {
		return fmt.Errorf("%s is not installed or not on PATH; cannot reach sandbox %q", me.Bin, t.Sandbox)
	}
	if !out.seen {
		return fmt.Errorf("the git service did not start in sandbox %q (is it still there? try 'git airlock status')", t.Sandbox)
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
func (h *Helper) followHead(ctx context.Context, remote string, adv *advertPeek) {
	if h.Repo == nil || !adv.head {
		return
	}
	migrated, err := h.Repo.MigrateSandboxRemote(ctx, remote)
	if err == nil && !migrated {
		err = h.Repo.FollowSandboxHead(ctx, remote, strings.TrimPrefix(adv.symref, "refs/heads/"))
	}
	if err != nil {
		ui.Line(h.Err, "could not follow the sandbox's HEAD: %v", err)
	}
}

// advertPeek passes the service's output on unchanged and reads, from the
// first pkt-line of a protocol-v0 advertisement, whether HEAD was advertised
// and the branch it points at (its symref capability; none when detached).
type advertPeek struct {
	w      io.Writer
	buf    []byte
	done   bool
	head   bool
	symref string
}

func (a *advertPeek) Write(p []byte) (int, error) {
	if !a.done {
		a.buf = append(a.buf, p...)
		a.parse()
	}
	return a.w.Write(p)
}

func (a *advertPeek) parse() {
	if len(a.buf) < 4 {
		return
	}
	var n int
	if _, err := fmt.Sscanf(string(a.buf[:4]), "%04x", &n); err != nil || n < 4 {
		a.done, a.buf = true, nil
		return
	}
	if len(a.buf) < n {
		return
	}
	a.head, a.symref = parseFirstAdvert(string(a.buf[4:n]))
	a.done, a.buf = true, nil
}

// parseFirstAdvert reads "<oid> HEAD\x00<capabilities>\n": whether the line
// is HEAD's, and HEAD's target from a "symref=HEAD:<ref>" capability.
func parseFirstAdvert(line string) (head bool, symref string) {
	ref, caps, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\x00")
	if _, name, ok := strings.Cut(ref, " "); !ok || name != "HEAD" {
		return false, ""
	}
	for _, c := range strings.Fields(caps) {
		if t, ok := strings.CutPrefix(c, "symref=HEAD:"); ok && strings.HasPrefix(t, "refs/heads/") {
			return true, t
		}
	}
	return true, ""
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
	return fmt.Sprintf("the connection to sandbox %q ended with exit status %d (is the sandbox still there? try 'git airlock status')", e.Sandbox, e.Code)
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
		return "", h.sandboxError(sandboxref.Target{Sandbox: name}, err)
	}
	return p, nil
}

// serveCached plays a protocol-v0 upload-pack that has exactly the refs
// fetched last time (refs/remotes/<remote>/*), then reads the client's
// request: an up-to-date client asks for nothing and the fetch succeeds.
func (h *Helper) serveCached(remote string, in *bufio.Reader) error {
	var refs map[string]string
	if h.Repo != nil {
		var err error
		if refs, err = h.Repo.Refs(sandboxref.TrackingPrefix(remote)); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	var adv []string
	for _, n := range names {
		short := strings.TrimPrefix(n, sandboxref.TrackingPrefix(remote))
		if short == "HEAD" {
			adv = append([]string{refs[n] + " HEAD"}, adv...)
		} else {
			adv = append(adv, refs[n]+" refs/heads/"+short)
		}
	}
	if len(adv) == 0 {
		adv = []string{strings.Repeat("0", 40) + " capabilities^{}"}
	}
	adv[0] += "\x00agent=git-airlock/cached"
	for _, line := range adv {
		if err := writePkt(h.Out, line+"\n"); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(h.Out, "0000"); err != nil {
		return err
	}
	for {
		line, err := readPkt(in)
		if err != nil {
			return nil // the client hung up after reading the refs (ls-remote)
		}
		if line == "" {
			return nil // flush: nothing wanted
		}
		if strings.HasPrefix(line, "want ") {
			return errors.New("the sandbox is asleep and the refs fetched last time lack what git wants; run 'git airlock fetch' to wake it")
		}
	}
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

func newMarker() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "git-airlock-tunnel-" + hex.EncodeToString(b)
}

// afterMarker passes on what comes after the marker line and keeps what
// came before it (sbx's own output) for stderr.
type afterMarker struct {
	w      io.Writer
	marker []byte
	onSeen func() // optional: called once, when the marker arrives
	seen   bool
	before bytes.Buffer
}

func (m *afterMarker) Write(p []byte) (int, error) {
	if m.seen {
		return m.w.Write(p)
	}
	m.before.Write(p)
	buf := m.before.Bytes()
	i := bytes.Index(buf, m.marker)
	if i < 0 {
		if m.before.Len() > 1<<20 {
			return 0, errors.New("no protocol start from the sandbox within 1 MiB of output")
		}
		return len(p), nil
	}
	m.seen = true
	if m.onSeen != nil {
		m.onSeen()
	}
	rest := append([]byte(nil), buf[i+len(m.marker):]...)
	m.before.Truncate(i)
	if len(rest) > 0 {
		if _, err := m.w.Write(rest); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
