package main

import (
	"cmp"
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type prCmd struct {
	Into       string `arg:"" optional:"" name:"base" help:"Branch the pull request targets (default: airlock.base, then the current branch)."`
	PushBranch string `arg:"" optional:"" name:"remote-branch" help:"Branch to push to the forge remote (default: airlock/<sandbox>)."`
	IntoOpt    string `name:"base" placeholder:"BASE" help:"Same as the [base] argument."`
	branchFlag
	From       string `name:"from" hidden:"" help:"Old name of --branch."`
	Remote     string `default:"origin" help:"Forge remote to push to."`
	NoFetch    bool   `help:"Use what was fetched last time."`
	AcceptRisk bool   `help:"Open the pull request even when inspection finds high-risk changes."`
}

func (c *prCmd) Run(ctx context.Context, svc *review.Lander, t target, u *ui.UI) error {
	into := cmp.Or(c.Into, c.IntoOpt)
	req := review.CompareRequest{Name: string(t), Base: into, Branch: cmp.Or(c.Branch, c.From), NoFetch: c.NoFetch, Streams: streams(u)}
	res, err := svc.PR(ctx, review.PRRequest{MergeRequest: review.MergeRequest{CompareRequest: req, AcceptRisk: c.AcceptRisk},
		Into: into, Branch: c.PushBranch, Remote: c.Remote})
	if err != nil {
		return err
	}
	if res.CompareURL != "" {
		u.Printf("%s\n", res.CompareURL)
		u.Hint("open the URL above to create the pull request (install gh to do it from here)")
	}
	return nil
}
