package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type stopCmd struct{}

func (c *stopCmd) Run(ctx context.Context, svc *lifecycle.Console, t target) error {
	return svc.Stop(ctx, string(t))
}
