package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type unlockCmd struct {
	Reset bool `help:"Allow 'sbx policy reset' (deletes local rules, stops running sandboxes)."`
}

func (c *unlockCmd) Run(ctx context.Context, svc *machine.Warden) error {
	return svc.Unlock(ctx, c.Reset)
}
