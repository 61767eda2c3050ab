package main

import (
	"context"
	"fmt"

	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

type inspectCmd struct {
	Ref       string `arg:"" optional:"" help:"Sandbox branch, or any ref such as airlock-x/main (default: the branch the agent has checked out)."`
	Base      string `help:"Host branch the merge would go into (default: airlock.base, then the current branch)."`
	JSON      bool   `name:"json" help:"Print the report as JSON."`
	Threshold string `default:"medium" enum:"high,medium,low" help:"Lowest severity that makes the exit status 3."`
	NoFetch   bool   `help:"Inspect what was fetched last time; do not wake the sandbox."`
}

func (c *inspectCmd) Help() string {
	return `Reports, by severity, what a merge of the sandbox branch into the base
would bring that can run code or widen access on your machine: CI files, git
attributes and submodules, hook managers, .envrc and .env files, editor and
container configs, install scripts and lockfile sources, .airlock.toml and
agent instructions, symlinks, executable bits, binaries and large files.
Extra paths come from airlock.protect.

Exit status: 0 nothing at or above --threshold, 3 findings at or above it,
1 an error.`
}

func (c *inspectCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	r, err := svc.Inspect(ctx, workflow.CompareRequest{Name: name, Base: c.Base, Branch: c.Ref, NoFetch: c.NoFetch, Streams: streams(u)})
	if err != nil {
		return err
	}
	if c.JSON {
		if err := u.JSON(r); err != nil {
			return err
		}
	} else {
		workflow.PrintReport(u.Out, r)
	}
	threshold, _ := inspect.ParseSeverity(c.Threshold)
	if n := len(inspect.AtLeast(r.Findings, threshold)); n > 0 {
		return &ui.ExitError{Code: workflow.InspectExitCode}
	}
	return nil
}

type hooksCmd struct {
	Install   hooksInstallCmd   `cmd:"" help:"Install the pre-merge-commit hook that checks merges of sandbox branches."`
	Uninstall hooksUninstallCmd `cmd:"" help:"Remove git-airlock's hooks (never anyone else's)."`
	Status    hooksStatusCmd    `cmd:"" help:"Show whether the hooks are installed."`
}

type hooksInstallCmd struct {
	Force bool `help:"Keep an existing foreign hook as <hook>.local and run it before git-airlock's check."`
}

func (c *hooksInstallCmd) Run(ctx context.Context, svc *workflow.Service) error {
	_, err := svc.Hooks(ctx, "install", c.Force)
	return err
}

type hooksUninstallCmd struct{}

func (c *hooksUninstallCmd) Run(ctx context.Context, svc *workflow.Service) error {
	_, err := svc.Hooks(ctx, "uninstall", false)
	return err
}

type hooksStatusCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (c *hooksStatusCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	list, err := svc.Hooks(ctx, "status", false)
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

func (c *hookCmd) Run(ctx context.Context, svc *workflow.Service, inv *Invocation) error {
	action, _ := inv.Env("GIT_REFLOG_ACTION")
	return svc.PreMergeCommit(ctx, action)
}
