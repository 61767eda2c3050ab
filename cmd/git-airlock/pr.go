package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type prCmd struct {
	Into       string `arg:"" optional:"" name:"base" help:"Branch the pull request targets (default: the current branch)."`
	PushBranch string `arg:"" optional:"" name:"branch" help:"Branch to push to origin (default: airlock/<sandbox>)."`
	From       string `short:"b" name:"from" help:"Sandbox branch (default: the branch the agent has checked out)."`
	Remote     string `default:"origin" help:"Forge remote to push to."`
	NoFetch    bool   `help:"Use what was fetched last time."`
	AcceptRisk bool   `help:"Open the pull request even when inspection finds high-risk changes."`
}

func (c *prCmd) Run(ctx context.Context, svc *review.Service, t target, u *ui.UI) error {
	req := review.CompareRequest{Name: string(t), Base: c.Into, Branch: c.From, NoFetch: c.NoFetch, Streams: streams(u)}
	res, err := svc.PR(ctx, review.PRRequest{MergeRequest: review.MergeRequest{CompareRequest: req, AcceptRisk: c.AcceptRisk},
		Into: c.Into, Branch: c.PushBranch, Remote: c.Remote})
	if err != nil {
		return err
	}
	if res.CompareURL != "" {
		u.Printf("%s\n", res.CompareURL)
		u.Hint("open the URL above to create the pull request (install gh to do it from here)")
	}
	return nil
}
