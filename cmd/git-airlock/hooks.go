package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
	"github.com/git-airlock/git-airlock/internal/xec"
)

type hooksCmd struct {
	Install   hooksInstallCmd   `cmd:"" help:"Install the hooks that check merges (pre-merge-commit) and fast-forwards (reference-transaction) of sandbox commits."`
	Uninstall hooksUninstallCmd `cmd:"" help:"Remove git-airlock's hooks (never anyone else's)."`
	Status    hooksStatusCmd    `cmd:"" help:"Show whether the hooks are installed."`
}

type hooksInstallCmd struct {
	Force bool `help:"Keep an existing foreign hook as <hook>.local and run it before git-airlock's check."`
}

func (c *hooksInstallCmd) Run(ctx context.Context, svc *machine.HookKeeper) error {
	return svc.InstallHooks(ctx, c.Force)
}

type hooksUninstallCmd struct{}

func (c *hooksUninstallCmd) Run(ctx context.Context, svc *machine.HookKeeper) error {
	return svc.UninstallHooks(ctx)
}

type hooksStatusCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (c *hooksStatusCmd) Run(ctx context.Context, svc *machine.HookKeeper, u *ui.UI) error {
	list, err := svc.Hooks(ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return u.JSON(list)
	}
	// Columns as wide as the longest hook name (reference-transaction).
	w := u.Table()
	for _, h := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\n", h.Name, h.State, h.Path)
	}
	return w.Flush()
}

// hookCmd is what the installed shims call.
type hookCmd struct {
	Name string   `arg:"" enum:"pre-merge-commit,pre-commit,prepare-commit-msg,pre-rebase,reference-transaction" help:"The hook git is running."`
	Args []string `arg:"" optional:"" passthrough:""`
}

func (c *hookCmd) Run(ctx context.Context, l *Loaded, u *ui.UI, inv *Invocation) error {
	if l.Err != nil || l.Repo == nil {
		return nil // no repository to guard
	}
	hc := &hookCheck{l: l, u: u, env: inv.Env}
	hc.token, _ = inv.Env(gate.LandingToken)
	var stop *gate.Stop
	var err error
	switch c.Name {
	case "reference-transaction":
		if len(c.Args) == 0 || c.Args[0] != "prepared" || u.In == nil {
			return nil
		}
		stop, err = hc.refTransaction(ctx, gate.ParseRefUpdates(u.In))
	case "pre-merge-commit":
		action, _ := inv.Env("GIT_REFLOG_ACTION")
		stop, err = hc.merge(ctx, action)
	case "pre-rebase":
		stop, err = hc.rebaseOnto(ctx, c.Args)
	default: // pre-commit, prepare-commit-msg: a merge or a copy being finished
		stop, err = hc.finishing(ctx)
	}
	if err != nil {
		// Fail safe: a check that cannot run refuses; the hint says how
		// to get past a broken git-airlock.
		u.Notef("cannot check this %s: %v", c.Name, err)
		u.Hint("fix what failed, or remove git-airlock's hooks: git airlock hooks uninstall")
		return &hint.ExitError{Code: 1}
	}
	if stop != nil {
		hc.printStop(ctx, stop)
		return &hint.ExitError{Code: 1}
	}
	return nil
}

// hookCheck is one hook run: the repository, the settings and the
// token git airlock merge passes.
type hookCheck struct {
	l     *Loaded
	u     *ui.UI
	env   func(string) (string, bool)
	token string
}

// gate judges with the settings of the commit being merged into or moved
// from: its .airlock.toml (when trusted), never the work tree's, which
// the merge may already have written.
func (hc *hookCheck) gate() *gate.Gate {
	return &gate.Gate{Repo: hc.l.Repo, Notes: hc.l.Repo, ProtectAt: hc.protectAt}
}

func (hc *hookCheck) protectAt(ctx context.Context, base string) []string {
	file := config.FileInput{TrustedHash: config.TrustedHash(hc.l.Entries)}
	if content, ok, err := hc.l.Repo.FileAt(ctx, base, config.FileName); err == nil && ok {
		file.Content = content
	}
	s, _ := config.Load(config.Inputs{File: file, Git: hc.l.Entries, Env: hc.env})
	return s.Protect()
}

func (hc *hookCheck) accepted(g *gate.Gate, base string) []string {
	return g.AcceptedCommits(hc.l.Entries, hc.token, base)
}

// merge is pre-merge-commit, and pre-commit while MERGE_HEAD exists.
func (hc *hookCheck) merge(ctx context.Context, reflogAction string) (*gate.Stop, error) {
	head, err := hc.l.Repo.ResolveCommit("HEAD")
	if err != nil {
		return nil, nil // an unborn branch: nothing to merge into
	}
	g := hc.gate()
	return g.CheckMerge(ctx, hc.l.Repo, head, g.MergedHeads(reflogAction), hc.accepted(g, head))
}

// finishing is pre-commit and prepare-commit-msg: a merge finished by
// git commit (MERGE_HEAD), or a commit a cherry-pick or a rebase copies
// (CHERRY_PICK_HEAD).
func (hc *hookCheck) finishing(ctx context.Context) (*gate.Stop, error) {
	op := hc.l.Repo.InProgress()
	if op == gitx.Merging {
		return hc.merge(ctx, "")
	}
	picked := hc.l.Repo.CherryPickHead()
	head, err := hc.l.Repo.ResolveCommit("HEAD")
	if picked == "" || err != nil {
		return nil, nil
	}
	g := hc.gate()
	stop, err := g.CheckCopy(ctx, hc.l.Repo, head, picked, hc.accepted(g, head))
	if stop != nil {
		stop.What = stop.Report.Ref
		if op == gitx.Rebasing {
			stop.Landing = gate.Rebase
		}
	}
	return stop, err
}

// rebaseOnto is pre-rebase (git rebase UPSTREAM [BRANCH]): the branch
// will hold UPSTREAM's history, judged as a move of it there before the
// rebase checks anything out. --onto is not passed to the hook; its last
// step is reference-transaction's.
func (hc *hookCheck) rebaseOnto(ctx context.Context, args []string) (*gate.Stop, error) {
	if len(args) == 0 {
		return nil, nil // --root: no upstream
	}
	branch := "HEAD"
	if len(args) > 1 {
		branch = args[1]
	}
	upstream, err1 := hc.l.Repo.ResolveCommit(args[0])
	tip, err2 := hc.l.Repo.ResolveCommit(branch)
	if err1 != nil || err2 != nil {
		return nil, nil // git says what it cannot read
	}
	g := hc.gate()
	stop, err := g.CheckMove(ctx, hc.l.Repo, tip, upstream, hc.accepted(g, tip))
	if stop != nil {
		stop.Landing, stop.What = gate.RebaseOnto, args[0]
	}
	return stop, err
}

// refTransaction is the reference-transaction hook in its prepared state.
func (hc *hookCheck) refTransaction(ctx context.Context, updates []gate.RefUpdate) (*gate.Stop, error) {
	var head gate.Head
	if h, err := hc.l.Repo.Head(); err == nil {
		head = gate.Head{Branch: h.Branch, Commit: h.Hash}
	}
	current := func(ref string) string {
		c, _ := hc.l.Repo.ResolveCommit(ref)
		return c
	}
	g := hc.gate()
	err := g.RefTransaction(ctx, hc.l.Repo, hc.l.Repo, updates, head, current, hc.accepted(g, head.Commit))
	var stop *gate.Stop
	if errors.As(err, &stop) {
		return stop, nil
	}
	var warn *gate.LandWarning
	if errors.As(err, &warn) {
		hc.printWarning(warn)
		return nil, nil
	}
	return nil, err
}

// printStop says what was stopped, the report, what git already wrote and
// how to take it back, and how to review it.
func (hc *hookCheck) printStop(ctx context.Context, stop *gate.Stop) {
	u, r := hc.u, stop.Report
	from := "a sandbox"
	if r.Sandbox != "" {
		from = fmt.Sprintf("sandbox %q", r.Sandbox)
	}
	switch {
	case stop.Landing == gate.RebaseOnto:
		u.Notef("stopped: a rebase onto %s would bring a commit from %s (%s) that can run code or widen access on your machine:", stop.What, from, r.Ref)
	case stop.Landing == gate.Move:
		u.Notef("stopped: %s would move to a commit from %s (%s) that can run code or widen access on your machine:", stop.Branch, from, r.Ref)
	case stop.What == r.Ref:
		u.Notef("stopped: the %s of %s would bring a commit from %s that can run code or widen access on your machine:", stop.Landing, stop.What, from)
	default:
		u.Notef("stopped: the %s of %s would bring a commit from %s (%s) that can run code or widen access on your machine:", stop.Landing, stop.What, from, r.Ref)
	}
	if cur := workflow.CurrentBranch(hc.l.Repo); stop.Landing != gate.Move && cur != "" {
		r.Base = cur
	}
	printReport(u.Err, r)
	if undo := hc.undo(ctx, stop); undo != "" {
		u.Hint("%s", undo)
	}
	u.Hint("review with '%s'; '%s' lands it with a record of your decision", inspectHint(r), landHint(r))
}

// undo is how to take back what git already wrote: the command in
// progress has its own --abort; a fast-forward, reset or checkout -B
// that the hook stopped has written the new commit's files under the old
// HEAD, and a two-tree read-tree takes back exactly those (it refuses
// where a file changed since).
func (hc *hookCheck) undo(ctx context.Context, stop *gate.Stop) string {
	switch op := hc.l.Repo.InProgress(); {
	case op == gitx.Rebasing:
		return "'git rebase --abort' goes back to where the rebase started"
	case op == gitx.Merging || stop.Landing == gate.Merge:
		return "'git merge --abort' takes back what the merge wrote"
	case op == gitx.CherryPicking:
		return "'git cherry-pick --abort' takes back what the cherry-pick wrote"
	}
	if stop.Landing == gate.Move && stop.Branch == workflow.CurrentBranch(hc.l.Repo) && hc.l.Repo.IndexIs(ctx, stop.New) {
		return "git already wrote the files; take back exactly those: git read-tree -m -u " + stop.New + " HEAD"
	}
	return ""
}

// inspectHint names the sandbox and its branch as the CLI spells them:
// git airlock --name S inspect [-b BRANCH] BASE.
func inspectHint(r gate.Report) string {
	if r.Sandbox == "" {
		return "git airlock inspect"
	}
	return "git airlock --name " + xec.Quote(r.Sandbox) + " inspect" + sandboxBranchFlag(r) + " " + xec.Quote(r.Base)
}

func landHint(r gate.Report) string {
	if r.Sandbox == "" {
		return "git airlock merge --accept-risk"
	}
	return "git airlock --name " + xec.Quote(r.Sandbox) + " merge" + sandboxBranchFlag(r) + " --accept-risk"
}

// sandboxBranchFlag is -b BRANCH for a branch of git-airlock's remote
// (airlock-S/BRANCH); its HEAD is inspect's default.
func sandboxBranchFlag(r gate.Report) string {
	branch, ok := strings.CutPrefix(r.Ref, sandboxref.Remote(r.Sandbox)+"/")
	if !ok || branch == "HEAD" {
		return ""
	}
	return " -b " + xec.Quote(branch)
}

// printWarning is a branch created at, or a detached HEAD moved to, a
// risky sandbox commit: looking at the agent's work, warned about.
func (hc *hookCheck) printWarning(warn *gate.LandWarning) {
	u, r := hc.u, warn.Report
	u.Warnf("%s now holds a commit from %s that can run code or widen access on your machine:", warn.Landed, r.Ref)
	printReport(u.Err, r)
	u.Hint("checking it out writes its files into your work tree; no branch of yours moved into it (that would be stopped)")
	switch {
	case warn.Landed == "HEAD":
		u.Hint("review with '%s'; go back with 'git checkout -' (in a rebase: 'git rebase --abort')", inspectHint(r))
	default:
		u.Hint("review with '%s'; undo with 'git branch -D %s' (after 'git switch -' if you are on it)", inspectHint(r), warn.Landed)
	}
}
