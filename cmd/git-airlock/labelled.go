package main

import (
	"bytes"
	"io"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// labelled writes whole lines, each behind a label ("box-claude| "), for
// output of several sandboxes at once; one lock keeps lines of different
// writers whole.
type labelled struct {
	mu    *sync.Mutex
	w     io.Writer
	label string
	buf   []byte
}

func (l *labelled) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := append([]byte(l.label), l.buf[:i+1]...)
		l.buf = l.buf[i+1:]
		if _, err := l.w.Write(line); err != nil {
			return len(p), err
		}
	}
}

// flush writes a last line that had no newline.
func (l *labelled) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.w.Write(append(append([]byte(l.label), l.buf...), '\n')) //nolint:errcheck // best effort at the end
		l.buf = nil
	}
}

// labeller hands out labelled streams per sandbox and flushes them all.
type labeller struct {
	mu      sync.Mutex
	out     io.Writer
	err     io.Writer
	writers []*labelled
}

func (l *labeller) streams(name string) xec.Streams {
	label := name + "| "
	o := &labelled{mu: &l.mu, w: l.out, label: label}
	e := &labelled{mu: &l.mu, w: l.err, label: label}
	l.writers = append(l.writers, o, e)
	return xec.Streams{Out: o, Err: e}
}

func (l *labeller) flush() {
	for _, w := range l.writers {
		w.flush()
	}
}
