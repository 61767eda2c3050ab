package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type shellCmd struct{}

func (c *shellCmd) Run(ctx context.Context, svc *lifecycle.Service, t target, u *ui.UI) error {
	return svc.Shell(ctx, string(t), streams(u))
}
