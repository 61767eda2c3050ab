package gitx

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// TestEarlyCountAnswersOnce: the count OpenWithConfig starts ahead answers
// the first CountRefs against HEAD that its patterns cover, as the count
// CountRefs runs itself would; it answers nothing else (another base, a
// prefix it did not read, a second time, or once the Repo wrote). Before
// git 2.41 the read ahead fails (no %(ahead-behind)) and that failure is
// the answer: the refs are read and counted the old way, for-each-ref is
// not tried again.
func TestEarlyCountAnswersOnce(t *testing.T) {
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

	open := func() (*Repo, *bytes.Buffer) {
		trace := &bytes.Buffer{}
		r, _, err := OpenWithConfig(ctx, &xec.Runner{Trace: trace}, plain.Root, `^airlock\.`, "refs/remotes/airlock-*/**", "refs/heads/")
		if err != nil {
			t.Fatal(err)
		}
		trace.Reset()
		return r, trace
	}
	counts := func(trace *bytes.Buffer) int { return strings.Count(trace.String(), " for-each-ref ") }

	r, trace := open()
	got, err := r.CountRefs(ctx, "HEAD", prefixes, []string{"refs/heads/"})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read ahead: %v, %v; want %v", got, err, want)
	}
	if n := counts(trace); n != 0 {
		t.Fatalf("answered from the read ahead, yet ran for-each-ref %d times", n)
	}
	if _, err := r.CountRefs(ctx, "HEAD", prefixes, nil); err != nil || counts(trace) != 1 {
		t.Fatalf("a second count was answered from the read ahead (%v)", err)
	}

	for name, ask := range map[string]func(r *Repo) error{
		"another base": func(r *Repo) error { _, err := r.CountRefs(ctx, "agent", prefixes, nil); return err },
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
		if counts(trace) != 1 {
			t.Errorf("%s: answered from the read ahead:\n%s", name, trace)
		}
	}
}

func TestEarlyCountCovers(t *testing.T) {
	e := &earlyCount{patterns: []string{"refs/remotes/airlock-*/**", "refs/heads/", "refs/notes/airlock"}}
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
