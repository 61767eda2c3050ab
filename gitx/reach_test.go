package gitx

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Reachability of many commits is one git process per question, whatever
// the number of commits and tips.
func TestReach(t *testing.T) {
	ctx := context.Background()
	r, trace, sh := tracedRepo(t)
	base := sh("git rev-parse HEAD")
	sh("git commit -q --allow-empty -m a && git branch keep")
	a := sh("git rev-parse HEAD")
	sh("git commit -q --allow-empty -m b && git update-ref --create-reflog refs/old HEAD && git reset -q --hard keep")
	b := sh("git rev-parse refs/old")
	blob := sh("echo data | git hash-object -w --stdin")
	missing := strings.Repeat("1", 40)

	trace.Reset()
	present, err := r.Commits(ctx, []string{base, a, b, blob, missing, "HEAD"})
	if err != nil || !present[base] || !present[a] || !present[b] || present[blob] || present[missing] || len(present) != 3 {
		t.Errorf("Commits = %v, %v", present, err)
	}
	un, err := r.Unreached(ctx, []string{base, a, b}, []string{a})
	if err != nil || len(un) != 1 || !un[b] {
		t.Errorf("Unreached = %v, %v; want only %s", un, err, b)
	}
	ind, err := r.Independent(ctx, []string{base, a, b})
	if err != nil || len(ind) != 1 || ind[0] != b {
		t.Errorf("Independent = %v, %v; want [%s]", ind, err, b)
	}
	if n := strings.Count(trace.String(), "\n"); n != 3 {
		t.Errorf("%d git processes, want 3:\n%s", n, trace)
	}
	sh("git update-ref refs/nolog " + a)
	old, err := r.ReflogsCommits(ctx, []string{"refs/heads/keep", "refs/old", "refs/nolog"})
	if err != nil || !slices.Contains(old, a) || !slices.Contains(old, b) {
		t.Errorf("ReflogsCommits = %v, %v", old, err)
	}
}

// The survey fails closed: a ref at a missing object and a damaged index
// are "fail" lines, never an empty answer; a linked worktree's own refs
// and a repository nested in the clone are read.
func TestSurveyScript(t *testing.T) {
	ctx := context.Background()
	r, _, sh := tracedRepo(t)
	sh("git worktree add -q --detach ../wt2 && git -C ../wt2 commit -q --allow-empty -m kept && git -C ../wt2 update-ref refs/worktree/keep HEAD")
	sh("git init -q lib && git -C lib commit -q --allow-empty -m lib")
	survey := func() Survey {
		out, err := r.run.Output(ctx, xec.Cmd{Argv: SurveyArgv(r.Root)})
		if err != nil {
			t.Fatal(err)
		}
		return ParseSurvey(string(out))
	}
	sv := survey()
	if !sv.Complete || len(sv.Failed) != 0 {
		t.Fatalf("survey: complete %v, failed %q", sv.Complete, sv.Failed)
	}
	if !slices.ContainsFunc(sv.Refs, func(ref VMRef) bool { return strings.HasSuffix(ref.Name, "wt2: refs/worktree/keep") }) {
		t.Errorf("the linked worktree's own ref is missing: %+v", sv.Refs)
	}
	if len(sv.Nested) != 1 || !strings.HasSuffix(sv.Nested[0].Path, "/lib") || sv.Nested[0].Head == "" {
		t.Errorf("nested = %+v, want lib with its HEAD", sv.Nested)
	}

	sh("echo " + strings.Repeat("1", 40) + " > .git/refs/heads/dangling")
	if sv := survey(); len(sv.Failed) == 0 || !strings.Contains(sv.Failed[0], "git for-each-ref in ") || !strings.Contains(sv.Failed[0], "(exit 128): fatal: missing object") {
		t.Errorf("dangling ref: failed = %q", sv.Failed)
	}
	sh("rm .git/refs/heads/dangling && echo garbage > .git/index")
	if sv := survey(); !slices.ContainsFunc(sv.Failed, func(f string) bool { return strings.HasPrefix(f, "git status in ") }) {
		t.Errorf("damaged index: failed = %q", sv.Failed)
	}
}
