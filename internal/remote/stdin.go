package remote

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
)

// stdinPump hands git's stdin to the tunnel through a pipe of the
// helper's own. The child reads a file, so os/exec starts no copy it would
// wait for after the child exits (git keeps its end open); and the helper
// sees every byte git sends: for the inactivity deadline, and for a push,
// to refuse one that names a tag before the sandbox reads that line.
//
// It starts only once the service has started: until then git has no
// reply and sends nothing, and a connection answered from the refs fetched
// last time reads git's stream itself.
type stdinPump struct {
	src   *bufio.Reader // git's stdin, as Serve buffered it
	touch func()
	// refuse, set for a push, is called with the first tag ref among git's
	// ref updates; neither that line nor anything after it is passed on,
	// so receive-pack never sees the end of the list and changes nothing.
	refuse func(ref string)

	r, w *os.File
	once sync.Once
}

// open makes the pipe; the child gets r.
func (p *stdinPump) open() (*os.File, error) {
	var err error
	p.r, p.w, err = os.Pipe()
	return p.r, err
}

// start passes git's stream on from now; called once the service started.
func (p *stdinPump) start() {
	p.once.Do(func() { go p.run() })
}

// close releases the helper's ends once the child has exited. A pump still
// waiting on git is left to the helper's exit.
func (p *stdinPump) close() {
	p.once.Do(func() { p.w.Close() }) // never started: nobody else closes w
	p.r.Close()
}

func (p *stdinPump) run() {
	defer p.w.Close()
	if p.refuse != nil {
		ref, err := passPushCommands(p.src, p.w, p.touch)
		if ref != "" {
			p.refuse(ref)
			return
		}
		if err != nil {
			return
		}
	}
	buf := make([]byte, 64<<10)
	for {
		n, err := p.src.Read(buf)
		if n > 0 {
			p.touch()
			if _, werr := p.w.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// passPushCommands passes git's ref updates for receive-pack on, pkt-line
// by pkt-line up to the flush that ends them (shallow lines and a push
// certificate's lines included), and stops before the first that names a
// tag, returning that ref. A stream that is not pkt-lines is passed on as
// it is, for receive-pack to refuse.
func passPushCommands(src *bufio.Reader, dst io.Writer, touch func()) (tag string, err error) {
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(src, hdr[:]); err != nil {
			return "", err
		}
		touch()
		n, perr := strconv.ParseUint(string(hdr[:]), 16, 16)
		if perr != nil || (n > 0 && n < 4) {
			_, err := dst.Write(hdr[:])
			return "", err
		}
		pkt := make([]byte, max(n, 4))
		copy(pkt, hdr[:])
		if _, err := io.ReadFull(src, pkt[4:]); err != nil {
			return "", err
		}
		if ref := pushedRef(pkt[4:]); strings.HasPrefix(ref, "refs/tags/") {
			return ref, nil
		}
		if _, err := dst.Write(pkt); err != nil {
			return "", err
		}
		if n == 0 {
			return "", nil // the flush: the list is over
		}
	}
}

// pushedRef is the ref of a ref-update line ("<old> <new> <ref>[\0caps]"),
// or "" for any other line.
func pushedRef(payload []byte) string {
	line, _, _ := strings.Cut(strings.TrimSuffix(string(payload), "\n"), "\x00")
	f := strings.Fields(line)
	if len(f) != 3 || len(f[0]) < 40 || len(f[1]) < 40 {
		return ""
	}
	return f[2]
}
