package remote

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
)

// serveLast says why in one line, then answers as the sandbox would have
// the last time it was fetched. With nothing fetched before there is
// nothing to answer with: an empty repository would be a false success
// (`git clone airlock://typo` exiting 0), so that is an error, and git,
// which has no reply yet, exits without a word of its own.
func (h *Helper) serveLast(c *conn, r reason) error {
	adv, err := h.lastFetched(c.remote)
	if err != nil {
		return err
	}
	if len(adv) == 0 {
		if r.gone {
			return fmt.Errorf("sandbox %q does not exist (sbx says so) and nothing was fetched from it before", c.t.Sandbox)
		}
		err := fmt.Errorf("%s, and nothing was fetched from it before", r.why)
		if r.next != "" {
			err = hint.With(err, r.next)
		}
		return err
	}
	line := r.why + "; " + c.remote + " is as fetched last time"
	if r.next != "" {
		line += " (" + r.next + ")"
	}
	ui.Line(h.Err, "%s", line)
	if !c.replied {
		c.replied = true
		if _, err := io.WriteString(h.Out, "\n"); err != nil {
			return err
		}
	}
	if _, err := h.Out.Write(adv); err != nil {
		return err
	}
	return h.answerCached(c.in)
}

// lastFetched is a protocol-v0 advertisement of exactly the refs fetched
// last time: the branches under refs/remotes/<remote>/, HEAD from the
// sandbox HEAD ref with its symref, so that `ls-remote --symref` and
// followRemoteHEAD see what they saw last time; nil when nothing was
// fetched. It is one buffer, written in one call.
func (h *Helper) lastFetched(remote string) ([]byte, error) {
	if h.Repo == nil {
		return nil, nil
	}
	prefix := sandboxref.TrackingPrefix(remote)
	refs, err := h.Repo.Refs(prefix)
	if err != nil {
		return nil, err
	}
	head := refs[prefix+"HEAD"]
	if own, err := h.Repo.Refs(sandboxref.Head(remote)); err == nil && own[sandboxref.Head(remote)] != "" {
		head = own[sandboxref.Head(remote)]
	}
	symref := ""
	if t, ok := strings.CutPrefix(h.Repo.SymrefTarget(prefix+"HEAD"), prefix); ok {
		symref = "refs/heads/" + t
	}
	names := make([]string, 0, len(refs))
	for n := range refs {
		if n != prefix+"HEAD" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var lines []string
	if head != "" {
		lines = append(lines, head+" HEAD")
	}
	for _, n := range names {
		lines = append(lines, refs[n]+" refs/heads/"+strings.TrimPrefix(n, prefix))
	}
	if len(lines) == 0 {
		return nil, nil
	}
	caps := "shallow"
	if symref != "" && head != "" {
		caps += " symref=HEAD:" + symref
	}
	lines[0] += "\x00" + caps + " agent=git-airlock/cached"
	var b bytes.Buffer
	for _, line := range lines {
		b.Write(pktLine(line + "\n"))
	}
	b.WriteString("0000")
	return b.Bytes(), nil
}

// answerCached reads the client's request after the advertisement and
// answers as upload-pack does without multi_ack or side-band: the shallow
// update (none), an ACK for the first have or a NAK, then an empty pack.
// A client that wants only objects it already has (an up-to-date fetch
// asks for nothing; `--depth` asks anyway) gets an empty pack; a want it
// lacks needs the sandbox.
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
	return h.answerHaves(in)
}

// answerHaves reads the client's haves up to "done": an ACK for the first
// (everything the client has is here) or a NAK for none, then the empty
// pack.
func (h *Helper) answerHaves(in *bufio.Reader) error {
	haves := 0
	for {
		line, err := readPkt(in)
		if err != nil {
			return fmt.Errorf("read the client's haves: %w", err)
		}
		switch {
		case strings.HasPrefix(line, "have "):
			haves++
			if haves == 1 {
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
	_, err := w.Write(pktLine(s))
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
