package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/forge"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

type fetchCmd struct {
	All bool `help:"Fetch every sandbox of this repository."`
}

func (c *fetchCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	req := workflow.FetchRequest{All: c.All, Streams: streams(u)}
	if !c.All {
		name, err := svc.Target()
		if err != nil {
			return err
		}
		req.Name = name
	}
	return svc.Fetch(ctx, req)
}

// compareFlags are shared by the commands that compare a sandbox branch
// with a host base.
type compareFlags struct {
	Base    string `arg:"" optional:"" help:"Host branch or commit to compare with (default: airlock.base, then the current branch)."`
	Branch  string `short:"b" help:"Sandbox branch (default: the branch the agent has checked out)."`
	NoFetch bool   `help:"Use what was fetched last time; do not wake the sandbox."`
}

func (f compareFlags) request(svc *workflow.Service, u *ui.UI, args []string) (workflow.CompareRequest, error) {
	name, err := svc.Target()
	return workflow.CompareRequest{Name: name, Base: f.Base, Branch: f.Branch, NoFetch: f.NoFetch, Streams: streams(u), Args: args}, err
}

type diffCmd struct {
	compareFlags
	Stat bool `help:"Show a diffstat instead of the patch."`
}

func (c *diffCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	var args []string
	if c.Stat {
		args = []string{"--stat"}
	}
	req, err := c.request(svc, u, args)
	if err != nil {
		return err
	}
	return svc.Diff(ctx, req)
}

type logCmd struct {
	compareFlags
	Oneline bool `help:"One line per commit."`
}

func (c *logCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	var args []string
	if c.Oneline {
		args = []string{"--oneline"}
	}
	req, err := c.request(svc, u, args)
	if err != nil {
		return err
	}
	return svc.Log(ctx, req)
}

type reviewCmd struct{ compareFlags }

func (c *reviewCmd) Help() string {
	return `Opens 'git difftool --dir-diff' on the change; both sides are temporary
copies, so your working tree is never touched. The tool is airlock.reviewTool,
else git's diff.tool, else git's own choice.`
}

func (c *reviewCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	req, err := c.request(svc, u, nil)
	if err != nil {
		return err
	}
	return svc.Review(ctx, req)
}

type mergeCmd struct {
	compareFlags
	AcceptRisk bool `help:"Merge even when inspection finds high-risk changes."`
}

func (c *mergeCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	req, err := c.request(svc, u, nil)
	if err != nil {
		return err
	}
	return svc.Merge(ctx, workflow.MergeRequest{CompareRequest: req, AcceptRisk: c.AcceptRisk})
}

type applyCmd struct {
	compareFlags
	AcceptRisk bool `help:"Apply even when inspection finds high-risk changes."`
}

func (c *applyCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	req, err := c.request(svc, u, nil)
	if err != nil {
		return err
	}
	return svc.Apply(ctx, workflow.MergeRequest{CompareRequest: req, AcceptRisk: c.AcceptRisk})
}

type prCmd struct {
	Into       string `arg:"" optional:"" name:"base" help:"Branch the pull request targets (default: the current branch)."`
	PushBranch string `arg:"" optional:"" name:"branch" help:"Branch to push to origin (default: airlock/<sandbox>)."`
	From       string `short:"b" name:"from" help:"Sandbox branch (default: the branch the agent has checked out)."`
	Remote     string `default:"origin" help:"Forge remote to push to."`
	NoFetch    bool   `help:"Use what was fetched last time."`
	AcceptRisk bool   `help:"Open the pull request even when inspection finds high-risk changes."`
}

func (c *prCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	req := workflow.CompareRequest{Name: name, Base: c.Into, Branch: c.From, NoFetch: c.NoFetch, Streams: streams(u)}
	return svc.PR(ctx, workflow.PRRequest{MergeRequest: workflow.MergeRequest{CompareRequest: req, AcceptRisk: c.AcceptRisk},
		Into: c.Into, Branch: c.PushBranch, Remote: c.Remote, GH: &forge.GH{Run: svc.Sbx.Run}})
}

type pushCmd struct {
	Source string `arg:"" optional:"" help:"Host revision to hand over (default: HEAD)."`
	Branch string `short:"b" help:"Branch to create or update in the sandbox (default: host/<current branch>)."`
}

func (c *pushCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	return svc.Push(ctx, workflow.PushRequest{Name: name, Source: c.Source, Branch: c.Branch, Streams: streams(u)})
}
