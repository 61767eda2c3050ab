package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type rmCmd struct {
	Force bool `short:"f" help:"Remove even if the sandbox holds unfetched commits or uncommitted changes (they are lost)."`
}

func (c *rmCmd) Help() string {
	return `Fetches every branch first and refuses while the sandbox holds commits that
are not fetched or changes that are not committed, unless --force. The
fetched branches stay under refs/airlock/removed/<name>@<n>/, a namespace of
their own for each removal (a name removed again never overwrites what an
earlier removal kept), and 'git airlock ls' lists each removal as a row.`
}

func (c *rmCmd) Run(ctx context.Context, svc *lifecycle.Service, t target) error {
	return svc.Remove(ctx, lifecycle.RemoveRequest{Name: string(t), Force: c.Force})
}
