package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type attachCmd struct{}

func (c *attachCmd) Run(ctx context.Context, svc *lifecycle.Console, t target, u *ui.UI, inv *Invocation) error {
	return svc.Attach(ctx, string(t), insideTmux(inv), streams(u))
}
