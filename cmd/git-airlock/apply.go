package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type applyCmd struct {
	compareFlags
	AcceptRisk bool `help:"Apply even when inspection finds high-risk changes."`
}

func (c *applyCmd) Run(ctx context.Context, svc *review.Lander, t target, u *ui.UI) error {
	return svc.Apply(ctx, review.MergeRequest{CompareRequest: c.request(t, u), AcceptRisk: c.AcceptRisk, Verbose: u.Verbose})
}
