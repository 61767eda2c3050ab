package gitx

import (
	"context"
	"strings"
	"testing"
)

// TestCountTogetherAsRevList: over a history with criss-cross merges, a
// merge as the base, an unrelated root, a commit equal to the base, its
// ancestors and descendants, every commit's counts are those of git's own
// `rev-list --left-right --count <commit>...<base>`, from three processes.
func TestCountTogetherAsRevList(t *testing.T) {
	ctx := context.Background()
	r, trace, sh := tracedRepo(t)
	c := func(b string) { sh("git checkout -q " + b + " && git commit -q --allow-empty -m " + b) }
	sh("git branch x && git branch y")
	c("main")
	c("x")
	c("y")
	// criss-cross: x and y each merge the other's previous tip
	sh("git checkout -q x && git merge -q --no-ff --no-edit -m mx y~0 && git checkout -q y && git merge -q --no-ff --no-edit -m my x~1")
	c("x")
	c("y")
	sh("git checkout -q main && git merge -q --no-ff --no-edit -m mm x && git checkout -q --orphan lone && git commit -q --allow-empty -m lone")
	c("main")
	sh("git checkout -q -b old main~3 2>/dev/null || git checkout -q -b old main~2")
	c("old")
	var commits []string
	for _, ref := range []string{"main", "main~1", "main~2", "x", "x~1", "y", "y~1^2", "x~1^2", "lone", "old"} {
		commits = append(commits, sh("git rev-parse "+ref))
	}
	for _, base := range []string{"main", "y", "lone", "old"} {
		trace.Reset()
		got, err := r.countTogether(ctx, base, commits)
		if err != nil {
			t.Fatalf("base %s: %v", base, err)
		}
		if n := strings.Count(trace.String(), "exec:"); n != 3 {
			t.Errorf("base %s: %d git processes for %d commits, want 3", base, n, len(commits))
		}
		for _, commit := range commits {
			ahead, behind, err := r.AheadBehind(ctx, commit, base)
			if err != nil {
				t.Fatal(err)
			}
			if g := got[commit]; g != (Counts{ahead, behind}) {
				t.Errorf("base %s, %s: got %+v, git says +%d/-%d", base, commit[:7], g, ahead, behind)
			}
		}
	}
	if _, err := r.countTogether(ctx, "no-such", commits); err != errNoBase {
		t.Errorf("unresolved base: %v, want errNoBase", err)
	}
}
