package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type pushCmd struct {
	Source string `arg:"" optional:"" help:"Host revision to hand over (default: HEAD)."`
	Branch string `short:"b" help:"Branch to create or update in the sandbox (default: host/<current branch>)."`
}

func (c *pushCmd) Run(ctx context.Context, svc *review.Lander, t target, u *ui.UI) error {
	return svc.Push(ctx, review.PushRequest{Name: string(t), Source: c.Source, Branch: c.Branch, Streams: streams(u)})
}
