package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type allowCmd struct {
	Hosts      []string `arg:"" help:"Host names or patterns: api.example.com, *.example.com, **.example.com, host:port."`
	Everything bool     `help:"Accept '**', which allows every host."`
}

func (c *allowCmd) Run(ctx context.Context, svc *machine.Warden, t target) error {
	return svc.Allow(ctx, machine.AllowRequest{Name: string(t), Hosts: c.Hosts, Everything: c.Everything})
}
