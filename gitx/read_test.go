package gitx

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// tracedRepo is a repository with one commit on main, made with real git,
// and a Repo on it whose runner counts the git processes it starts.
func tracedRepo(t *testing.T) (*Repo, *syncBuffer, func(string) string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	run := &xec.Runner{}
	sh := func(script string) string {
		t.Helper()
		out, err := run.Output(ctx, xec.Cmd{Argv: []string{"sh", "-c", "cd " + dir + " && " + script}, Env: []string{
			"GIT_CONFIG_NOSYSTEM=1", "HOME=" + dir,
			"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@example.com"}})
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		return strings.TrimSpace(string(out))
	}
	sh("git init -q && git symbolic-ref HEAD refs/heads/main && git commit -q --allow-empty -m init")
	trace := &syncBuffer{}
	traced := &xec.Runner{Trace: trace}
	return &Repo{Root: dir, GitDir: dir + "/.git", CommonDir: dir + "/.git", run: traced}, trace, sh
}

func TestConfigKeptUntilWrite(t *testing.T) {
	ctx := context.Background()
	r, trace, sh := tracedRepo(t)
	sh("git config remote.airlock-box.fetch +HEAD:refs/airlock/head/airlock-box")
	if _, err := r.ConfigEntries(ctx, `^(airlock|remote)\.`); err != nil {
		t.Fatal(err)
	}
	trace.Reset()
	st, err := r.SandboxRemote(ctx, "airlock-box")
	if err != nil || !st.Sandbox {
		t.Fatalf("SandboxRemote = %+v, %v", st, err)
	}
	if trace.Len() != 0 {
		t.Fatalf("answered from the kept config, yet ran: %s", trace)
	}
	// A write through the Repo forgets what it read.
	if err := r.ConfigSet(ctx, "remote.airlock-box.followRemoteHEAD", "never"); err != nil {
		t.Fatal(err)
	}
	trace.Reset()
	if st, err = r.SandboxRemote(ctx, "airlock-box"); err != nil || st.FollowRemoteHEAD != "never" {
		t.Fatalf("after a write: %+v, %v", st, err)
	}
	if !strings.Contains(trace.String(), "config") {
		t.Fatalf("after a write, config was not read again: %q", trace)
	}
	// A read whose pattern does not cover the remote's keys answers nothing.
	if _, err := r.ConfigEntries(ctx, `^airlock\.`); err != nil {
		t.Fatal(err)
	}
	trace.Reset()
	if _, err := r.SandboxRemote(ctx, "airlock-box"); err != nil || trace.Len() == 0 {
		t.Fatalf("a read of other keys answered for the remote (%v)", err)
	}
}

func TestRefsReadOnceUntilWrite(t *testing.T) {
	ctx := context.Background()
	r, _, sh := tracedRepo(t)
	head := sh("git rev-parse HEAD")
	sh("git update-ref refs/remotes/airlock-box/main HEAD && git symbolic-ref refs/remotes/airlock-box/HEAD refs/remotes/airlock-box/main && git pack-refs --all && git update-ref refs/remotes/airlock-two/x HEAD")
	refs, err := r.Refs("refs/remotes/airlock-box/")
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs["refs/remotes/airlock-box/HEAD"] != head || refs["refs/remotes/airlock-box/main"] != head {
		t.Fatalf("refs = %v", refs)
	}
	// Another process's write is not seen until this Repo writes.
	sh("git update-ref refs/remotes/airlock-box/new HEAD")
	if refs, _ = r.Refs("refs/remotes/airlock-box/"); len(refs) != 2 {
		t.Fatalf("refs read again: %v", refs)
	}
	if err := r.UpdateRefs(ctx, []RefUpdate{{Name: "refs/remotes/airlock-two/x"}}); err != nil {
		t.Fatal(err)
	}
	if refs, _ = r.Refs("refs/remotes/"); len(refs) != 3 || refs["refs/remotes/airlock-box/new"] != head {
		t.Fatalf("after a write: %v", refs)
	}
}

func TestCountRefs(t *testing.T) {
	ctx := context.Background()
	r, trace, sh := tracedRepo(t)
	sh("git update-ref refs/remotes/airlock-a/main HEAD && git symbolic-ref refs/remotes/airlock-a/HEAD refs/remotes/airlock-a/main" +
		" && git commit -q --allow-empty -m host" +
		" && git checkout -q -b agent HEAD~1 && git commit -q --allow-empty -m a1 && git commit -q --allow-empty -m a2" +
		" && git update-ref refs/remotes/airlock-b/HEAD HEAD && git update-ref refs/remotes/airlock-b/x HEAD~2" +
		" && git update-ref refs/remotes/airlock-bb/y HEAD && git checkout -q main")
	prefixes := []string{"refs/remotes/airlock-a/", "refs/remotes/airlock-b/", "refs/remotes/airlock-gone/"}
	got, err := r.CountRefs(ctx, "main", prefixes, []string{"refs/heads/"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Counts{
		"refs/remotes/airlock-a/HEAD": {0, 1}, "refs/remotes/airlock-a/main": {0, 1},
		"refs/remotes/airlock-b/HEAD": {2, 1}, "refs/remotes/airlock-b/x": {0, 1},
	}
	if len(got) != len(want)+2 || got["refs/heads/main"].Commit == "" || got["refs/heads/agent"].Counts != nil ||
		!got["refs/heads/main"].Current || got["refs/heads/agent"].Current {
		t.Fatalf("got %v, want %v and the two host branches, uncounted", got, want)
	}
	for name, c := range want {
		if g := got[name]; g.Counts == nil || *g.Counts != c || len(g.Commit) != 40 {
			t.Errorf("%s: got %+v, want %v", name, g, c)
		}
	}
	if gitAtLeast(ctx, &xec.Runner{}, 2, 41) {
		if n := strings.Count(trace.String(), "exec:"); n != 3 {
			t.Errorf("git with %%(ahead-behind) ran %d processes, want 3 (the list, cat-file for the base, the counts):\n%s", n, trace)
		}
	}
	// Counted before: the list only, the same answer.
	trace.Reset()
	again, err := r.CountRefs(ctx, "main", prefixes, []string{"refs/heads/"})
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Fatalf("again: %v, %v; want %v", again, err, got)
	}
	if n := strings.Count(trace.String(), "exec:"); n != 1 {
		t.Errorf("counted again: %d processes, want 1 (the list):\n%s", n, trace)
	}
	// Without a base, or with one that does not resolve: the refs, no counts.
	for _, base := range []string{"", "no-such-branch"} {
		got, err := r.CountRefs(ctx, base, prefixes[1:2], nil)
		if err != nil || len(got) != 2 || got["refs/remotes/airlock-b/x"].Commit == "" || got["refs/remotes/airlock-b/x"].Counts != nil {
			t.Fatalf("base %q: %v, %v", base, got, err)
		}
	}
}

// TestCountTogetherAsRevList: over a history with criss-cross merges, a
// merge as the base, an unrelated root, a commit equal to the base, its
// ancestors and descendants, every commit's counts are those of git's own
// `rev-list --left-right --count <commit>...<base>`, from at most four processes.
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
		if n := strings.Count(trace.String(), "exec:"); n > 4 {
			t.Errorf("base %s: %d git processes for %d commits, want at most 4", base, n, len(commits))
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

func TestSituations(t *testing.T) {
	r, trace, _ := tracedRepo(t)
	if got := r.Situation("instructions"); got != "" {
		t.Errorf("a new repository recalls %q", got)
	}
	for _, kv := range [][2]string{{"instructions", "missing"}, {"reviewTool", "unset"}, {"instructions", "present"}} {
		if err := r.RecordSituation(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Situation("instructions"); got != "present" {
		t.Errorf("instructions = %q, want the last recorded", got)
	}
	if got := r.Situation("reviewTool"); got != "unset" {
		t.Errorf("reviewTool = %q, lost by another key's write", got)
	}
	if trace.Len() != 0 {
		t.Errorf("git ran:\n%s", trace)
	}
}
