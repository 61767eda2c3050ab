package gitx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Typed operations whose output is the result itself: they run with the
// user's streams attached. Callers state intent; argv is built here.

// CompareRequest names two commits to compare and the streams for git's
// output.
type CompareRequest struct {
	Base, Theirs string
	// Notes is a notes ref whose notes Log shows next to git's default
	// notes (git airlock log shows the review records).
	Notes string
	// Options are git's own display options as the user typed them
	// (--name-only, -p, -U5), and Paths a pathspec: both handed to git
	// as they are, the options before the range, the paths after "--".
	Options []string
	Paths   []string
	Streams xec.Streams
}

// Form is how Diff and Log show a change.
type Form int

const (
	// Full shows the patch (Diff) and each commit whole (Log).
	Full Form = iota
	// Summary shows a diffstat (Diff) and one line per commit (Log).
	Summary
)

// Diff shows what Theirs changed since it forked from Base
// (`git diff Base...Theirs`), in the form asked for.
func (r *Repo) Diff(ctx context.Context, req CompareRequest, form Form) error {
	args := []string{"diff"}
	if form == Summary {
		args = append(args, "--stat")
	}
	args = append(append(args, req.Options...), req.Base+"..."+req.Theirs, "--")
	return r.attached(ctx, req.Streams, false, append(args, req.Paths...)...)
}

// Log lists the commits of Theirs that Base lacks, in the form asked for,
// with the notes under req.Notes when that ref exists.
func (r *Repo) Log(ctx context.Context, req CompareRequest, form Form) error {
	args := []string{"log"}
	if form == Summary {
		args = append(args, "--oneline")
	}
	if req.Notes != "" {
		// git warns of a notes ref that does not exist yet ("notes ref …
		// is invalid"): asked for only once there are notes.
		if refs, err := r.Refs(req.Notes); err == nil && refs[req.Notes] != "" {
			args = append(args, "--notes", "--notes="+req.Notes)
		}
	}
	args = append(append(args, req.Options...), req.Base+".."+req.Theirs, "--")
	return r.attached(ctx, req.Streams, false, append(args, req.Paths...)...)
}

// DirDiff opens the change in a directory diff tool (`git difftool
// --dir-diff`); both sides are temporary copies, so the work tree is never
// touched. An empty tool leaves the choice to git.
func (r *Repo) DirDiff(ctx context.Context, req CompareRequest, tool string) error {
	args := []string{"difftool", "--dir-diff", "--no-prompt"}
	if tool != "" {
		args = append(args, "--tool="+tool)
	}
	return r.attached(ctx, req.Streams, false, append(args, req.Base+"..."+req.Theirs, "--")...)
}

// MergeRequest merges one commit into the checked-out branch.
type MergeRequest struct {
	Commit string // a full object id: what was inspected is what is merged
	// Message of the merge commit. When set, the merge always makes a
	// commit (--no-ff) with exactly this message, read from a file in the
	// git directory (git merge reads no message from stdin) so that the
	// argv a dry run lists does not depend on it, and without git's
	// merge.log shortlog, which would follow (and so hide) its trailers.
	// Empty lets git fast-forward when it can.
	Message string
	// Squash stages the change as one uncommitted change instead.
	Squash bool
	// NoVerify skips the pre-merge-commit hook, for callers that inspected
	// the merge themselves.
	NoVerify bool
	// Env is added to git's environment (the gate's token for the hooks
	// that --no-verify does not skip).
	Env     []string
	Streams xec.Streams
}

// Merge runs `git merge`. git itself refuses when local changes would be
// overwritten and reports conflicts.
func (r *Repo) Merge(ctx context.Context, req MergeRequest) error {
	args := []string{"merge"}
	if req.Squash {
		args = append(args, "--squash")
	} else {
		args = append(args, "--no-edit")
	}
	if req.NoVerify {
		args = append(args, "--no-verify")
	}
	if req.Message != "" {
		msg := filepath.Join(r.GitDir, "AIRLOCK_MERGE_MSG")
		if r.run.DryRun == nil {
			if err := os.WriteFile(msg, []byte(req.Message), 0o644); err != nil {
				return fmt.Errorf("write the merge message: %w", err)
			}
			defer os.Remove(msg)
		}
		args = append(args, "--no-ff", "--no-log", "-F", msg)
	}
	r.wrote()
	s := req.Streams
	return r.run.Run(ctx, xec.Cmd{Argv: r.git(append(args, req.Commit)...), Env: req.Env, Stdin: s.In, Stdout: s.Out, Stderr: s.Err, Mutates: true})
}

// StagedFiles counts the files whose staged content differs from HEAD.
func (r *Repo) StagedFiles(ctx context.Context) (int, error) {
	out, err := r.output(ctx, "diff", "--cached", "--name-only", "-z")
	if err != nil {
		return 0, fmt.Errorf("list staged files: %w", err)
	}
	return len(splitNul([]byte(out))), nil
}

// PushRequest updates one branch of a remote.
type PushRequest struct {
	Remote string
	Source string // a revision of this repository
	Branch string // the remote's branch, without refs/heads/
	Force  bool
	// NoTags pushes no tag whatever push.followTags says: a sandbox's
	// remote refuses a push that names one (tags never cross).
	NoTags bool
	// Streams for git's progress and errors.
	Streams xec.Streams
}

// Push runs `git push <remote> [+]<source>:refs/heads/<branch>`.
func (r *Repo) Push(ctx context.Context, req PushRequest) error {
	spec := req.Source + ":refs/heads/" + strings.TrimPrefix(req.Branch, "refs/heads/")
	if req.Force {
		spec = "+" + spec
	}
	args := []string{"push", req.Remote, spec}
	if req.NoTags {
		args = []string{"push", "--no-follow-tags", req.Remote, spec}
	}
	return r.attached(ctx, req.Streams, true, args...)
}

func (r *Repo) attached(ctx context.Context, s xec.Streams, mutates bool, args ...string) error {
	if mutates {
		r.wrote()
	}
	return r.run.Run(ctx, xec.Cmd{Argv: r.git(args...), Stdin: s.In, Stdout: s.Out, Stderr: s.Err, Mutates: mutates})
}

// MergeHeads lists the commits of a merge in progress: git writes
// MERGE_HEAD only for a merge that stopped (conflicts, then `git commit`).
func (r *Repo) MergeHeads() []string {
	b, err := os.ReadFile(filepath.Join(r.GitDir, "MERGE_HEAD"))
	if err != nil || len(strings.Fields(string(b))) == 0 {
		return nil // an empty file names nothing: fall back on the reflog action
	}
	return strings.Fields(string(b))
}

// Exists reports whether a file exists in the work tree.
func (r *Repo) Exists(rel string) bool {
	_, err := os.Stat(filepath.Join(r.Root, rel))
	return err == nil
}

// Uncommitted counts the changed and untracked files of the work tree:
// work a sandbox clone does not get.
func (r *Repo) Uncommitted(ctx context.Context) (int, error) {
	out, err := r.output(ctx, "status", "--porcelain", "--untracked-files=normal")
	if err != nil {
		return 0, fmt.Errorf("read the work tree's status: %w", err)
	}
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n, nil
}

// Worktree facts clone mode depends on.
type Worktree struct {
	Root      string
	Linked    bool   // added with `git worktree add`
	MainRoot  string // the main worktree's top level, when Linked
	Shallow   bool
	HasCommit bool
}

// Facts reads the worktree facts of the repository.
func (r *Repo) Facts() (Worktree, error) {
	w := Worktree{Root: r.Root, Linked: r.LinkedWorktree(), MainRoot: filepath.Dir(r.CommonDir), Shallow: r.Shallow}
	h, err := r.Head()
	if err != nil {
		return w, fmt.Errorf("read HEAD: %w", err)
	}
	w.HasCommit = h.Hash != ""
	return w, nil
}
