package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type trustCmd struct{}

func (c *trustCmd) Help() string {
	return `.airlock.toml is committed, so an agent can change it. Its settings take
effect only after you trust its exact content; any change makes it untrusted
again. The trust is a hash in this repository's local git config.`
}

func (c *trustCmd) Run(ctx context.Context, svc *machine.Configurer) error { return svc.Trust(ctx) }
