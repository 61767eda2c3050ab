package gitx

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// crissCross builds, with real git, the history of a hostile agent that
// hides changes behind a criss-cross: the host adds .envrc (E); the agent
// branches from E and commits A1, dated in the future so that `git
// merge-base` names A1; the host deletes .envrc and fixes a bug (D), then
// merges A1 (H); the agent merges D but keeps .envrc and the bug in its
// merge commit (A2). The diff from the one merge base (A1) to A2 is empty,
// yet `git merge A2` on H restores .envrc and reverts the fix.
//
// With touch, the agent's merge commit also changes another line of fix.go,
// so the single-base diff shows fix.go, but not the revert.
func crissCross(t *testing.T, touch bool) (*Repo, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	run := &xec.Runner{}
	date := "1700000000"
	sh := func(script string) string {
		t.Helper()
		out, err := run.Output(ctx, xec.Cmd{Argv: []string{"sh", "-c", script}, Env: []string{
			"GIT_DIR=" + dir + "/.git", "GIT_WORK_TREE=" + dir, "GIT_CONFIG_NOSYSTEM=1", "HOME=" + dir,
			"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@example.com",
			"GIT_AUTHOR_DATE=" + date + " +0000", "GIT_COMMITTER_DATE=" + date + " +0000"}})
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		return strings.TrimSpace(string(out))
	}
	sh("git init -q && git symbolic-ref HEAD refs/heads/main && cd " + dir + " && echo base > README && printf 'a\\nv1 bug\\nc\\nd\\ne\\n' > fix.go && git add -A && git commit -qm init")
	date = "1700000100"
	sh("cd " + dir + " && echo 'export X=1' > .envrc && git add .envrc && git commit -qm E")
	date = "1700009000"
	sh("cd " + dir + " && git switch -qc agent && echo work > work.txt && git add -A && git commit -qm A1")
	date = "1700000200"
	sh("cd " + dir + " && git switch -q main && git rm -q .envrc && printf 'a\\nv2 fixed\\nc\\nd\\ne\\n' > fix.go && git commit -qam D")
	date = "1700000300"
	sh("cd " + dir + " && git merge -q --no-edit agent")
	date = "1700009100"
	last := "e"
	if touch {
		last = "e agent"
	}
	sh("cd " + dir + " && git switch -q agent && git merge -q --no-commit main~1; git checkout main~2 -- .envrc && printf 'a\\nv1 bug\\nc\\nd\\n" + last + "\\n' > fix.go && git add -A && git commit -qm A2 && git switch -q main")
	want := ""
	if touch {
		want = "fix.go"
	}
	if d := sh("cd " + dir + " && git diff --name-only $(git merge-base main agent) agent"); d != want {
		t.Fatalf("the single merge base's diff shows %q; the attack needs %q", d, want)
	}
	// Not Open: it needs git >= 2.31 (rev-parse --path-format).
	r := &Repo{Root: dir, GitDir: dir + "/.git", CommonDir: dir + "/.git", run: run}
	return r, sh("cd " + dir + " && git rev-parse agent")
}

func TestPreviewMergeSeesThroughCrissCross(t *testing.T) {
	for _, touch := range []bool{false, true} {
		t.Run(fmt.Sprintf("touch=%v", touch), func(t *testing.T) { testCrissCross(t, touch) })
	}
}

func testCrissCross(t *testing.T, touch bool) {
	r, agent := crissCross(t, touch)
	p, err := r.PreviewMerge(context.Background(), "main", agent)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Bases) != 2 {
		t.Fatalf("bases %v, want two", p.Bases)
	}
	var paths []string
	for _, c := range p.Changes {
		paths = append(paths, c.Path)
	}
	if p.Exact {
		if !slices.Equal(paths, []string{".envrc", "fix.go"}) {
			t.Errorf("changes %v, want .envrc and fix.go (what git's merge lands)", paths)
		}
		if !slices.Equal(p.Unseen, []string{".envrc", "fix.go"}) {
			t.Errorf("unseen %v, want .envrc and fix.go", p.Unseen)
		}
	} else if !slices.Contains(paths, ".envrc") {
		// Older git: the union of every base's diff still shows .envrc.
		t.Errorf("changes %v, want .envrc among them", paths)
	}
}

func TestParseGitVersion(t *testing.T) {
	for in, want := range map[string][2]int{"git version 2.39.5\n": {2, 39}, "git version 2.26.0": {2, 26},
		"git version 2.50.1.windows.1": {2, 50}, "git version 3.0.0-rc1": {3, 0}, "nonsense": {0, 0}} {
		if ma, mi := parseGitVersion(in); [2]int{ma, mi} != want {
			t.Errorf("%q: %d.%d, want %v", in, ma, mi, want)
		}
	}
}

func FuzzParseLsTree(f *testing.F) {
	f.Add([]byte("100644 blob e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\ta b\x00120000 blob 1111111111111111111111111111111111111111\tl\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := parseLsTree(b)
		if err != nil {
			return
		}
		for _, e := range es {
			if e.Hash == "" {
				t.Fatalf("entry without a hash: %+v", e)
			}
		}
	})
}
