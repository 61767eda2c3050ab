// Package review is how the agent's work comes back: fetch, diff, log,
// review, inspect, merge, apply, pr and push. Merge, apply and pr go
// through the merge gate, pinned to the commit it inspected. Two handlers
// (handlers.go): Reviewer shows what a sandbox brings, Lander lands it;
// Common resolves the sandbox and base both name.
package review

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/git-airlock/git-airlock/internal/quote"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/forge"
	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// Forge opens pull requests.
type Forge interface {
	CreatePR(ctx context.Context, dir, base, branch string, out, errw io.Writer) error
}

var _ Forge = (*forge.GH)(nil)

func (s *Common) gate() *gate.Gate {
	return &gate.Gate{Repo: s.GateRepo, Notes: s.Notes, Protect: s.Settings.Protect()}
}

func (s *Common) mustRegistered(name string) (workflow.Sandbox, error) {
	if s.Host == nil {
		return workflow.Sandbox{}, workflow.ErrNotRepository
	}
	return workflow.MustFind(workflow.Registered(s.Entries, s.Records), name)
}

func (s *Common) defaultBase() string {
	return lifecycle.DefaultBase(s.Settings.Base(), workflow.CurrentBranch(s.Host))
}

// FetchRequest fetches one sandbox, or every sandbox of the repository.
type FetchRequest struct {
	Name    string
	All     bool
	Streams xec.Streams
}

// Fetch brings the sandbox's branches into refs/remotes/airlock-<name>/*.
func (s *Reviewer) Fetch(ctx context.Context, req FetchRequest) error {
	if s.Repo == nil {
		return workflow.ErrNotRepository
	}
	var list []workflow.Sandbox
	if req.All {
		list = workflow.Registered(s.Entries, s.Records)
		if len(list) == 0 {
			return hint.Errorf([]string{"start one with 'git airlock up'"}, "this repository has no sandboxes")
		}
	} else {
		sb, err := s.mustRegistered(req.Name)
		if err != nil {
			return err
		}
		list = []workflow.Sandbox{sb}
	}
	return workflow.Fetch(ctx, s.Host, s.Store, s.UI, req.Streams, s.DryRun, list...)
}

// CompareRequest names the two sides of diff, log, review, merge and apply.
type CompareRequest struct {
	Name    string
	Base    string // host side; "" means airlock.base, then HEAD
	Branch  string // sandbox branch; "" means the sandbox's HEAD
	NoFetch bool
	// GitOptions and Paths are for git's own display options and a
	// pathspec, which diff and log hand to git as the user typed them.
	GitOptions []string
	Paths      []string
	Streams    xec.Streams
}

// sides fetches (unless asked not to) and resolves both sides: base as
// given, theirs as the remote-tracking ref of the sandbox branch.
func (s *Common) sides(ctx context.Context, req CompareRequest) (base, theirs string, sb workflow.Sandbox, err error) {
	sb, err = s.mustRegistered(req.Name)
	if err != nil {
		return
	}
	if !req.NoFetch {
		if err = workflow.Fetch(ctx, s.Host, s.Store, s.UI, xec.Streams{Out: req.Streams.Err, Err: req.Streams.Err}, s.DryRun, sb); err != nil {
			err = hint.With(err, "use --no-fetch to work with what was fetched last time")
			return
		}
	}
	base = cmp.Or(req.Base, s.defaultBase())
	branch := cmp.Or(req.Branch, "HEAD")
	theirs = sandboxref.Tracking(sb.Remote, branch)
	if s.DryRun {
		return
	}
	if _, rerr := s.Host.ResolveCommit(theirs); rerr != nil {
		err = hint.Errorf([]string{"fetch it with '" + workflow.Suggest(s.Entries, sb.Name, "fetch") + "', list branches with '" + workflow.Suggest(s.Entries, sb.Name, "status") + "'"},
			"sandbox %q has no fetched branch %q", sb.Name, branch)
		return
	}
	if _, rerr := s.Host.ResolveCommit(base); rerr != nil {
		err = hint.Errorf(s.baseHints(sb, base), "unknown base %q", base)
	}
	return
}

// baseHints say what an argument that is no host commit may have meant:
// the argument is the base (the host side) in every command, the sandbox
// branch is -b, and a path goes after "--".
func (s *Common) baseHints(sb workflow.Sandbox, base string) []string {
	if s.sandboxHas(sb.Name, base) {
		return []string{fmt.Sprintf("the argument names the host side; %s is a branch of sandbox %q: name it with -b %s", quote.Path(base), sb.Name, xec.Quote(base))}
	}
	return []string{"the argument names the host branch or commit to compare with; diff and log take paths after '--'"}
}

// sandboxRef reports whether ref names a sandbox's fetched branch
// (airlock-x/main, refs/remotes/airlock-x/main).
func (s *Common) sandboxRef(ref string) bool {
	for _, sb := range workflow.Registered(s.Entries, s.Records) {
		if strings.HasPrefix(ref, sb.Remote+"/") || strings.HasPrefix(ref, "refs/remotes/"+sb.Remote+"/") {
			return true
		}
	}
	return false
}

// Scope names what a report compares, the same way in every command:
// sandbox "box", base main (with the sandbox branch when one was asked
// for).
func Scope(sandbox, branch, base string) string {
	s := fmt.Sprintf("sandbox %q", sandbox)
	if branch != "" && branch != "HEAD" {
		s += " branch " + quote.Path(branch)
	}
	return s + ", base " + quote.Path(base)
}

// baseName shows a base as a person names it: the branch for HEAD and for
// refs/heads/<b>, else as given.
func (s *Common) baseName(base string) string {
	if base == "HEAD" {
		if cur := workflow.CurrentBranch(s.Host); cur != "" {
			return cur
		}
	}
	return strings.TrimPrefix(base, "refs/heads/")
}

// announce says on stderr which sandbox and base a diff or log compares:
// with several sandboxes the default is not obvious.
func (s *Reviewer) announce(sb workflow.Sandbox, req CompareRequest, base string) {
	s.UI.Infof("%s", Scope(sb.Name, req.Branch, s.baseName(base)))
}

// Diff shows what the sandbox changed since it forked from base.
func (s *Reviewer) Diff(ctx context.Context, req CompareRequest, form gitx.Form) error {
	base, theirs, sb, err := s.sides(ctx, req)
	if err != nil {
		return err
	}
	s.announce(sb, req, base)
	return workflow.Shown("git diff", s.Repo.Diff(ctx, gitx.CompareRequest{Base: base, Theirs: theirs, Options: req.GitOptions, Paths: req.Paths, Streams: req.Streams}, form))
}

// Log lists the sandbox's commits that base does not have.
func (s *Reviewer) Log(ctx context.Context, req CompareRequest, form gitx.Form) error {
	base, theirs, sb, err := s.sides(ctx, req)
	if err != nil {
		return err
	}
	s.announce(sb, req, base)
	// The review notes show on the commits a merge, apply or pr inspected,
	// in git's own format; a format of the user's choice is left as git
	// prints it (--oneline: one line a commit, no notes block under each).
	notes := sandboxref.NotesRef
	if form == gitx.Summary || ownFormat(req.GitOptions) {
		notes = ""
	}
	return workflow.Shown("git log", s.Repo.Log(ctx, gitx.CompareRequest{Base: base, Theirs: theirs, Notes: notes,
		Options: req.GitOptions, Paths: req.Paths, Streams: req.Streams}, form))
}

// ownFormat reports whether git log's options choose a format of their
// own (--oneline, --pretty, --format).
func ownFormat(options []string) bool {
	for _, o := range options {
		if o == "--oneline" || strings.HasPrefix(o, "--pretty") || strings.HasPrefix(o, "--format") {
			return true
		}
	}
	return false
}

// Arrived shows what a sandbox brought, as wait does after the agent's
// end: its commits one line each, then the files changed, under one line
// naming the sandbox and base (both sides resolved once).
func (s *Reviewer) Arrived(ctx context.Context, req CompareRequest) error {
	base, theirs, sb, err := s.sides(ctx, req)
	if err != nil {
		return err
	}
	s.announce(sb, req, base)
	cr := gitx.CompareRequest{Base: base, Theirs: theirs, Notes: sandboxref.NotesRef, Streams: req.Streams}
	if err := s.Repo.Log(ctx, cr, gitx.Summary); err != nil {
		return workflow.Shown("git log", err)
	}
	cr.Notes = ""
	return workflow.Shown("git diff", s.Repo.Diff(ctx, cr, gitx.Summary))
}

// Review opens the whole change in a directory diff tool: airlock.reviewTool,
// else git's diff.tool (or merge.tool, which git difftool falls back to).
// With none configured, git's own choice is vimdiff over two directory
// listings, which helps nobody new: the change is shown as text with
// `git diff` and a hint names the setting.
func (s *Reviewer) Review(ctx context.Context, req CompareRequest) error {
	base, theirs, sb, err := s.sides(ctx, req)
	if err != nil {
		return err
	}
	tool := s.Settings.ReviewTool()
	if tool == "" && !s.gitToolSet(ctx) {
		s.announce(sb, req, base)
		if err := s.Repo.Diff(ctx, gitx.CompareRequest{Base: base, Theirs: theirs, Streams: req.Streams}, gitx.Full); err != nil {
			return workflow.Shown("git diff", err)
		}
		if workflow.SituationChanged(s.Repo, s.DryRun, "reviewTool", "unset") {
			s.UI.Hint("no review tool is configured, so this was 'git diff'; choose one: git config airlock.reviewTool <tool> (meld, kdiff3, vscode, …)")
		}
		return nil
	}
	workflow.SituationChanged(s.Repo, s.DryRun, "reviewTool", "set")
	err = s.Repo.DirDiff(ctx, gitx.CompareRequest{Base: base, Theirs: theirs, Streams: req.Streams}, tool)
	if err == nil {
		return nil
	}
	// git said what failed, once, above; the next step is ours.
	err = workflow.Shown("git difftool", err)
	if tool != "" {
		return hint.With(err, fmt.Sprintf("airlock.reviewTool is %s (%s); 'git difftool --tool-help' lists the tools git knows",
			quote.Path(tool), s.Settings.Get("reviewTool").Origin))
	}
	return err
}

// gitToolSet reports whether git difftool has a tool of the user's
// choosing.
func (s *Reviewer) gitToolSet(ctx context.Context) bool {
	for _, key := range []string{"diff.tool", "merge.tool"} {
		if v, set, err := s.Repo.ConfigGet(ctx, key); err == nil && set && v != "" {
			return true
		}
	}
	return false
}

// sandboxHas reports whether the sandbox has a fetched branch of that
// name: agent/x is the agent's branch even when the host has one too.
func (s *Common) sandboxHas(name, branch string) bool {
	sb, err := s.mustRegistered(name)
	if err != nil {
		return false
	}
	_, err = s.Host.ResolveCommit(sandboxref.Tracking(sb.Remote, branch))
	return err == nil
}

// Inspect reports what a merge of the sandbox branch would bring. A
// sandbox branch wins; else a ref with a slash that resolves as given
// (airlock-x/main) is inspected as is; anything else names a branch of the
// sandbox.
func (s *Reviewer) Inspect(ctx context.Context, req CompareRequest) (gate.Report, error) {
	if s.Repo == nil {
		return gate.Report{}, workflow.ErrNotRepository
	}
	if req.Base != "" && s.sandboxRef(req.Base) {
		// inspect's argument used to be the sandbox side: never read an
		// old habit silently the other way round.
		return gate.Report{}, hint.Errorf([]string{"the argument is the host branch the merge would go into; name the sandbox side with -b: " +
			workflow.Suggest(s.Entries, req.Name, "inspect -b "+xec.Quote(req.Base))}, "base %q is a sandbox branch", req.Base)
	}
	if req.Branch != "" && !s.DryRun && strings.Contains(req.Branch, "/") && !s.sandboxHas(req.Name, req.Branch) {
		if _, err := s.Host.ResolveCommit(req.Branch); err == nil {
			return s.gate().Inspect(ctx, cmp.Or(req.Base, s.defaultBase()), req.Branch)
		}
	}
	base, theirs, sb, err := s.sides(ctx, req)
	if err != nil {
		return gate.Report{}, err
	}
	r, err := s.gate().Inspect(ctx, base, theirs)
	r.Sandbox = sb.Name
	return r, err
}
