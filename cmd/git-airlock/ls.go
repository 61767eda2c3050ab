package main

import (
	"cmp"
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/git-airlock/git-airlock/internal/quote"
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
		if len(list) == 0 {
			u.Infof("sbx has no sandboxes")
			return nil
		}
		w := tabwriter.NewWriter(u.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SANDBOX\tSTATE\tAGENT\tWORKSPACE")
		for _, m := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", quote.Path(m.Name), quote.Path(m.State), quote.Path(cmp.Or(m.Agent, "-")), quote.Path(cmp.Or(m.Workspace, "-")))
		}
		return w.Flush()
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
