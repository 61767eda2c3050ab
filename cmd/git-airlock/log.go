package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type logCmd struct {
	compareFlags
	Oneline bool `help:"One line per commit."`
}

func (c *logCmd) Run(ctx context.Context, svc *review.Service, t target, u *ui.UI) error {
	return svc.Log(ctx, c.request(t, u), c.Oneline)
}
