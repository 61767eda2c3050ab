package gitx

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// TestEarlyRefsAnswerOnce: the listing OpenWithConfig starts ahead answers
// the first CountRefs whose prefixes its patterns cover, as the listing
// CountRefs runs itself would; it answers nothing else (a prefix it did
// not read, a second time, or once the Repo wrote).
func TestEarlyRefsAnswerOnce(t *testing.T) {
	ctx := context.Background()
	plain, _, sh := tracedRepo(t)
	sh("git checkout -q -b agent && git commit -q --allow-empty -m a1" +
		" && git update-ref refs/remotes/airlock-a/main HEAD && git update-ref refs/remotes/airlock-a/deep/er HEAD~1" +
		" && git update-ref refs/remotes/other/main HEAD && git checkout -q main")
	prefixes := []string{"refs/remotes/airlock-a/"}
	want, err := plain.CountRefs(ctx, "HEAD", prefixes, []string{"refs/heads/"})
	if err != nil {
		t.Fatal(err)
	}

	open := func() (*Repo, *syncBuffer) {
		trace := &syncBuffer{}
		r, _, err := OpenWithConfig(ctx, &xec.Runner{Trace: trace}, plain.Root, `^airlock\.`, Also{Refs: []string{"refs/remotes/airlock-*/**", "refs/heads/"}})
		if err != nil {
			t.Fatal(err)
		}
		return r, trace
	}
	// The listings CountRefs ran itself (the early one may trace its
	// start at any time).
	listings := func(trace *syncBuffer) int {
		n := 0
		for line := range strings.Lines(trace.String()) {
			if strings.Contains(line, listFormat) && !strings.Contains(line, "airlock-*") {
				n++
			}
		}
		return n
	}

	r, trace := open()
	got, err := r.CountRefs(ctx, "HEAD", prefixes, []string{"refs/heads/"})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read ahead: %v, %v; want %v", got, err, want)
	}
	if n := listings(trace); n != 0 {
		t.Fatalf("answered from the read ahead, yet listed refs %d times", n)
	}
	if _, err := r.CountRefs(ctx, "agent", prefixes, nil); err != nil || listings(trace) != 1 {
		t.Fatalf("a second count was answered from the read ahead (%v)", err)
	}

	for name, ask := range map[string]func(r *Repo) error{
		"a prefix not read": func(r *Repo) error {
			_, err := r.CountRefs(ctx, "HEAD", []string{"refs/remotes/other/"}, nil)
			return err
		},
		"a deeper prefix": func(r *Repo) error {
			_, err := r.CountRefs(ctx, "HEAD", []string{"refs/remotes/airlock-a/deep/"}, nil)
			return err
		},
		"after a write": func(r *Repo) error {
			if err := r.ConfigSet(ctx, "airlock.x", "y"); err != nil {
				return err
			}
			_, err := r.CountRefs(ctx, "HEAD", prefixes, nil)
			return err
		},
	} {
		r, trace := open()
		if err := ask(r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if listings(trace) != 1 {
			t.Errorf("%s: answered from the read ahead:\n%s", name, trace)
		}
	}
}

// syncBuffer is a trace written by several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

func TestEarlyRefsCover(t *testing.T) {
	e := &earlyRefs{patterns: []string{"refs/remotes/airlock-*/**", "refs/heads/", "refs/notes/airlock"}}
	for prefix, want := range map[string]bool{
		"refs/remotes/airlock-box/":     true,
		"refs/remotes/airlock-a-b/":     true,
		"refs/remotes/airlock-box/sub/": false, // '*' stops at '/'
		"refs/remotes/airlock-box":      false, // one ref, not the remote's
		"refs/remotes/origin/":          false,
		"refs/remotes/":                 false,
		"refs/heads/":                   true,
		"refs/heads/main":               true,
		"refs/notes/airlock":            true,
		"refs/notes/airlock-x":          false,
		"refs/notes/":                   false,
	} {
		if got := e.covers(prefix); got != want {
			t.Errorf("covers(%q) = %v, want %v", prefix, got, want)
		}
	}
}

func TestSeemsWorkTree(t *testing.T) {
	_, _, sh := tracedRepo(t)
	root := sh("pwd")
	sh("mkdir -p sub/deeper && git init -q --bare ../bare.git && git worktree add -q ../linked")
	noEnv := func(string) (string, bool) { return "", false }
	for dir, want := range map[string]bool{
		root:                                  true,
		filepath.Join(root, "sub", "deeper"):  true,
		filepath.Join(root, "..", "linked"):   true, // a .git file
		filepath.Join(root, ".git"):           false,
		filepath.Join(root, ".git", "refs"):   false,
		filepath.Join(root, "..", "bare.git"): false,
		t.TempDir():                           false,
	} {
		if got := SeemsWorkTree(dir, noEnv); got != want {
			t.Errorf("SeemsWorkTree(%q) = %v, want %v", dir, got, want)
		}
	}
	gitDir := func(k string) (string, bool) { return "/elsewhere", k == "GIT_DIR" }
	if SeemsWorkTree(root, gitDir) {
		t.Error("with GIT_DIR set, git decides: no guess")
	}
}
