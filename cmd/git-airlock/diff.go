package main

import (
	"context"
	"github.com/git-airlock/git-airlock/gitx"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type diffCmd struct {
	compareFlags
	Stat bool `help:"Show a diffstat instead of the patch."`
}

func (c *diffCmd) Help() string {
	return `Shows 'git diff <base>...<sandbox branch>': what the agent changed since
it forked from the base, fetching first. Every option git diff knows passes
through (--name-only, --name-status, -U5, --word-diff), and paths after --
limit the diff; give an option's value attached (-U5, --output=x), since a
separate word reads as the base.

  git airlock diff
  git airlock diff --name-only
  git airlock diff main -- src/
  git airlock diff -b agent/feature --stat`
}

func (c *diffCmd) Run(ctx context.Context, svc *review.Reviewer, t target, u *ui.UI) error {
	return svc.Diff(ctx, c.request(t, u), formOf(c.Stat))
}

// formOf is the form --stat (diff) and --oneline (log) ask for.
func formOf(summary bool) gitx.Form {
	if summary {
		return gitx.Summary
	}
	return gitx.Full
}
