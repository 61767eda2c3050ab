package workflow

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/remote"
	"github.com/git-airlock/git-airlock/internal/ui"
)

// FetchRequest fetches one sandbox, or every sandbox of the repository.
type FetchRequest struct {
	Name    string
	All     bool
	Streams gitx.Streams
}

// Fetch brings the sandbox's branches into refs/remotes/airlock-<name>/*.
func (s *Service) Fetch(ctx context.Context, req FetchRequest) error {
	if err := s.requireRepo(); err != nil {
		return err
	}
	var remotes []string
	if req.All {
		for _, sb := range s.Sandboxes() {
			remotes = append(remotes, sb.Remote)
		}
		if len(remotes) == 0 {
			return ui.Errorf([]string{"start one with 'git airlock up'"}, "this repository has no sandboxes")
		}
	} else {
		sb, err := s.mustRegistered(req.Name)
		if err != nil {
			return err
		}
		remotes = []string{sb.Remote}
	}
	return s.fetchRemotes(ctx, req.Streams, remotes...)
}

// fetchRemotes fetches sandbox remotes and their submodules.
func (s *Service) fetchRemotes(ctx context.Context, st gitx.Streams, remotes ...string) error {
	if !s.Sbx.DryRun() {
		unlock, err := s.Repo.Lock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if err := s.Repo.Fetch(ctx, st, remotes...); err != nil {
		return err
	}
	return s.fetchSubmodules(ctx, st, remotes)
}

// fetchSubmodules brings the agent's commits in the host's initialised
// submodules into each submodule's refs/remotes/airlock-<name>/*, so that
// the superproject's new pointers can be checked out after a merge. A
// submodule the sandbox has not checked out is skipped with a note.
func (s *Service) fetchSubmodules(ctx context.Context, st gitx.Streams, remotes []string) error {
	paths, err := s.Repo.InitialisedSubmodules(ctx)
	if err != nil || len(paths) == 0 {
		return err
	}
	for _, sb := range s.Sandboxes() {
		if !slices.Contains(remotes, sb.Remote) || sb.Path == "" {
			continue
		}
		for _, p := range paths {
			url := remote.Target{Sandbox: sb.Name, Path: path.Join(sb.Path, filepath.ToSlash(p))}.URL()
			if err := s.Repo.FetchInto(ctx, st, p, url, sb.Remote); err != nil {
				s.UI.Warnf("sandbox %q: submodule %s not fetched (is it checked out in the sandbox?)", sb.Name, p)
			}
		}
	}
	return nil
}

// CompareRequest names the two sides of diff, log, review, merge and apply.
type CompareRequest struct {
	Name    string
	Base    string // host side; "" means airlock.base, then HEAD
	Branch  string // sandbox branch; "" means the sandbox's HEAD
	NoFetch bool
	Streams gitx.Streams
	Args    []string // passed on to git (diff and log options)
}

// sides fetches (unless asked not to) and resolves both sides.
func (s *Service) sides(ctx context.Context, req CompareRequest) (base, theirs string, sb Sandbox, err error) {
	sb, err = s.mustRegistered(req.Name)
	if err != nil {
		return
	}
	if !req.NoFetch {
		if err = s.fetchRemotes(ctx, gitx.Streams{Out: req.Streams.Err, Err: req.Streams.Err}, sb.Remote); err != nil {
			err = ui.WithHint(err, "use --no-fetch to work with what was fetched last time")
			return
		}
	}
	base = req.Base
	if base == "" {
		base = s.defaultBase()
	}
	branch := req.Branch
	if branch == "" {
		branch = "HEAD"
	}
	theirs = "refs/remotes/" + sb.Remote + "/" + branch
	if s.Sbx.DryRun() {
		return
	}
	if _, rerr := s.Repo.ResolveCommit(theirs); rerr != nil {
		err = ui.Errorf([]string{"fetch it with 'git airlock fetch', list branches with 'git airlock status'"},
			"sandbox %q has no fetched branch %q", sb.Name, branch)
		return
	}
	if _, rerr := s.Repo.ResolveCommit(base); rerr != nil {
		err = ui.Errorf(nil, "unknown base %q", base)
	}
	return
}

// Diff shows what the sandbox changed since it forked from base.
func (s *Service) Diff(ctx context.Context, req CompareRequest) error {
	base, theirs, _, err := s.sides(ctx, req)
	if err != nil {
		return err
	}
	args := append(append([]string{"diff"}, req.Args...), base+"..."+theirs, "--")
	return s.Repo.Passthrough(ctx, req.Streams, false, args...)
}

// Log lists the sandbox's commits that base does not have.
func (s *Service) Log(ctx context.Context, req CompareRequest) error {
	base, theirs, _, err := s.sides(ctx, req)
	if err != nil {
		return err
	}
	args := append(append([]string{"log"}, req.Args...), base+".."+theirs, "--")
	return s.Repo.Passthrough(ctx, req.Streams, false, args...)
}

// Review opens the whole change in a directory diff tool; both sides are
// temporary copies, so the working tree is never touched.
func (s *Service) Review(ctx context.Context, req CompareRequest) error {
	base, theirs, _, err := s.sides(ctx, req)
	if err != nil {
		return err
	}
	args := []string{"difftool", "--dir-diff", "--no-prompt"}
	if tool := s.Settings.ReviewTool(); tool != "" {
		args = append(args, "--tool="+tool)
	} else if _, set, err := s.Repo.ConfigGet(ctx, "diff.tool"); err == nil && !set && !s.UI.Interactive && !s.Sbx.DryRun() {
		// git's own fallback is a terminal editor (vimdiff), which cannot
		// run without a terminal.
		return ui.Errorf([]string{"choose one: git config airlock.reviewTool <tool> (or git config diff.tool meld, kdiff3, vscode, …)",
			"or read the change as text: git airlock diff"}, "no review tool is configured and there is no terminal for git's default")
	}
	args = append(args, base+"..."+theirs, "--")
	return s.Repo.Passthrough(ctx, req.Streams, false, args...)
}

// MergeRequest merges a sandbox branch into the current branch.
type MergeRequest struct {
	CompareRequest
	AcceptRisk bool
}

// Merge merges the sandbox's work into the checked-out branch. git itself
// refuses when local changes would be overwritten and reports conflicts.
func (s *Service) Merge(ctx context.Context, req MergeRequest) error {
	theirs, sb, err := s.prepareMerge(ctx, req)
	if err != nil {
		return err
	}
	// --no-verify: the gate above already inspected this merge; the
	// pre-merge-commit hook would only ask again.
	args := []string{"merge", "--no-edit", "--no-verify"}
	head, _ := s.Repo.ResolveCommit("HEAD")
	tip, _ := s.Repo.ResolveCommit(theirs)
	if ff, _ := s.Repo.IsAncestor(head, tip); !ff {
		args = append(args, "-m", fmt.Sprintf("Merge %s from sandbox %s", strings.TrimPrefix(theirs, "refs/remotes/"), sb.Name))
	}
	return s.Repo.Passthrough(ctx, req.Streams, true, append(args, theirs)...)
}

// Apply brings the sandbox's changes into the working tree and index as one
// uncommitted change, without the agent's history.
func (s *Service) Apply(ctx context.Context, req MergeRequest) error {
	theirs, _, err := s.prepareMerge(ctx, req)
	if err != nil {
		return err
	}
	if err := s.Repo.Passthrough(ctx, req.Streams, true, "merge", "--squash", theirs); err != nil {
		return err
	}
	s.UI.Infof("the sandbox's changes are staged as one uncommitted change; review with 'git diff --cached', then commit")
	return nil
}

// prepareMerge is what merge and apply share: the base argument must name
// the checked-out branch, the sandbox is fetched, and the gate inspects what
// the merge brings into HEAD, whatever airlock.base says (the base only
// chooses what diff and log compare with).
func (s *Service) prepareMerge(ctx context.Context, req MergeRequest) (string, Sandbox, error) {
	if err := s.checkoutIsBase(req.Base); err != nil {
		return "", Sandbox{}, err
	}
	req.Base = ""
	_, theirs, sb, err := s.sides(ctx, req.CompareRequest)
	if err != nil {
		return "", Sandbox{}, err
	}
	return theirs, sb, s.gate(ctx, sb, "HEAD", theirs, req.AcceptRisk)
}

// checkoutIsBase: merge and apply act on the checked-out branch; a base
// argument must name it, so that nothing is merged somewhere unexpected.
func (s *Service) checkoutIsBase(base string) error {
	if err := s.requireRepo(); err != nil {
		return err
	}
	if base == "" {
		return nil
	}
	if cur := s.currentBranch(); cur != base {
		return ui.Errorf([]string{"switch first: git switch " + base}, "you are on %q, not %q", cur, base)
	}
	return nil
}

// PushRequest hands host commits to the agent.
type PushRequest struct {
	Name    string
	Source  string // host revision, default HEAD
	Branch  string // sandbox branch to update, default host/<current branch>
	Streams gitx.Streams
}

// Push updates a branch in the sandbox's clone with host commits. git in
// the sandbox refuses to update the branch the agent has checked out.
func (s *Service) Push(ctx context.Context, req PushRequest) error {
	sb, err := s.mustRegistered(req.Name)
	if err != nil {
		return err
	}
	src := req.Source
	if src == "" {
		src = "HEAD"
	}
	dst := req.Branch
	if dst == "" {
		cur := s.currentBranch()
		if cur == "" {
			return ui.Errorf([]string{"name the sandbox branch with --branch"}, "HEAD is detached")
		}
		dst = "host/" + cur
	}
	dst = strings.TrimPrefix(dst, "refs/heads/")
	if err := s.Repo.Passthrough(ctx, req.Streams, true, "push", sb.Remote, "+"+src+":refs/heads/"+dst); err != nil {
		return ui.WithHint(err, "the agent's checked-out branch cannot be updated; choose another with --branch")
	}
	s.UI.Infof("the agent can now use branch %q in its clone (for example: git rebase %s)", dst, dst)
	return nil
}
