package gitx

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// revisionRepo builds, with real git, a repository holding every kind of
// name a revision can use: branches, a merge, lightweight, annotated and
// nested tags, a tag of a tree, remote-tracking branches with their HEAD,
// a name that is both a tag and a branch, packed and loose refs, chains of
// symbolic refs as deep as git follows and one deeper, a dangling one,
// pseudo-refs and reflogs.
func revisionRepo(t *testing.T) (*Repo, func(string) string) {
	t.Helper()
	r, _, sh := tracedRepo(t)
	sh(`git commit -q --allow-empty -m second && git commit -q --allow-empty -m third &&
git switch -q -c feature HEAD~1 && echo f > f.txt && git add f.txt && git commit -q -m 'feature work' &&
git switch -q main && git merge -q --no-edit feature &&
git tag lt HEAD~1 && git tag -a -m annotated at HEAD^2 && git tag -a -m nested att at 2>/dev/null &&
git tag treetag HEAD^{tree} &&
git update-ref refs/remotes/origin/main HEAD~2 && git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main &&
git update-ref refs/remotes/up/HEAD HEAD~1 &&
git branch both HEAD~1 && git tag both HEAD~2 &&
git branch --no-track tagbranch HEAD && git tag -a -m 'tag named like a remote' origin/main HEAD^2 &&
git pack-refs --all && git branch loose HEAD~2 &&
git symbolic-ref refs/s1 refs/heads/main && git symbolic-ref refs/s2 refs/s1 && git symbolic-ref refs/s3 refs/s2 &&
git symbolic-ref refs/s4 refs/s3 && git symbolic-ref refs/s5 refs/s4 && git symbolic-ref refs/dangling refs/heads/nothing &&
git update-ref refs/heads/UPPER HEAD~1 &&
git switch -q feature && git switch -q main &&
git update-ref ORIG_HEAD HEAD~3 &&
printf '%s\t\tbranch x of y\n%s\tnot-for-merge\tbranch z of y\n' $(git rev-parse HEAD^2 HEAD) > .git/FETCH_HEAD`)
	return r, sh
}

// gitAnswer is the commit git names by rev: `git rev-parse --verify
// <rev>^{commit}`, or for a rev whose syntax would swallow the suffix
// (":/text", "rev:path"), the object it names, peeled by a second call.
func gitAnswer(sh func(string) string, rev string) string {
	q := "'" + strings.ReplaceAll(rev, "'", `'\''`) + "'"
	var out string
	if strings.Contains(rev, ":") {
		out = sh("h=$(git rev-parse --verify -q " + q + ") && git rev-parse --verify -q \"$h^{commit}\" || true")
	} else {
		out = sh("git rev-parse --verify -q " + q + "'^{commit}' 2>/dev/null || true")
	}
	if strings.Contains(out, "\n") { // a range: not one commit
		return ""
	}
	return out
}

func TestResolveCommitAnswersAsGit(t *testing.T) {
	r, sh := revisionRepo(t)
	tree := sh("git rev-parse HEAD^{tree}")
	head := sh("git rev-parse HEAD")
	for _, rev := range []string{
		"HEAD", "HEAD^", "HEAD^0", "HEAD^1", "HEAD^2", "HEAD^3", "HEAD~", "HEAD~0", "HEAD~2", "HEAD~3", "HEAD~4",
		"HEAD^2~1", "HEAD~1^1", "HEAD^^", "HEAD~01", "main", "feature", "loose", "refs/heads/main", "heads/main",
		"lt", "at", "att", "tags/at", "refs/tags/att", "at^0", "at~1", "at^{}", "treetag",
		"origin", "origin/main", "remotes/origin/main", "refs/remotes/origin/main", "origin/HEAD", "up",
		"both", "heads/both", "tags/both", "tagbranch", "refs/s1", "s1", "s4", "refs/s4", "s5", "dangling",
		"UPPER", "heads/UPPER", "ORIG_HEAD", "FETCH_HEAD", "FETCH_HEAD^1", "MERGE_HEAD", "@", "@^1", "@{-1}",
		"HEAD@{1}", "main@{0}", ":/feature", ":/nothing matches", "HEAD:f.txt", "HEAD^{tree}", "HEAD^{/second}",
		head, head + "^2", strings.ToUpper(head), head[:10], head[:4], tree, tree + "^0",
		strings.Repeat("0", 40), "0123456789abcdef0123456789abcdef01234567", "nothing", "refs/heads/nothing",
		"main..feature", "main...feature", "-x", "--all", "", " main", "main ", "HEAD^-1", "HEAD~9999999",
		"heads//main", "heads/main/", ".main", "main.lock", "ma*n",
	} {
		want := gitAnswer(sh, rev)
		got, err := r.ResolveCommit(rev)
		if want == "" {
			if err == nil {
				t.Errorf("ResolveCommit(%q) = %s; git names no commit", rev, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ResolveCommit(%q) = %q, %v; git says %s", rev, got, err, want)
		}
	}
}

// However many revisions a command resolves, and blobs it reads, one
// cat-file process answers for each kind of read; a write through the Repo
// ends them, and the next read sees what was written.
func TestObjectReadsShareOneProcess(t *testing.T) {
	r, sh := revisionRepo(t)
	trace := &syncBuffer{}
	r.run = &xec.Runner{Trace: trace}
	head := sh("git rev-parse HEAD")
	for _, rev := range []string{"HEAD", "HEAD^1", "HEAD^2", "HEAD~2", "main", "origin/main", "at", "both",
		"refs/remotes/origin/HEAD", head, "s4", "-x", "nothing"} {
		_, _ = r.ResolveCommit(rev)
	}
	blob := sh("git rev-parse HEAD:f.txt")
	for range 3 {
		if b, err := r.BlobHead(blob, 1); err != nil || len(b) != 1 {
			t.Errorf("BlobHead(f.txt, 1) = %q, %v", b, err)
		}
	}
	if n := strings.Count(trace.String(), "exec:"); n != 2 {
		t.Errorf("%d git processes, want 2 (cat-file --batch-check, --batch):\n%s", n, trace.String())
	}
	if err := r.mutate(t.Context(), "update-ref", "refs/heads/moved", head+"^1"); err != nil {
		t.Fatal(err)
	}
	if got, err := r.ResolveCommit("moved"); err != nil || got != sh("git rev-parse HEAD^1") {
		t.Errorf("after a write: ResolveCommit(moved) = %q, %v", got, err)
	}
}

// A linked worktree has its own HEAD; its refs and objects are the main
// repository's. So does the remote helper, opened by the worktree's git
// directory (GIT_DIR), read them.
func TestLinkedWorktreeReads(t *testing.T) {
	r, sh := revisionRepo(t)
	wt := filepath.Join(t.TempDir(), "wt")
	sh("git worktree add -q --detach " + wt + " HEAD~2")
	want := sh("git rev-parse HEAD~2")
	gitDir := sh("cd " + wt + " && git rev-parse --absolute-git-dir")
	for name, repo := range map[string]*Repo{
		"Open":       {Root: wt, GitDir: gitDir, CommonDir: r.GitDir, run: r.run},
		"OpenGitDir": OpenGitDir(r.run, gitDir),
	} {
		if repo.CommonDir != r.GitDir {
			t.Errorf("%s: CommonDir %q, want %q", name, repo.CommonDir, r.GitDir)
		}
		h, err := repo.Head()
		if err != nil || h.Hash != want || h.Branch != "" {
			t.Errorf("%s: Head() = %+v, %v; want detached at %s", name, h, err, want)
		}
		if c, err := repo.ResolveCommit("HEAD"); err != nil || c != want {
			t.Errorf("%s: ResolveCommit(HEAD) = %q, %v", name, c, err)
		}
		if c, err := repo.ResolveCommit("at"); err != nil || c != sh("git rev-parse at^{commit}") {
			t.Errorf("%s: ResolveCommit(at) = %q, %v", name, c, err)
		}
		if !repo.HasCommit(sh("git rev-parse feature")) {
			t.Errorf("%s: HasCommit(feature) is false", name)
		}
		if got := repo.SymrefTarget("refs/remotes/origin/HEAD"); got != "refs/remotes/origin/main" {
			t.Errorf("%s: SymrefTarget = %q", name, got)
		}
	}
}

// Refs lists a symbolic ref only when git resolves it: through at most
// four symbolic refs, and not dangling.
func TestRefsFollowSymrefsAsGit(t *testing.T) {
	r, sh := revisionRepo(t)
	refs, err := r.Refs("refs/s")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, line := range strings.Split(sh("git for-each-ref --format='%(refname)' 2>/dev/null"), "\n") {
		if strings.HasPrefix(line, "refs/s") {
			want[line] = true
		}
	}
	if len(refs) != len(want) {
		t.Errorf("Refs(refs/s) = %v; git lists %v", refs, want)
	}
	for name := range refs {
		if !want[name] {
			t.Errorf("Refs lists %s; git does not", name)
		}
	}
}

// Objects in another repository named by objects/info/alternates (a clone
// made with --shared or --reference) are read as the repository's own.
func TestReadsThroughAlternates(t *testing.T) {
	r, sh := revisionRepo(t)
	clone := filepath.Join(t.TempDir(), "clone")
	sh("git clone -q --shared . " + clone)
	if _, err := os.Stat(filepath.Join(clone, ".git/objects/info/alternates")); err != nil {
		t.Fatal(err)
	}
	c := &Repo{Root: clone, GitDir: clone + "/.git", CommonDir: clone + "/.git", run: r.run}
	want := sh("git rev-parse HEAD^2")
	if got, err := c.ResolveCommit("main^2"); err != nil || got != want {
		t.Errorf("ResolveCommit(main^2) = %q, %v; want %s", got, err, want)
	}
	if !c.HasCommit(want) {
		t.Errorf("HasCommit(%s) is false", want)
	}
	if n, err := c.BlobSize(sh("git rev-parse HEAD:f.txt")); n != 2 || err != nil {
		t.Errorf("BlobSize(f.txt) = %d, %v", n, err)
	}
	if ok, err := c.IsAncestor(want, sh("git rev-parse HEAD")); !ok || err != nil {
		t.Errorf("IsAncestor = %v, %v", ok, err)
	}
}

// A repository whose extensions move objects or refs where go-git does
// not look is refused with the extension named; one whose extensions do
// not (worktreeConfig: per-worktree config) is read.
func TestRepositoryFormat(t *testing.T) {
	for _, tc := range []struct {
		config string
		refuse string
	}{
		{"core.repositoryformatversion 1 && git config extensions.worktreeConfig true", ""},
		{"core.repositoryformatversion 0 && git config extensions.preciousObjects true", ""},
		{"core.repositoryformatversion 1 && git config extensions.objectFormat sha1", ""},
		{"core.repositoryformatversion 1 && git config extensions.objectFormat sha256", "extensions.objectformat = sha256"},
		{"core.repositoryformatversion 1 && git config extensions.refStorage reftable", "extensions.refstorage = reftable"},
		{"core.repositoryformatversion 1 && git config extensions.partialClone origin", "extensions.partialclone = origin"},
		{"core.repositoryformatversion 2", "core.repositoryFormatVersion 2"},
	} {
		r, _, sh := tracedRepo(t)
		sh("git config " + tc.config)
		h, err := r.Head()
		gitRefuses := sh("git rev-parse -q --verify HEAD >/dev/null 2>&1 || echo refused") == "refused"
		switch {
		case gitRefuses && tc.refuse == "": // an extension this git does not know (objectFormat before 2.28)
			if err == nil {
				t.Errorf("%s: Head() = %+v; git itself refuses the repository", tc.config, h)
			}
		case tc.refuse == "" && (err != nil || h.Branch != "main"):
			t.Errorf("%s: Head() = %+v, %v", tc.config, h, err)
		case tc.refuse != "" && (!errors.Is(err, ErrRepositoryFormat) || !strings.Contains(err.Error(), tc.refuse)):
			t.Errorf("%s: Head() error %v, want it to name %q", tc.config, err, tc.refuse)
		}
	}
}

// Past inProcessAfter reads, blobs are read in process: the same bytes and
// sizes as cat-file gave.
func TestBlobReadsInProcessAfterMany(t *testing.T) {
	r, sh := revisionRepo(t)
	blob := sh("git rev-parse HEAD:f.txt")
	first, err := r.BlobHead(blob, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := range inProcessAfter + 10 {
		b, err := r.BlobHead(blob, 1<<20)
		n, serr := r.BlobSize(blob)
		if err != nil || serr != nil || !bytes.Equal(b, first) || n != int64(len(first)) {
			t.Fatalf("read %d: %q, %v; size %d, %v; want %q", i, b, err, n, serr, first)
		}
	}
	if r.cat.reads.Load() <= inProcessAfter {
		t.Errorf("%d reads counted", r.cat.reads.Load())
	}
}

// A Runner that records every command's output (doctor --probe's
// transcript) copies cat-file's output through a goroutine of its own:
// reads still get their answers.
func TestObjectReadsUnderARecordingRunner(t *testing.T) {
	r, sh := revisionRepo(t)
	r.run = &xec.Runner{Record: func(xec.Record) {}}
	head := sh("git rev-parse HEAD")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if got, err := r.ResolveCommit("HEAD"); err != nil || got != head {
			t.Errorf("ResolveCommit(HEAD) = %q, %v; want %s", got, err, head)
		}
		if b, err := r.BlobHead(sh("git rev-parse HEAD:f.txt"), 1); err != nil || len(b) != 1 {
			t.Errorf("BlobHead = %q, %v", b, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a deadlock, not a slow machine
		t.Fatal("object reads under a recording Runner never answered")
	}
}
