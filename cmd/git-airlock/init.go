package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type initCmd struct{}

func (c *initCmd) Run(ctx context.Context, svc *machine.Configurer) error { return svc.Init(ctx) }
