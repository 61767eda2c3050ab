package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type diffCmd struct {
	compareFlags
	Stat bool `help:"Show a diffstat instead of the patch."`
}

func (c *diffCmd) Run(ctx context.Context, svc *review.Service, t target, u *ui.UI) error {
	return svc.Diff(ctx, c.request(t, u), c.Stat)
}
