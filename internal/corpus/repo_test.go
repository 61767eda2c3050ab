package corpus

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// Who made which commit: the host's user owns main; the release commit is
// someone else's, as an agent's commits are (the same identity would be a
// commit-identity finding of its own).
var (
	hostIdentity    = []string{"Host User", "host@example.com"}
	releaseIdentity = []string{"Upstream Release", "release@example.com"}
)

// isolate keeps the machine's own git configuration out of the corpus:
// a global excludes file or include.path would change what inspect
// reports (ignored paths, tracked config), and the corpus is about the
// projects' changes alone.
func isolate(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
}

// commitEnv dates and signs a commit (fixed, so that every run builds the
// same history).
func commitEnv(who []string) []string {
	return []string{
		"GIT_AUTHOR_NAME=" + who[0], "GIT_AUTHOR_EMAIL=" + who[1], "GIT_AUTHOR_DATE=1700000000 +0000",
		"GIT_COMMITTER_NAME=" + who[0], "GIT_COMMITTER_EMAIL=" + who[1], "GIT_COMMITTER_DATE=1700000000 +0000",
	}
}

// buildRepo makes the repository a user would have after `git airlock
// fetch` of an agent that upgraded the project: the old release committed
// on main and checked out, the new release one commit later on the branch
// "release". Every file of each release is committed, ignored or not
// (add -f), since what was released is what the project tracks.
func buildRepo(t *testing.T, oldDir, newDir string) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	run := &xec.Runner{}
	git := func(env []string, args ...string) string {
		t.Helper()
		out, err := run.Output(ctx, xec.Cmd{Argv: append([]string{"git", "-C", dir}, args...), Env: env})
		if err != nil {
			t.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	git(nil, "init", "-q")
	git(nil, "symbolic-ref", "HEAD", "refs/heads/main")
	git(nil, "config", "user.name", hostIdentity[0])
	git(nil, "config", "user.email", hostIdentity[1])
	git(nil, "--work-tree="+oldDir, "add", "-A", "-f")
	git(commitEnv(hostIdentity), "commit", "-q", "--no-verify", "-m", "old release")
	git(nil, "reset", "-q", "--hard")

	index := []string{"GIT_INDEX_FILE=" + filepath.Join(dir, ".git", "release-index")}
	git(index, "--work-tree="+newDir, "add", "-A", "-f")
	tree := git(index, "write-tree")
	commit := git(commitEnv(releaseIdentity), "commit-tree", "-p", "main", "-m", "new release", tree)
	git(nil, "update-ref", "refs/heads/release", commit)
	return dir
}

// inspectRelease runs the gate's inspection of merging release into main, with
// real git through gitx, as `git airlock inspect` does.
func inspectRelease(t *testing.T, dir string) gate.Report {
	t.Helper()
	ctx := context.Background()
	repo, err := gitx.Open(ctx, &xec.Runner{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := (&gate.Gate{Repo: repo}).Inspect(ctx, "main", "release")
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	return r
}
