package review

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/forge"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// MergeRequest merges a sandbox branch into the current branch.
type MergeRequest struct {
	CompareRequest
	AcceptRisk bool
	// Verbose passes git's own report of a squash through; otherwise
	// apply says what it did in one line, and git's output is shown only
	// when git fails.
	Verbose bool
}

// Merge merges the sandbox's work into the checked-out branch: exactly the
// commit the gate inspected, whatever a fetch moves in the meantime.
func (s *Service) Merge(ctx context.Context, req MergeRequest) error {
	p, err := s.prepareMerge(ctx, req)
	if err != nil {
		return err
	}
	// NoVerify only for the very commit the gate inspected (the
	// pre-merge-commit hook would only ask again); a dry run shows the
	// command the real run makes.
	s.UI.Infof("merging %s", Scope(p.sandbox.Name, req.Branch, s.baseName("HEAD")))
	m := gitx.MergeRequest{Commit: p.commit, NoVerify: p.inspected || s.DryRun, Streams: req.Streams}
	if !p.fastForward {
		m.Message = fmt.Sprintf("Merge %s from sandbox %s", sandboxref.Short(p.theirs), p.sandbox.Name)
	}
	return shown("git merge", s.Repo.Merge(ctx, m))
}

// Apply brings the sandbox's changes into the working tree and index as one
// uncommitted change, without the agent's history.
func (s *Service) Apply(ctx context.Context, req MergeRequest) error {
	p, err := s.prepareMerge(ctx, req)
	if err != nil {
		return err
	}
	scope := Scope(p.sandbox.Name, req.Branch, s.baseName("HEAD"))
	if s.DryRun {
		s.UI.Infof("applying %s", scope)
	}
	// git's report of a squash ("Updating …", "Fast-forward", "Squash
	// commit -- not updating HEAD", a diffstat) is kept back, and shown
	// whole, on its own streams, only when git fails (a conflict's lines
	// are on its stdout).
	st := req.Streams
	var out, errw bytes.Buffer
	if !req.Verbose && !s.DryRun {
		st.Out, st.Err = &out, &errw
	}
	if err := s.Repo.Merge(ctx, gitx.MergeRequest{Commit: p.commit, Squash: true, Streams: st}); err != nil {
		copyTo(req.Streams.Out, &out)
		copyTo(req.Streams.Err, &errw)
		return shown("git merge --squash", err)
	}
	if s.DryRun {
		return nil
	}
	n, err := s.Repo.StagedFiles(ctx)
	if err != nil {
		return err
	}
	s.UI.Infof("applied %s: %s staged as one uncommitted change", scope, workflow.Plural(n, "file", "files"))
	s.UI.Hint("review with 'git diff --cached', then commit")
	return nil
}

// copyTo writes what was kept back, if anyone reads it.
func copyTo(w io.Writer, b *bytes.Buffer) {
	if w != nil && b.Len() > 0 {
		_, _ = w.Write(b.Bytes())
	}
}

type prepared struct {
	sandbox     workflow.Sandbox
	theirs      string // the remote-tracking ref, for messages
	commit      string // what the gate inspected, and what lands
	inspected   bool   // the gate ran on commit (false only in a dry run)
	fastForward bool
}

// prepareMerge is what merge and apply share: the base argument must name
// the checked-out branch, the sandbox is fetched, and the gate inspects what
// the merge brings into HEAD, whatever airlock.base says (the base only
// chooses what diff and log compare with).
func (s *Service) prepareMerge(ctx context.Context, req MergeRequest) (prepared, error) {
	if s.Repo == nil {
		return prepared{}, workflow.ErrNotRepository
	}
	if req.Base != "" {
		if cur := workflow.CurrentBranch(s.Repo); cur != req.Base {
			return prepared{}, hint.Errorf([]string{"switch first: git switch " + req.Base}, "you are on %q, not %q", cur, req.Base)
		}
	}
	req.Base = ""
	_, theirs, sb, err := s.sides(ctx, req.CompareRequest)
	if err != nil {
		return prepared{}, err
	}
	p := prepared{sandbox: sb, theirs: theirs, commit: theirs}
	if !s.DryRun {
		if p.commit, err = s.check(ctx, sb, "HEAD", theirs, req.AcceptRisk); err != nil {
			return p, err
		}
		p.inspected = true
	} else if c, rerr := s.Repo.ResolveCommit(theirs); rerr == nil {
		// A dry run inspects nothing; it shows the commit the real run
		// would land, as far as the last fetch knows it.
		p.commit = c
	}
	head, _ := s.Repo.ResolveCommit("HEAD")
	tip, _ := s.Repo.ResolveCommit(p.commit)
	p.fastForward, _ = s.Repo.IsAncestor(head, tip)
	return p, nil
}

// check runs the gate on what merging theirs into base brings and returns
// the commit it inspected. High-severity findings stop it unless the user
// accepts them (flag, or a confirmation on a terminal); an acceptance is
// recorded for status to show.
func (s *Service) check(ctx context.Context, sb workflow.Sandbox, base, theirs string, accept bool) (string, error) {
	g := s.gate()
	r, err := g.Inspect(ctx, base, theirs)
	if err != nil {
		return "", err
	}
	high := r.OnlyHigh()
	if len(high.Findings) == 0 {
		if len(r.Findings) > 0 {
			s.UI.Infof("inspection: %s below high severity; see 'git airlock inspect'", workflow.Plural(len(r.Findings), "finding", "findings"))
		}
		return r.Commit, nil
	}
	// Reports name the sandbox and the base as every other command does.
	high.Sandbox, high.Base = sb.Name, s.baseName(base)
	if !accept && !s.ConfirmRisk(high) {
		return "", hint.Errorf([]string{"review them with 'git airlock inspect' and 'git airlock diff'",
			"to go on anyway, run the command again with --accept-risk"},
			"stopped: %s", workflow.Plural(len(high.Findings), "high-severity finding", "high-severity findings"))
	}
	a, err := g.Accept(ctx, sb.Name, r)
	if err != nil {
		return "", err
	}
	s.UI.Warnf("accepted %s (%s); recorded in %s", workflow.Plural(a.Count, "high-severity finding", "high-severity findings"),
		strings.Join(a.Rules, ", "), sandboxref.AcceptedKey)
	return r.Commit, nil
}

// InspectExitCode is inspect's exit status when findings reach the threshold.
const InspectExitCode = 3

// Exceeds reports whether a report has findings at or above a threshold.
func Exceeds(r []inspect.Finding, threshold inspect.Severity) bool {
	return len(inspect.AtLeast(r, threshold)) > 0
}

// PRRequest publishes a sandbox branch from the host and opens a PR.
type PRRequest struct {
	MergeRequest
	Into   string // the PR's base branch on the forge; default the current branch
	Branch string // branch to push to origin; default airlock/<sandbox>
	Remote string // default origin
}

// PRResult says where the pull request can be opened when no forge tool
// opened it.
type PRResult struct {
	CompareURL string // open this to create the pull request
	Pushed     string // the pushed branch, when there is no URL either
}

// PR pushes the sandbox's work from the host (the agent never needs forge
// credentials) and opens a pull request.
func (s *Service) PR(ctx context.Context, req PRRequest) (PRResult, error) {
	_, theirs, sb, err := s.sides(ctx, req.CompareRequest)
	if err != nil {
		return PRResult{}, err
	}
	into := cmp.Or(req.Into, s.Settings.Base(), workflow.CurrentBranch(s.Repo))
	if into == "" {
		return PRResult{}, hint.Errorf([]string{"name the PR's base branch: git airlock pr <base>"}, "HEAD is detached")
	}
	// Inspect against the local branch the PR targets, else HEAD; never
	// against an arbitrary revision a setting names.
	commit := theirs
	if !s.DryRun {
		gateBase := "HEAD"
		if _, err := s.Repo.ResolveCommit("refs/heads/" + into); err == nil {
			gateBase = "refs/heads/" + into
		}
		if commit, err = s.check(ctx, sb, gateBase, theirs, req.AcceptRisk); err != nil {
			return PRResult{}, err
		}
	} else if c, rerr := s.Repo.ResolveCommit(theirs); rerr == nil {
		commit = c // what the real run pushes, as far as the last fetch knows
	}
	branch := cmp.Or(req.Branch, "airlock/"+sb.Name)
	remoteName := cmp.Or(req.Remote, "origin")
	remoteURL, ok, err := s.Repo.ConfigGet(ctx, "remote."+remoteName+".url")
	if err != nil {
		return PRResult{}, err
	}
	if !ok {
		return PRResult{}, hint.Errorf([]string{"add the forge remote: git remote add origin <url>"}, "no remote %q to push to", remoteName)
	}
	s.UI.Infof("pull request from %s", Scope(sb.Name, req.CompareRequest.Branch, into))
	if err := s.Repo.Push(ctx, gitx.PushRequest{Remote: remoteName, Source: commit, Branch: branch, Streams: req.Streams}); err != nil {
		return PRResult{}, shown("git push", err)
	}
	if s.DryRun {
		// A dry run prints commands instead of running them, so it would
		// show `gh pr create` where the real run finds no gh: look first.
		if _, lerr := xec.LookPath(forgeTool); lerr != nil {
			err = forge.ErrNoGH
		}
	}
	if err == nil {
		err = s.Forge.CreatePR(ctx, s.Root, into, branch, req.Streams.Out, req.Streams.Err)
	}
	if err == nil {
		return PRResult{}, nil
	}
	if !errors.Is(err, forge.ErrNoGH) {
		return PRResult{}, hint.With(err, "the branch is pushed; open the pull request on the forge by hand")
	}
	if u := forge.CompareURL(remoteURL, into, branch); u != "" {
		return PRResult{CompareURL: u}, nil
	}
	s.UI.Infof("pushed %s to %s (%s); open a pull request from it into %s on your forge", branch, remoteName, strings.TrimSpace(remoteURL), into)
	return PRResult{Pushed: branch}, nil
}

// forgeTool is the program forge.GH runs.
const forgeTool = "gh"

// PushRequest hands host commits to the agent.
type PushRequest struct {
	Name    string
	Source  string // host revision, default HEAD
	Branch  string // sandbox branch to update, default host/<current branch>
	Streams xec.Streams
}

// Push updates a branch in the sandbox's clone with host commits. git in
// the sandbox refuses to update the branch the agent has checked out.
func (s *Service) Push(ctx context.Context, req PushRequest) error {
	sb, err := s.mustRegistered(req.Name)
	if err != nil {
		return err
	}
	dst := req.Branch
	if dst == "" {
		cur := workflow.CurrentBranch(s.Repo)
		if cur == "" {
			return hint.Errorf([]string{"name the sandbox branch with --branch"}, "HEAD is detached")
		}
		dst = "host/" + cur
	}
	dst = strings.TrimPrefix(dst, "refs/heads/")
	err = s.Repo.Push(ctx, gitx.PushRequest{Remote: sb.Remote, Source: cmp.Or(req.Source, "HEAD"), Branch: dst, Force: true, Streams: req.Streams})
	if err != nil {
		return hint.With(shown("git push", err), "the agent's checked-out branch cannot be updated; choose another with --branch")
	}
	s.UI.Infof("the agent can now use branch %q in its clone (for example: git rebase %s)", dst, dst)
	return nil
}
