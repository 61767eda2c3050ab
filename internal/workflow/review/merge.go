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
	"github.com/git-airlock/git-airlock/internal/gate"
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
// commit the gate inspected, whatever a fetch moves in the meantime. It
// always makes a merge commit, whose trailers say what was inspected and
// accepted; the full record is a note on the inspected commit and on the
// merge commit (gate.Record).
func (s *Lander) Merge(ctx context.Context, req MergeRequest) error {
	p, err := s.prepareMerge(ctx, req, gate.ActionMerge)
	if err != nil {
		return err
	}
	if done, err := s.alreadyMerged(ctx, p); done || err != nil {
		return err
	}
	s.UI.Infof("merging %s", Scope(p.sandbox.Name, req.Branch, s.baseName("HEAD")))
	g := s.gate()
	if err := g.Record(ctx, p.record, p.record.Inspected); err != nil {
		return err
	}
	before, _ := s.Repo.ResolveCommit("HEAD")
	// NoVerify: the pre-merge-commit hook would only ask again about the
	// very commit the gate inspected.
	msg := fmt.Sprintf("Merge %s from sandbox %s\n\n%s", sandboxref.Short(p.theirs), p.sandbox.Name, p.record.Trailers())
	// The token lets the hooks --no-verify does not skip (reference-
	// transaction) pass this landing, recorded above, and nothing else.
	m := gitx.MergeRequest{Commit: p.record.Inspected, NoVerify: true, Message: msg, Streams: req.Streams,
		Env: []string{gate.LandingToken + "=" + p.record.Inspected}}
	if err := s.Repo.Merge(ctx, m); err != nil {
		return workflow.Shown("git merge", err)
	}
	// The note goes on the merge commit only when there is one: git says
	// "Already up to date" and makes none when the commit is already in
	// the branch.
	if s.DryRun || s.madeMergeCommit(before, p.record.Inspected) {
		return g.Record(ctx, p.record, "HEAD")
	}
	return nil
}

// alreadyMerged handles a rerun after the commit landed (issue 27: an
// interrupt between the merge commit and its note): git would only say
// "Already up to date". The merge commit that brought it gets the record
// the note on the inspected commit holds; a landing with no record to
// copy is said as such.
func (s *Lander) alreadyMerged(ctx context.Context, p prepared) (bool, error) {
	commit := p.record.Inspected
	head, err := s.Repo.ResolveCommit("HEAD")
	if s.DryRun || err != nil {
		return false, nil
	}
	if in, _ := s.Repo.IsAncestor(commit, head); !in {
		return false, nil
	}
	ref, base := sandboxref.Short(p.theirs), s.baseName("HEAD")
	m, err := s.Repo.LandingMerge(ctx, commit, head)
	if err != nil {
		return true, err
	}
	notes, err := s.Notes.Notes(sandboxref.NotesRef)
	if err != nil {
		return true, err
	}
	where := "HEAD"
	if m != head {
		where = m[:min(12, len(m))]
	}
	// An interrupt during git's post-merge hook leaves MERGE_HEAD behind
	// a merge commit that exists: git's state of a merge already made.
	if heads := s.Repo.MergeHeads(); m == head && len(heads) == 1 && heads[0] == commit {
		if err := s.Repo.QuitMerge(ctx); err != nil {
			return true, err
		}
		s.UI.Infof("the interrupted git merge left its state behind a merge commit that exists: cleared (git merge --quit)")
	}
	text, recorded := gate.MergeRecordText(notes[commit], commit)
	switch {
	case m == "" || !recorded && !gate.HasMergeRecord(notes[m], commit):
		s.UI.Infof("%s is already in %s, with no review record (it landed without git airlock merge)", ref, base)
		s.UI.Hint("'git airlock log --reviews' lists the landings that have one")
	case gate.HasMergeRecord(notes[m], commit):
		s.UI.Infof("%s is already merged (%s), with its review record", ref, where)
	default:
		if err := s.Notes.AppendNote(ctx, sandboxref.NotesRef, m, text); err != nil {
			return true, err
		}
		s.UI.Infof("%s is already merged (%s); its review note was missing: added", ref, where)
	}
	return true, nil
}

// madeMergeCommit reports whether HEAD is now a merge of before and commit.
func (s *Lander) madeMergeCommit(before, commit string) bool {
	first, err1 := s.Repo.ResolveCommit("HEAD^1")
	second, err2 := s.Repo.ResolveCommit("HEAD^2")
	return err1 == nil && err2 == nil && first == before && second == commit
}

// Apply brings the sandbox's changes into the working tree and index as one
// uncommitted change, without the agent's history. The review is a note on
// the inspected commit, and its trailers end the message git prepares for
// the commit the user makes (SQUASH_MSG).
func (s *Lander) Apply(ctx context.Context, req MergeRequest) error {
	p, err := s.prepareMerge(ctx, req, gate.ActionApply)
	if err != nil {
		return err
	}
	scope := Scope(p.sandbox.Name, req.Branch, s.baseName("HEAD"))
	if s.DryRun {
		s.UI.Infof("applying %s", scope)
	}
	if err := s.gate().Record(ctx, p.record, p.record.Inspected); err != nil {
		return err
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
	if err := s.Repo.Merge(ctx, gitx.MergeRequest{Commit: p.record.Inspected, Squash: true, Streams: st}); err != nil {
		copyTo(req.Streams.Out, &out)
		copyTo(req.Streams.Err, &errw)
		return workflow.Shown("git merge --squash", err)
	}
	if s.DryRun {
		return nil
	}
	if err := s.Repo.AppendSquashMessage(p.record.Trailers()); err != nil {
		s.UI.Warnf("%v", err)
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
	sandbox workflow.Sandbox
	theirs  string      // the remote-tracking ref, for messages
	record  gate.Record // Inspected: what the gate inspected, and what lands
}

// prepareMerge is what merge and apply share: the base argument must name
// the checked-out branch, the sandbox is fetched, and the gate inspects what
// the merge brings into HEAD, whatever airlock.base says (the base only
// chooses what diff and log compare with).
func (s *Lander) prepareMerge(ctx context.Context, req MergeRequest, action gate.Action) (prepared, error) {
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
	rec, err := s.check(ctx, action, sb, "HEAD", theirs, req.AcceptRisk)
	return prepared{sandbox: sb, theirs: theirs, record: rec}, err
}

// check runs the gate on what merging theirs into base brings and returns
// the record of landing the commit it inspected. High-severity findings
// stop it unless the user accepts them (flag, or a confirmation on a
// terminal). Acceptances older versions kept in git config move to the
// review notes first. A dry run inspects nothing: its record names the
// commit the real run would land, as far as the last fetch knows it.
func (s *Lander) check(ctx context.Context, action gate.Action, sb workflow.Sandbox, base, theirs string, accept bool) (gate.Record, error) {
	g := s.gate()
	if _, err := g.MigrateAcceptances(ctx, s.Entries); err != nil {
		return gate.Record{}, err
	}
	baseCommit, _ := s.Repo.ResolveCommit(base)
	if s.DryRun {
		c, err := s.Repo.ResolveCommit(theirs)
		if err != nil {
			c = theirs
		}
		return g.NewRecord(action, sb.Name, sb.Agent, gate.Report{Commit: c}, baseCommit, false), nil
	}
	r, err := g.Inspect(ctx, base, theirs)
	if err != nil {
		return gate.Record{}, err
	}
	high := r.OnlyHigh()
	if len(high.Findings) == 0 {
		if len(r.Findings) > 0 {
			s.UI.Infof("inspection: %s below high severity; see '%s'", workflow.Plural(len(r.Findings), "finding", "findings"), workflow.Suggest(s.Entries, sb.Name, "inspect"))
		}
		return g.NewRecord(action, sb.Name, sb.Agent, r, baseCommit, false), nil
	}
	// Reports name the sandbox and the base as every other command does.
	high.Sandbox, high.Base = sb.Name, s.baseName(base)
	if !accept && !s.ConfirmRisk(high) {
		return gate.Record{}, hint.Errorf([]string{"review them with '" + workflow.Suggest(s.Entries, sb.Name, "inspect") + "' and '" + workflow.Suggest(s.Entries, sb.Name, "diff") + "'",
			"to go on anyway, run the command again with --accept-risk"},
			"stopped: %s", workflow.Plural(len(high.Findings), "high-severity finding", "high-severity findings"))
	}
	rec := g.NewRecord(action, sb.Name, sb.Agent, r, baseCommit, true)
	s.UI.Warnf("accepted %s (%s); recorded in %s", workflow.Plural(len(high.Findings), "high-severity finding", "high-severity findings"),
		strings.Join(rec.Accepted, ", "), sandboxref.NotesRef)
	return rec, nil
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
func (s *Lander) PR(ctx context.Context, req PRRequest) (PRResult, error) {
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
	gateBase := "HEAD"
	if _, err := s.Repo.ResolveCommit("refs/heads/" + into); err == nil {
		gateBase = "refs/heads/" + into
	}
	rec, err := s.check(ctx, gate.ActionPR, sb, gateBase, theirs, req.AcceptRisk)
	if err != nil {
		return PRResult{}, err
	}
	commit := rec.Inspected
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
	if err := s.gate().Record(ctx, rec, commit); err != nil {
		return PRResult{}, err
	}
	if err := s.Remote.Push(ctx, gitx.PushRequest{Remote: remoteName, Source: commit, Branch: branch, Streams: req.Streams}); err != nil {
		return PRResult{}, workflow.Shown("git push", err)
	}
	// The review travels with the pushed commit: the notes ref goes to
	// the same remote. git refuses when the remote's notes moved on; the
	// pull request does not depend on it.
	if err := s.Remote.PushNotes(ctx, req.Streams, remoteName, sandboxref.NotesRef); err != nil {
		s.UI.Warnf("the review note on %.12s stays local: git push %s %s was refused", commit, remoteName, sandboxref.NotesRef)
		s.UI.Hint("fetch theirs and merge the notes: git fetch %s %s:refs/notes/airlock-%s && git notes --ref airlock merge refs/notes/airlock-%s", remoteName, sandboxref.NotesRef, remoteName, remoteName)
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
func (s *Lander) Push(ctx context.Context, req PushRequest) error {
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
	err = s.Remote.Push(ctx, gitx.PushRequest{Remote: sb.Remote, Source: cmp.Or(req.Source, "HEAD"), Branch: dst, Force: true, NoTags: true, Streams: req.Streams})
	if err != nil {
		return hint.With(workflow.Shown("git push", err), "the agent's checked-out branch cannot be updated; choose another with --branch")
	}
	s.UI.Infof("the agent can now use branch %q in its clone (for example: git rebase %s)", dst, dst)
	return nil
}
