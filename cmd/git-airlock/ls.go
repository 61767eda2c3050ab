package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type lsCmd struct {
	JSON      bool `name:"json" help:"Print JSON."`
	AllRepos  bool `help:"List every sandbox sbx knows, whatever its repository."`
	Unfetched bool `help:"Also ask each sandbox what is not fetched yet, on every machine side by side (wakes them)."`
}

func (c *lsCmd) listsFirst() {}

func (c *lsCmd) Run(ctx context.Context, svc *lifecycle.Reporter, u *ui.UI) error {
	if c.AllRepos && c.Unfetched {
		return hint.Errorf([]string{"--unfetched asks this repository's sandboxes: git airlock ls --unfetched"}, "ls --all-repos --unfetched: other repositories' sandboxes are not surveyed")
	}
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
		w := u.Table()
		hosts := slices.ContainsFunc(list, func(m lifecycle.MachineSandbox) bool { return m.Host != "" })
		if hosts {
			fmt.Fprintln(w, "SANDBOX\tHOST\tSTATE\tAGENT\tWORKSPACE")
		} else {
			fmt.Fprintln(w, "SANDBOX\tSTATE\tAGENT\tWORKSPACE")
		}
		for _, m := range list {
			name := quote.Path(m.Name)
			if hosts {
				name += "\t" + cmp.Or(m.Host, "-")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", name, quote.Path(m.State), quote.Path(cmp.Or(m.Agent, "-")), quote.Path(cmp.Or(m.Workspace, "-")))
		}
		return w.Flush()
	}
	list, err := svc.Status(ctx, lifecycle.StatusRequest{All: true, Unfetched: c.Unfetched})
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
	found := false
	for _, st := range list {
		if st.Checked {
			fmt.Fprintf(u.Out, "\n%s:\n", quote.Path(st.Name))
			printUnfetched(u, st)
			found = found || len(st.Unfetched) > 0
		}
	}
	if found {
		u.Hint("%s", unfetchedHint(nil, ""))
	}
	return nil
}
