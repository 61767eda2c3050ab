package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type reviewCmd struct{ compareFlags }

func (c *reviewCmd) Help() string {
	return `Opens 'git difftool --dir-diff' on the change; both sides are temporary
copies, so your working tree is never touched. The tool is airlock.reviewTool,
else git's diff.tool (or merge.tool); with none configured, the change is
shown with 'git diff' and a hint says how to choose a tool.`
}

func (c *reviewCmd) Run(ctx context.Context, svc *review.Reviewer, t target, u *ui.UI) error {
	return svc.Review(ctx, c.request(t, u))
}
