package remote

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits bound the ref advertisement a sandbox may send: an agent that
// makes a million refs, or a VM-side upload-pack that never stops
// advertising, must not drive the host's git out of memory. Zero is no
// limit.
type Limits struct {
	Refs  int   // airlock.maxRefs
	Bytes int64 // airlock.maxRefBytes
}

// DefaultLimits are generous for real repositories (a clone with tens of
// thousands of tags advertises every one of them in protocol v0) and keep
// the host's git within a few hundred MiB.
var DefaultLimits = Limits{Refs: 200_000, Bytes: 64 << 20}

// LimitError is an advertisement that went past a limit; the tunnel was
// closed before git read more of it.
type LimitError struct {
	Sandbox string
	Setting string // airlock.maxRefs or airlock.maxRefBytes
	Limit   int64
	Refs    bool // the limit counts refs, not bytes
}

func (e *LimitError) Error() string {
	what := fmt.Sprintf("%d refs", e.Limit)
	if !e.Refs {
		what = fmt.Sprintf("%d bytes of refs", e.Limit)
	}
	return fmt.Sprintf("sandbox %q advertised more than %s (%s); the fetch was stopped and nothing was changed", e.Sandbox, what, e.Setting)
}

// SkippedRef is a sandbox branch left out of a fetch: its name collides
// with one of git's own. It stays in the sandbox.
type SkippedRef struct {
	Name   string // the full ref name, as the sandbox advertised it
	Reason string
}

// advertGuard passes the service's output on, reading the ref
// advertisement as it goes (protocol v0's, or v2's first ls-refs
// response) and nothing after it, so pack data is never scanned:
//
//   - it counts refs and bytes against the limits, and on going past one
//     stops writing and calls over (which closes the tunnel);
//   - it leaves out every tag and its peeled line, for a fetch and a push
//     alike: tags never cross, so `git fetch --tags`, `pull --tags` and a
//     mirror refspec bring none, and a tag named like a branch never
//     shadows it (a ref-prefix of refs/tags/ gets an empty answer);
//   - for a fetch (filter), it leaves out each branch whose name collides
//     with git's own (skip says why), moving protocol v0's capabilities to
//     the next line it keeps, and reports them in one call of report
//     before the advertisement's end reaches git;
//   - it notes whether HEAD was advertised and the branch it points at
//     (none when detached or when that branch is left out).
//
// What it passes on is gathered and written once per write it gets (sbx's
// output arrives in chunks of up to 32 KiB), not once per ref: an
// advertisement of 100,000 refs is a few hundred writes, not 100,000.
type advertGuard struct {
	w      io.Writer
	limits Limits
	filter bool
	skip   func(name, oid string) string
	report func([]SkippedRef)
	over   func(error) // called once, with the *LimitError or the malformed advertisement

	sandbox string
	buf     []byte // the advertisement not read yet
	rest    []byte // buf's own storage, for a line that spans writes
	out     []byte // gathered for one write
	done    bool
	v2      bool   // "version 2" seen
	caps    bool   // v2: the capability advertisement is over
	pending string // v0: capabilities of a line left out, for the next line kept
	refs    int
	bytes   int64
	err     error
	head    bool
	symref  string
	skipped []SkippedRef
	dropped map[string]bool
}

func (a *advertGuard) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	if a.done {
		return a.w.Write(p)
	}
	// Lines are read from p itself; only an unfinished one is kept, in a
	// buffer of the guard's own (p is the caller's after Write returns).
	if len(a.buf) == 0 {
		a.buf = p
	} else {
		a.buf = append(a.buf, p...)
	}
	if err := a.parse(); err != nil {
		return 0, err
	}
	if a.done && len(a.buf) > 0 {
		a.out = append(a.out, a.buf...)
		a.buf = nil
	}
	a.buf = append(a.rest[:0], a.buf...)
	a.rest = a.buf
	if len(a.out) > 0 {
		out := a.out
		a.out = a.out[:0]
		if _, err := a.w.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (a *advertGuard) parse() error {
	for !a.done && len(a.buf) >= 4 {
		n, err := strconv.ParseUint(string(a.buf[:4]), 16, 16)
		if err != nil || n == 3 || n > 65520 {
			if a.refs == 0 && !a.v2 {
				// Not an advertisement git would read either: pass it on
				// and let git say what it is.
				a.done = true
				return nil
			}
			return a.fail(fmt.Errorf("sandbox %q sent a malformed ref advertisement; the fetch was stopped", a.sandbox))
		}
		if n < 4 { // flush, delimiter or response end
			pkt := a.buf[:4]
			a.buf = a.buf[4:]
			if err := a.special(pkt); err != nil {
				return err
			}
			continue
		}
		if int(n) > len(a.buf) {
			break
		}
		pkt := a.buf[:n]
		a.buf = a.buf[n:]
		if err := a.line(pkt, strings.TrimSuffix(string(pkt[4:]), "\n")); err != nil {
			return err
		}
	}
	if !a.done && a.limits.Bytes > 0 && a.bytes+int64(len(a.buf)) > a.limits.Bytes {
		return a.exceeded(false)
	}
	return nil
}

func (a *advertGuard) fail(err error) error {
	a.err, a.buf, a.out = err, nil, nil
	if a.over != nil {
		a.over(err)
	}
	return err
}

func (a *advertGuard) exceeded(refs bool) error {
	le := &LimitError{Sandbox: a.sandbox, Setting: "airlock.maxRefBytes", Limit: a.limits.Bytes}
	if refs {
		le.Setting, le.Limit, le.Refs = "airlock.maxRefs", int64(a.limits.Refs), true
	}
	return a.fail(le)
}

// emit passes b on with the rest of this write.
func (a *advertGuard) emit(b []byte) error {
	a.out = append(a.out, b...)
	return nil
}

func (a *advertGuard) special(pkt []byte) error {
	if a.v2 && !a.caps {
		a.caps = true
		return a.emit(pkt)
	}
	// The end of the v0 advertisement or of the ls-refs response.
	a.done = true
	if a.report != nil && len(a.skipped) > 0 {
		a.report(a.skipped)
	}
	if a.pending != "" {
		// Every line carrying the capabilities was left out: git reads
		// them from a line naming no ref, as from an empty repository.
		line := pktLine(strings.Repeat("0", 40) + " capabilities^{}\x00" + a.pending + "\n")
		a.pending = ""
		if err := a.emit(line); err != nil {
			return err
		}
	}
	return a.emit(pkt)
}

func (a *advertGuard) line(pkt []byte, line string) error {
	a.bytes += int64(len(pkt))
	if a.limits.Bytes > 0 && a.bytes > a.limits.Bytes {
		return a.exceeded(false)
	}
	switch {
	case !a.v2 && a.refs == 0 && line == "version 2":
		a.v2 = true
		return a.emit(pkt)
	case !a.v2 && a.refs == 0 && line == "version 1":
		return a.emit(pkt)
	case a.v2 && !a.caps:
		return a.emit(pkt) // a v2 capability line
	case strings.HasPrefix(line, "ERR "):
		a.done = true
		return a.emit(pkt)
	}
	ref, caps, hasCaps := strings.Cut(line, "\x00")
	oid, rest, _ := strings.Cut(ref, " ")
	if a.v2 && (oid == "" || (oid != "unborn" && !isHex(oid))) {
		a.done = true // not ls-refs: a fetch response
		return a.emit(pkt)
	}
	a.refs++
	if a.limits.Refs > 0 && a.refs > a.limits.Refs {
		return a.exceeded(true)
	}
	name, _, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	if name == "" {
		return a.emit(pkt)
	}
	capsChanged := false
	if !a.v2 && hasCaps && a.refs == 1 {
		caps, capsChanged = a.readV0Caps(name, caps)
	}
	if a.leaveOut(name, oid) {
		if hasCaps && a.refs == 1 {
			a.pending = caps
		}
		return nil
	}
	if a.v2 && name == "HEAD" {
		return a.emit(a.v2Head(pkt, oid, strings.Fields(rest)))
	}
	switch {
	case a.pending != "":
		ref += "\x00" + a.pending
		a.pending = ""
	case capsChanged:
		ref += "\x00" + caps
	default:
		return a.emit(pkt)
	}
	return a.emit(pktLine(ref + "\n"))
}

// leaveOut decides a ref of the advertisement: a tag (with its peeled
// line, "<name>^{}") always, a branch named like git's own refs for a
// fetch; a peeled line follows its ref.
func (a *advertGuard) leaveOut(name, oid string) bool {
	if strings.HasPrefix(name, "refs/tags/") {
		return true
	}
	if base, ok := strings.CutSuffix(name, "^{}"); ok {
		return a.dropped[base]
	}
	if !a.filter || a.skip == nil {
		return false
	}
	why := a.skip(name, oid)
	if why == "" {
		return false
	}
	if a.dropped == nil {
		a.dropped = map[string]bool{}
	}
	a.dropped[name] = true
	a.skipped = append(a.skipped, SkippedRef{Name: name, Reason: why})
	return true
}

// readV0Caps notes HEAD and its symref from protocol v0's first line, and
// drops a symref to a branch that will be left out: git would point
// <remote>/HEAD at a ref it does not get. changed reports a dropped one.
func (a *advertGuard) readV0Caps(name, caps string) (string, bool) {
	if name != "HEAD" {
		return caps, false
	}
	kept, changed := a.headSymref(strings.Fields(caps), "symref=HEAD:")
	if !changed {
		return caps, false
	}
	return strings.Join(kept, " "), true
}

// v2Head notes HEAD from an ls-refs line and drops a symref-target that
// names a branch that will be left out.
func (a *advertGuard) v2Head(pkt []byte, oid string, fields []string) []byte {
	kept, changed := a.headSymref(fields[1:], "symref-target:")
	if !changed {
		return pkt
	}
	return pktLine(strings.Join(append([]string{oid, fields[0]}, kept...), " ") + "\n")
}

// headSymref reads HEAD's attributes (v0 capabilities, v2 ls-refs
// attributes): it notes the branch that the one with prefix names, and
// leaves that one out when the branch itself will be.
func (a *advertGuard) headSymref(attrs []string, prefix string) (kept []string, changed bool) {
	a.head = true
	for _, attr := range attrs {
		if t, ok := strings.CutPrefix(attr, prefix); ok && strings.HasPrefix(t, "refs/heads/") {
			if a.filter && a.skip != nil && a.skip(t, "") != "" {
				changed = true
				continue
			}
			a.symref = t
		}
		kept = append(kept, attr)
	}
	return kept, changed
}

// headTarget is the branch HEAD points at, or "" when detached or when
// that branch was left out of the fetch.
func (a *advertGuard) headTarget() string {
	if a.dropped[a.symref] {
		return ""
	}
	return a.symref
}

func pktLine(s string) []byte { return fmt.Appendf(nil, "%04x%s", len(s)+4, s) }

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
