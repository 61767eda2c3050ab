package main

import (
	"context"
	"fmt"
	"github.com/alecthomas/kong"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

type attachCmd struct{}

func (c *attachCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI, inv *Invocation) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	return svc.Attach(ctx, name, insideTmux(inv), streams(u))
}

type shellCmd struct{}

func (c *shellCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	return svc.Shell(ctx, name, streams(u))
}

type stopCmd struct{}

func (c *stopCmd) Run(ctx context.Context, svc *workflow.Service) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	return svc.Stop(ctx, name)
}

type rmCmd struct {
	Force bool `short:"f" help:"Remove even if the sandbox holds unfetched commits or uncommitted changes (they are lost)."`
}

func (c *rmCmd) Help() string {
	return `Fetches every branch first and refuses while the sandbox holds commits that
are not fetched or changes that are not committed, unless --force. The
fetched branches stay under refs/airlock/removed/<name>/ and 'git airlock ls'
lists them.`
}

func (c *rmCmd) Run(ctx context.Context, svc *workflow.Service) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	return svc.Remove(ctx, workflow.RemoveRequest{Name: name, Force: c.Force})
}

type initCmd struct{}

func (c *initCmd) Run(ctx context.Context, svc *workflow.Service) error { return svc.Init(ctx) }

type trustCmd struct{}

func (c *trustCmd) Help() string {
	return `.airlock.toml is committed, so an agent can change it. Its settings take
effect only after you trust its exact content; any change makes it untrusted
again. The trust is a hash in this repository's local git config.`
}

func (c *trustCmd) Run(ctx context.Context, svc *workflow.Service) error { return svc.Trust(ctx) }

type setupCmd struct{}

func (c *setupCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	return svc.Setup(ctx, workflow.HostPlatform(), streams(u))
}

type versionCmd struct{}

func (c *versionCmd) Run(u *ui.UI) error {
	u.Printf("git-airlock %s\n", version)
	return nil
}

type doctorCmd struct {
	JSON bool `name:"json" help:"Print the checks as JSON."`
}

func (c *doctorCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	checks := svc.Doctor(ctx, workflow.HostPlatform())
	if c.JSON {
		if err := u.JSON(checks); err != nil {
			return err
		}
		return workflow.Failed(checks)
	}
	return svc.PrintChecks(checks)
}

type statusCmd struct {
	JSON      bool `name:"json" help:"Print JSON."`
	Unfetched bool `help:"Also list work in the sandbox that is not fetched yet (wakes the sandbox)."`
}

func (c *statusCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	list, err := svc.Status(ctx, workflow.StatusRequest{Name: name, Unfetched: c.Unfetched})
	if err != nil {
		return err
	}
	if c.JSON {
		return u.JSON(list[0])
	}
	svc.PrintStatus(list, true)
	return nil
}

type lsCmd struct {
	JSON     bool `name:"json" help:"Print JSON."`
	AllRepos bool `help:"List every sandbox sbx knows, whatever its repository."`
}

func (c *lsCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	if c.AllRepos {
		list, err := svc.ListMachine(ctx)
		if err != nil {
			return err
		}
		if c.JSON {
			return u.JSON(list)
		}
		for _, m := range list {
			fmt.Fprintf(u.Out, "%-28s %-8s %-8s %s\n", m.Name, m.State, m.Agent, m.Workspace)
		}
		return nil
	}
	list, err := svc.Status(ctx, workflow.StatusRequest{All: true})
	if err != nil {
		return err
	}
	if c.JSON {
		if list == nil {
			list = []workflow.SandboxStatus{}
		}
		return u.JSON(list)
	}
	svc.PrintStatus(list, false)
	return nil
}

// helpCmd exists because `git airlock --help` makes git open a man page.
type helpCmd struct {
	Command []string `arg:"" optional:"" help:"The command to explain."`
}

func (c *helpCmd) Run(kctx *kong.Context) error {
	_, err := kctx.Kong.Parse(append(c.Command, "--help"))
	return err
}
