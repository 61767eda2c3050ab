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
	Install   hooksInstallCmd   `cmd:"" help:"Install the pre-merge-commit hook that checks merges of sandbox branches."`
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
	for _, h := range list {
		fmt.Fprintf(u.Out, "%-18s %-10s %s\n", h.Name, h.State, h.Path)
	}
	return nil
}

// hookCmd is what the installed shims call.
type hookCmd struct {
	Name string   `arg:"" enum:"pre-merge-commit" help:"The hook git is running."`
	Args []string `arg:"" optional:"" passthrough:""`
}

func (c *hookCmd) Run(ctx context.Context, l *Loaded, u *ui.UI, inv *Invocation) error {
	if l.Err != nil || l.Repo == nil {
		return nil // no repository to guard
	}
	action, _ := inv.Env("GIT_REFLOG_ACTION")
	g := &gate.Gate{Repo: l.Repo, Protect: l.Settings.Protect()}
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
