package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type pruneCmd struct {
	Removals []string `arg:"" optional:"" name:"removal" help:"Removals to delete, as 'git airlock ls' lists them (<sandbox>@<n>)."`
}

func (c *pruneCmd) Help() string {
	return `Deletes every ref that the named removals kept under
refs/airlock/removed/<sandbox>@<n>/, and prints each one with its commit.
Nothing is deleted without naming a removal, and nothing at all when one name
is unknown. With --dry-run it prints what it would delete and deletes nothing.
Commits no other ref reaches are left to git gc.`
}

func (c *pruneCmd) Run(ctx context.Context, svc *lifecycle.Restorer, g *Globals, u *ui.UI) error {
	if len(c.Removals) == 0 {
		return hint.Errorf([]string{"name the removals to delete, as 'git airlock ls' lists them: git airlock prune <sandbox>@<n>..."},
			"prune deletes only the removals it is given")
	}
	pruned, err := svc.Prune(ctx, lifecycle.PruneRequest{Removals: c.Removals})
	var nf *lifecycle.RemovalNotFoundError
	if errors.As(err, &nf) {
		err = fmt.Errorf("%w; nothing was deleted", err)
		if len(nf.Known) == 0 {
			return err
		}
		return hint.With(err, "removals: "+strings.Join(nf.Known, ", ")+" ('git airlock ls')")
	}
	if err != nil {
		return err
	}
	verb := "deleted"
	if g.DryRun {
		verb = "would delete"
	}
	for _, p := range pruned {
		fmt.Fprintf(u.Out, "%s %s %s\n", verb, quote.Path(p.Ref), p.Commit[:12])
	}
	u.Infof("%s %s of %s", verb, workflow.Plural(len(pruned), "kept ref", "kept refs"), strings.Join(c.Removals, ", "))
	return nil
}
