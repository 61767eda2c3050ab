package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type restoreCmd struct {
	Removal string `arg:"" help:"The removal, as 'git airlock ls' lists it (<sandbox>@<n>)."`
	Branch  string `arg:"" optional:"" help:"The kept branch to restore; without it, the removal's branches are listed."`
	As      string `help:"Name of the local branch to create (default: the kept branch's name)." placeholder:"NAME"`
}

func (c *restoreCmd) Help() string {
	return `Creates a local branch at the commit a removed sandbox's kept branch points to
(refs/airlock/removed/<sandbox>@<n>/<branch>). An existing branch is never moved:
choose another name with --as. Given only the removal, lists its kept branches.`
}

func (c *restoreCmd) Run(ctx context.Context, svc *lifecycle.Restorer, u *ui.UI) error {
	r, err := svc.Restore(ctx, lifecycle.RestoreRequest{Removal: c.Removal, Branch: c.Branch, As: c.As})
	var nf *lifecycle.RemovalNotFoundError
	if errors.As(err, &nf) {
		if len(nf.Known) == 0 {
			return hint.With(err, "no removed sandbox keeps branches in this repository")
		}
		// A sandbox's name given for one of its removals: name only those.
		var same []string
		for _, k := range nf.Known {
			if strings.HasPrefix(k, c.Removal+sandboxref.RemovalSep) {
				same = append(same, k)
			}
		}
		if len(same) > 0 {
			return hint.With(err, fmt.Sprintf("%q was removed as %s; name one: git airlock restore %s", c.Removal, strings.Join(same, ", "), same[len(same)-1]))
		}
		return hint.With(err, "removals: "+strings.Join(nf.Known, ", ")+" ('git airlock ls')")
	}
	if err != nil {
		return err
	}
	if r.Listing {
		for _, b := range r.Removal.Branches {
			fmt.Fprintf(u.Out, "%s %s\n", b.Commit[:12], quote.Path(b.Name))
		}
		u.Hint("restore one with: git airlock restore %s <branch> [--as <name>]", r.Removal.Removal)
		return nil
	}
	u.Infof("created branch %q at %.12s (%s of removed sandbox %s)", r.Branch, r.Commit, c.Branch, r.Removal.Removal)
	return nil
}
