package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
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

func (c *lockdownCmd) Run(ctx context.Context, svc *workflow.Service) error {
	return svc.Lockdown(ctx, workflow.LockdownRequest{Reset: c.Reset})
}

type unlockCmd struct {
	Reset bool `help:"Allow 'sbx policy reset' (deletes local rules, stops running sandboxes)."`
}

func (c *unlockCmd) Run(ctx context.Context, svc *workflow.Service) error {
	return svc.Unlock(ctx, c.Reset)
}

type allowCmd struct {
	Hosts      []string `arg:"" help:"Host names or patterns: api.example.com, *.example.com, **.example.com, host:port."`
	Everything bool     `help:"Accept '**', which allows every host."`
}

func (c *allowCmd) Run(ctx context.Context, svc *workflow.Service) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	return svc.Allow(ctx, workflow.AllowRequest{Name: name, Hosts: c.Hosts, Everything: c.Everything})
}

type netCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (c *netCmd) Run(ctx context.Context, svc *workflow.Service, u *ui.UI) error {
	name, err := svc.Target()
	if err != nil {
		return err
	}
	entries, raw, err := svc.Net(ctx, name)
	if err != nil {
		return err
	}
	if c.JSON {
		if entries == nil {
			entries = []workflow.NetEntry{}
		}
		return u.JSON(entries)
	}
	svc.PrintNet(entries, raw)
	return nil
}
