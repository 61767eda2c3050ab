package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type setupCmd struct{}

func (c *setupCmd) Run(ctx context.Context, svc *machine.Installer, u *ui.UI) error {
	return svc.Setup(ctx, machine.HostPlatform(), streams(u))
}
