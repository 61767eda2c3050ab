package gitx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// TestCountCacheAsGit: counts kept from an earlier run are git's counts
// whatever happened since: the base moved, a sandbox branch moved, a
// replace ref rewrote history (kept counts are then not used), the file
// was damaged; a dry run writes nothing.
func TestCountCacheAsGit(t *testing.T) {
	ctx := context.Background()
	r, trace, sh := tracedRepo(t)
	sh("git checkout -q -b agent && git commit -q --allow-empty -m a1 && git commit -q --allow-empty -m a2" +
		" && git update-ref refs/remotes/airlock-a/main HEAD && git update-ref refs/remotes/airlock-a/old HEAD~1 && git checkout -q main")
	prefixes := []string{"refs/remotes/airlock-a/"}
	file := filepath.Join(r.CommonDir, "airlock", "counts")
	check := func(when string, wantCounted bool) {
		t.Helper()
		trace.Reset()
		got, err := r.CountRefs(ctx, "HEAD", prefixes, []string{"refs/heads/"})
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		for _, ref := range []string{"refs/remotes/airlock-a/main", "refs/remotes/airlock-a/old"} {
			var want Counts
			if _, err := fmt.Sscan(sh("git rev-list --left-right --count "+ref+"...HEAD"), &want.Ahead, &want.Behind); err != nil {
				t.Fatal(err)
			}
			if c := got[ref].Counts; c == nil || *c != want {
				t.Errorf("%s: %s counts %v, git says %v", when, ref, c, want)
			}
		}
		if counted := strings.Count(trace.String(), "exec:") > 1; counted != wantCounted {
			t.Errorf("%s: counted = %v, want %v:\n%s", when, counted, wantCounted, trace)
		}
	}

	check("first", true)
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("nothing kept: %v", err)
	}
	check("again", false)
	sh("git commit -q --allow-empty -m host")
	check("the base moved", true)
	check("the base moved, again", false)
	sh("git update-ref refs/remotes/airlock-a/main agent~2")
	check("a branch moved back", true)

	if err := os.WriteFile(file, []byte("garbage\n"+strings.Repeat("0", 40)+" x 1 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("a damaged file", true)
	check("a damaged file, rewritten", false)

	// A replace ref: agent~1 now has no parent; git counts through it.
	sh("git replace --graft agent~1")
	check("with a replace ref", true)
	check("with a replace ref, again", true)
	sh("git replace -d $(git rev-parse --verify agent~1)")

	// A dry run counts, and keeps nothing.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	r.run = &xec.Runner{Trace: trace, DryRun: &strings.Builder{}}
	check("dry run", true)
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a dry run kept counts: %v", err)
	}
}
