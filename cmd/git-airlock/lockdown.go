package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type lockdownCmd struct {
	Reset bool `help:"Allow 'sbx policy reset' when sbx already has another default (deletes local rules, stops running sandboxes)."`
}

func (c *lockdownCmd) Help() string {
	return `Sets deny-all as sbx's default network policy for every sandbox on this
machine, records airlock.networkPolicy=deny-all here so that new sandboxes
get the allowlist (airlock.allow, ALLOW), and applies the allowlist to this
repository's sandboxes. See blocked hosts with 'git airlock net'.`
}

func (c *lockdownCmd) Run(ctx context.Context, svc *machine.Warden) error {
	return svc.Lockdown(ctx, machine.LockdownRequest{Reset: c.Reset})
}
