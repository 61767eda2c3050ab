package gitx

import (
	"context"
	"path"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// earlyCount is the `for-each-ref` that CountRefs(ctx, "HEAD", …) would
// run, started by OpenWithConfig beside the repository's discovery for a
// command that knows it will ask (ls counts every sandbox's branches):
// one round of processes less before the answer. It answers a CountRefs
// against HEAD whose prefixes its patterns cover, once, if the Repo wrote
// nothing in between.
type earlyCount struct {
	patterns []string
	done     chan struct{}
	out      string
	err      error
	mu       sync.Mutex
	used     bool
}

// countFormat is the line CountRefs reads: '*' for HEAD's branch, the
// commit, ahead and behind of base, the ref.
func countFormat(base string) string {
	return "--format=%(HEAD)%(objectname) %(ahead-behind:" + base + ") %(refname)"
}

func startEarlyCount(ctx context.Context, run *xec.Runner, dir string, patterns []string) *earlyCount {
	e := &earlyCount{patterns: patterns, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		argv := append([]string{"git", "-C", dir, "for-each-ref", countFormat("HEAD")}, patterns...)
		out, err := run.Output(ctx, xec.Cmd{Argv: argv})
		e.out, e.err = string(out), err
	}()
	return e
}

// take returns the early answer for a count of prefixes against base, or
// ok false when it does not answer that question (another base, a prefix
// outside its patterns, already taken or dropped). err is git's: a git
// before 2.41 refuses %(ahead-behind).
func (e *earlyCount) take(base string, prefixes []string) (out string, err error, ok bool) {
	if e == nil || base != "HEAD" {
		return "", nil, false
	}
	for _, p := range prefixes {
		if !e.covers(p) {
			return "", nil, false
		}
	}
	e.mu.Lock()
	taken := e.used
	e.used = true
	e.mu.Unlock()
	if taken {
		return "", nil, false
	}
	<-e.done
	return e.out, e.err, true
}

// drop makes the early answer unusable: the repository changed.
func (e *earlyCount) drop() {
	if e != nil {
		e.mu.Lock()
		e.used = true
		e.mu.Unlock()
	}
}

// covers reports whether every ref under prefix (a ref name, or a prefix
// ending in "/") matches one of the patterns, read as for-each-ref reads
// them: a prefix by whole path components, or a glob whose '*' stops at
// '/', and a final "/**" that matches everything below.
func (e *earlyCount) covers(prefix string) bool {
	for _, p := range e.patterns {
		switch {
		case strings.HasSuffix(p, "/**"):
			dir := strings.TrimSuffix(prefix, "/")
			if ok, _ := path.Match(strings.TrimSuffix(p, "/**"), dir); ok && strings.HasSuffix(prefix, "/") {
				return true
			}
		case !strings.ContainsAny(p, "*?[\\"):
			if prefix == p || strings.HasSuffix(p, "/") && strings.HasPrefix(prefix, p) {
				return true
			}
		}
	}
	return false
}
