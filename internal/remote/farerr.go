package remote

import (
	"bytes"
	"io"
	"strconv"
	"strings"
)

// The git service's own error text. Its stderr never shares a stream that
// sbx may merge into stdout: inside the VM it goes to a file, and only
// after the service failed does the script print an end marker and the
// file's last lines on stdout, where farError cuts them off the protocol
// stream. So "no commits selected for shallow requests" reaches the user,
// quoted as sandbox text, and never reaches git as protocol.

// farErrorMax bounds what is kept of the service's error text.
const farErrorMax = 4 << 10

// farError passes the service's stdout on up to the end marker and keeps
// what follows it. A write ending in what could be the start of the marker
// holds those bytes back until the next write or flush; the marker starts
// with a DEL byte, which ends no pkt-line a server waits after (those end
// in a newline or "0000"), so nothing git needs to answer is ever held.
type farError struct {
	w      io.Writer
	marker []byte // "\x7f" + marker + "\n"
	held   []byte
	found  bool
	text   bytes.Buffer
}

func newFarError(w io.Writer, marker string) *farError {
	return &farError{w: w, marker: []byte("\x7f" + marker + "\n")}
}

func (f *farError) Write(p []byte) (int, error) {
	if f.found {
		f.keep(p)
		return len(p), nil
	}
	data := p
	if len(f.held) > 0 {
		data = append(f.held, p...)
		f.held = nil
	}
	if i := bytes.Index(data, f.marker); i >= 0 {
		f.found = true
		f.keep(data[i+len(f.marker):])
		if _, err := f.w.Write(data[:i]); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	k := partialSuffix(data, f.marker)
	if k > 0 {
		f.held = append([]byte(nil), data[len(data)-k:]...)
	}
	if len(data) > k {
		if _, err := f.w.Write(data[:len(data)-k]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// flush passes on bytes held back, once the service's stdout has ended.
func (f *farError) flush() error {
	if f.found || len(f.held) == 0 {
		return nil
	}
	_, err := f.w.Write(f.held)
	f.held = nil
	return err
}

func (f *farError) keep(p []byte) {
	if room := farErrorMax - f.text.Len(); room > 0 {
		f.text.Write(p[:min(len(p), room)])
	}
}

// Text is the service's error text, each line quoted (it is the sandbox's:
// the agent controls the VM), or "" when it failed without a word.
func (f *farError) Text() string {
	var quoted []string
	for _, line := range strings.Split(f.text.String(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			quoted = append(quoted, strconv.Quote(line))
		}
	}
	return strings.Join(quoted, "; ")
}

// partialSuffix is the length of the longest end of data that is a proper
// start of marker. marker's first byte (DEL) occurs nowhere else in it, so
// the one candidate starts at the last such byte.
func partialSuffix(data, marker []byte) int {
	tail := data[max(0, len(data)-(len(marker)-1)):]
	j := bytes.LastIndexByte(tail, marker[0])
	if j < 0 || !bytes.HasPrefix(marker, tail[j:]) {
		return 0
	}
	return len(tail) - j
}
