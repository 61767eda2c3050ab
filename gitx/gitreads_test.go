package gitx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// What git reads, gitx reads: a config value that is not UTF-8 (git takes
// any bytes) and git's *.lock files beside loose refs (a fetch in
// progress, or one a crash left empty) change no answer, with the refs
// packed, loose, or both.
func TestReadsWhatGitReads(t *testing.T) {
	for _, pack := range []bool{false, true} {
		r, _, sh := tracedRepo(t)
		main := sh("git rev-parse HEAD")
		sh(`git config user.name "$(printf 'Jos\351')" && git branch side && git update-ref refs/remotes/airlock-box/agent/work HEAD`)
		sh("git symbolic-ref refs/remotes/airlock-box/HEAD refs/remotes/airlock-box/agent/work")
		if pack {
			// An extension git reads from the same file: the format is
			// then read by git, past the bytes go-git refused.
			sh("git config core.repositoryformatversion 1 && git config extensions.worktreeConfig true")
			sh("git pack-refs --all && git commit -q --allow-empty -m loose") // main loose again, side packed
			main = sh("git rev-parse HEAD")
		}
		for _, lock := range []string{"refs/heads/side.lock", "refs/heads/gone.lock", "refs/remotes/airlock-box/agent/work.lock", "packed-refs.lock"} {
			content := ""
			if lock == "refs/heads/side.lock" {
				content = main + "\n" // a write in progress
			}
			p := filepath.Join(r.GitDir, lock)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h, err := r.Head()
		if err != nil || h.Hash != main || h.Branch != "main" {
			t.Fatalf("packed %v: Head() = %+v, %v", pack, h, err)
		}
		refs, err := r.Refs("refs/")
		if err != nil {
			t.Fatalf("packed %v: Refs: %v", pack, err)
		}
		want := map[string]bool{"refs/heads/main": true, "refs/heads/side": true,
			"refs/remotes/airlock-box/agent/work": true, "refs/remotes/airlock-box/HEAD": true}
		if len(refs) != len(want) {
			t.Errorf("packed %v: Refs = %v", pack, refs)
		}
		for name := range want {
			if refs[name] == "" {
				t.Errorf("packed %v: Refs lacks %s: %v", pack, name, refs)
			}
		}
		if c, err := r.ResolveCommit("airlock-box/HEAD"); err != nil || c != refs["refs/remotes/airlock-box/agent/work"] {
			t.Errorf("packed %v: ResolveCommit(airlock-box/HEAD) = %q, %v", pack, c, err)
		}
		if _, err := r.ResolveCommit("gone"); !errors.Is(err, ErrUnknownRevision) {
			t.Errorf("packed %v: ResolveCommit(gone) error %v, want unknown", pack, err)
		}
		if entries, err := r.ConfigEntries(context.Background(), `^user\.name$`); err != nil || len(entries) == 0 || entries[len(entries)-1].Value != "Jos\xe9" {
			t.Errorf("packed %v: ConfigEntries = %+v, %v", pack, entries, err)
		}
	}
}

// HEAD as git reads it, where go-git reads it otherwise: "ref:" without a
// space (git takes it), and a current branch whose loose ref git calls
// broken (git's error, never a hash made of the garbage).
func TestHeadAsGitReadsIt(t *testing.T) {
	r, _, sh := tracedRepo(t)
	main := sh("git rev-parse HEAD")
	sh("git pack-refs --all && printf 'ref:refs/heads/main\\n' > .git/HEAD")
	if h, err := r.Head(); err != nil || h.Branch != "main" || h.Hash != main {
		t.Errorf("Head() with ref:<no space> = %+v, %v; want main at %s", h, err, main)
	}
	r, _, sh = tracedRepo(t)
	sh("printf '12zz\\n' > .git/refs/heads/main")
	if h, err := r.Head(); err == nil || h.Hash != "" {
		t.Errorf("Head() on a broken branch ref = %+v, %v; want git's error", h, err)
	}
}

// History as git walks it: a replace ref (here a graft made with `git
// replace --graft`) changes a commit's parents for git, and so for
// ResolveCommit's ^N and IsAncestor, which go-git alone would answer from
// the original commit.
func TestHistoryAsGitWalksIt(t *testing.T) {
	r, _, sh := tracedRepo(t)
	sh("git commit -q --allow-empty -m second && git checkout -q --orphan other && git commit -q --allow-empty -m other && git checkout -q main")
	other := sh("git rev-parse other")
	sh("git replace --graft main " + other)
	if got, err := r.ResolveCommit("main^1"); err != nil || got != other {
		t.Errorf("ResolveCommit(main^1) = %q, %v; git says %s", got, err, other)
	}
	if ok, err := r.IsAncestor(other, sh("git rev-parse main")); err != nil || !ok {
		t.Errorf("IsAncestor(other, main) = %v, %v; git says true", ok, err)
	}
}
