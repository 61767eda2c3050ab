package main

import (
	"context"
	"fmt"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type lsCmd struct {
	JSON     bool `name:"json" help:"Print JSON."`
	AllRepos bool `help:"List every sandbox sbx knows, whatever its repository."`
}

func (c *lsCmd) Run(ctx context.Context, svc *lifecycle.Service, u *ui.UI) error {
	if c.AllRepos {
		list, err := svc.ListMachine(ctx)
		if err != nil {
			return err
		}
		if c.JSON {
			return u.JSON(list)
		}
		for _, m := range list {
			fmt.Fprintf(u.Out, "%-28s %-8s %-8s %s\n", m.Name, m.State, m.Agent, m.Workspace)
		}
		return nil
	}
	list, err := svc.Status(ctx, lifecycle.StatusRequest{All: true})
	if err != nil {
		return err
	}
	if c.JSON {
		if list == nil {
			list = []lifecycle.SandboxStatus{}
		}
		return u.JSON(list)
	}
	printTable(u, list)
	return nil
}
