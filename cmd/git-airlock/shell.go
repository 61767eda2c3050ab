package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type shellCmd struct{}

func (c *shellCmd) Run(ctx context.Context, svc *lifecycle.Console, t target, u *ui.UI) error {
	// Say where the prompt is: with several sandboxes the default is not
	// obvious, and the VM's prompt does not name it.
	u.Infof("opening a shell in sandbox %q; exit to come back", string(t))
	return svc.Shell(ctx, string(t), streams(u))
}
