package gitx

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestTreeSubsetFollowsTheTree: the kept subset answers for each commit as
// a full listing would, after moves, deletions and a mode change, and a
// second ask for the same commit starts no git at all.
func TestTreeSubsetFollowsTheTree(t *testing.T) {
	r, trace, sh := tracedRepo(t)
	ctx := context.Background()
	links := func(e TreeEntry) bool { return e.Mode == ModeSymlink || strings.HasSuffix(e.Path, ".envrc") }
	want := func(commit string) []string {
		all, err := r.TreeEntries(ctx, commit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range all {
			if links(e) {
				out = append(out, e.Path+" "+e.Hash)
			}
		}
		slices.Sort(out)
		return out
	}
	got := func(commit string) []string {
		es, err := r.TreeSubset(ctx, commit, "test", links)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Path+" "+e.Hash)
		}
		slices.Sort(out)
		return out
	}
	sh("mkdir -p a b && ln -s ../x a/l && ln -s y b/l && echo e > a/.envrc && echo f > f && git add -A && git commit -qm one")
	one := sh("git rev-parse HEAD")
	sh("git mv a c && rm b/l && echo b > b/l && ln -s z n && echo g > c/.envrc && git add -A && git commit -qm two")
	two := sh("git rev-parse HEAD")
	for _, c := range []string{one, two, one, two} {
		if g, w := got(c), want(c); !slices.Equal(g, w) {
			t.Fatalf("%s: subset %v, full listing %v", c, g, w)
		}
	}
	trace.Reset()
	got(two)
	if trace.Len() != 0 {
		t.Fatalf("asked again, it ran %s", trace)
	}
}
