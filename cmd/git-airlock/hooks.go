package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type hooksCmd struct {
	Install   hooksInstallCmd   `cmd:"" help:"Install the hooks that check merges (pre-merge-commit) and fast-forwards (reference-transaction) of sandbox commits."`
	Uninstall hooksUninstallCmd `cmd:"" help:"Remove git-airlock's hooks (never anyone else's)."`
	Status    hooksStatusCmd    `cmd:"" help:"Show whether the hooks are installed."`
}

type hooksInstallCmd struct {
	Force bool `help:"Keep an existing foreign hook as <hook>.local and run it before git-airlock's check."`
}

func (c *hooksInstallCmd) Run(ctx context.Context, svc *machine.Service) error {
	return svc.InstallHooks(ctx, c.Force)
}

type hooksUninstallCmd struct{}

func (c *hooksUninstallCmd) Run(ctx context.Context, svc *machine.Service) error {
	return svc.UninstallHooks(ctx)
}

type hooksStatusCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (c *hooksStatusCmd) Run(ctx context.Context, svc *machine.Service, u *ui.UI) error {
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
	Name string   `arg:"" enum:"pre-merge-commit,reference-transaction" help:"The hook git is running."`
	Args []string `arg:"" optional:"" passthrough:""`
}

func (c *hookCmd) Run(ctx context.Context, l *Loaded, u *ui.UI, inv *Invocation) error {
	if l.Err != nil || l.Repo == nil {
		return nil // no repository to guard
	}
	g := &gate.Gate{Repo: l.Repo, Protect: l.Settings.Protect()}
	if c.Name == "reference-transaction" {
		return c.referenceTransaction(ctx, g, l, u)
	}
	action, _ := inv.Env("GIT_REFLOG_ACTION")
	err := g.PreMergeCommit(ctx, action)
	var stop *gate.HookStop
	if errors.As(err, &stop) {
		r := stop.Report
		// Name sandbox and base as every other report does: the hook
		// sees a remote-tracking ref and HEAD.
		if rest, ok := strings.CutPrefix(strings.TrimPrefix(r.Ref, "refs/remotes/"), sandboxref.RemotePrefix); ok && r.Sandbox == "" {
			if name, _, ok := strings.Cut(rest, "/"); ok {
				r.Sandbox = name
			}
		}
		if cur := workflow.CurrentBranch(l.Repo); r.Base == "HEAD" && cur != "" {
			r.Base = cur
		}
		u.Notef("the merge of %s can run code or widen access on your machine:", r.Ref)
		printReport(u.Err, r)
	}
	return err
}

// referenceTransaction warns after a sandbox commit landed on the
// checked-out branch without a merge commit. git ignores the hook's exit
// status in the committed state: it always exits 0.
func (c *hookCmd) referenceTransaction(ctx context.Context, g *gate.Gate, l *Loaded, u *ui.UI) error {
	state := ""
	if len(c.Args) > 0 {
		state = c.Args[0]
	}
	if state != "committed" || u.In == nil {
		return nil
	}
	updates := gate.ParseRefUpdates(u.In)
	accepted := func(commit string) bool { return g.AcceptedCommit(commit, l.Entries) }
	var head gate.Head
	if h, err := l.Repo.Head(); err == nil {
		head = gate.Head{Branch: h.Branch, Commit: h.Hash}
	}
	err := g.ReferenceTransaction(ctx, l.Repo, state, updates, head, accepted)
	var warn *gate.LandWarning
	if !errors.As(err, &warn) {
		return nil // a failed check must not look like a failed git command
	}
	r := warn.Report
	u.Warnf("%s now holds a commit from %s that can run code or widen access on your machine:", warn.Landed, r.Ref)
	printReport(u.Err, r)
	u.Hint("it landed without a merge commit (fast-forward, pull, reset, checkout, rebase), so no hook could stop it")
	switch {
	case warn.Landed == "HEAD":
		u.Hint("review with 'git airlock inspect'; go back with 'git checkout -' (in a rebase: 'git rebase --abort')")
	case warn.Created:
		u.Hint("review with 'git airlock inspect'; undo with 'git branch -D %s' (after 'git switch -' if you are on it)", warn.Landed)
	default:
		u.Hint("review with 'git airlock inspect'; undo with 'git reset --keep %s@{1}'", warn.Landed)
	}
	return nil
}
