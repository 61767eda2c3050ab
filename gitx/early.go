package gitx

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// earlyRefs is the `for-each-ref` listing that CountRefs would run,
// started by OpenWithConfig beside the repository's discovery for a
// command that knows it will ask (ls counts every sandbox's branches):
// one round of processes less before the answer. It answers a CountRefs
// whose prefixes its patterns cover, once, if the Repo wrote nothing in
// between.
type earlyRefs struct {
	patterns []string
	done     chan struct{}
	out      string
	err      error
	used     atomic.Bool
}

func startEarlyRefs(ctx context.Context, run *xec.Runner, dir string, patterns []string) *earlyRefs {
	e := &earlyRefs{patterns: patterns, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		out, err := run.Output(ctx, parsed(xec.Cmd{Argv: append([]string{"git", "-C", dir}, listArgs(patterns)...)}))
		e.out, e.err = string(out), err
	}()
	return e
}

// take returns the early listing for a count of prefixes, or ok false
// when it does not answer that question (a prefix outside its patterns,
// already taken or dropped).
func (e *earlyRefs) take(prefixes []string) (out string, err error, ok bool) {
	if e == nil {
		return "", nil, false
	}
	for _, p := range prefixes {
		if !e.covers(p) {
			return "", nil, false
		}
	}
	if !e.used.CompareAndSwap(false, true) {
		return "", nil, false
	}
	<-e.done
	return e.out, e.err, true
}

// drop makes the early answer unusable: the repository changed.
func (e *earlyRefs) drop() {
	if e != nil {
		e.used.Store(true)
	}
}

// covers reports whether every ref under prefix (a ref name, or a prefix
// ending in "/") matches one of the patterns, read as for-each-ref reads
// them: a prefix by whole path components, or a glob whose '*' stops at
// '/', and a final "/**" that matches everything below.
func (e *earlyRefs) covers(prefix string) bool {
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

// SeemsWorkTree guesses, without a process, whether dir is inside a work
// tree: neither GIT_DIR nor GIT_WORK_TREE set, no ".git" among dir's own
// path components (inside a .git directory there is no work tree), and a
// ".git" entry in dir or above it. It decides only what may start before
// Open answers (ls starts sbx's list); Open's answer is the fact.
func SeemsWorkTree(dir string, env func(string) (string, bool)) bool {
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE"} {
		if _, set := env(k); set {
			return false
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil || slices.Contains(strings.Split(filepath.ToSlash(abs), "/"), ".git") {
		return false
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}
