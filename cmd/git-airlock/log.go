package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type logCmd struct {
	compareFlags
	Oneline bool `help:"One line per commit."`
	Reviews bool `help:"Show the review records (refs/notes/airlock) of sandbox work in the current branch's history instead."`
}

// Run takes the target from l only for the sandbox's log: the reviews of
// the current branch need no sandbox, and may outlive every one.
func (c *logCmd) Run(ctx context.Context, svc *review.Service, l *Loaded, u *ui.UI) error {
	if c.Reviews {
		return svc.Reviews(ctx, streams(u), c.Oneline)
	}
	t, err := l.target()
	if err != nil {
		return err
	}
	return svc.Log(ctx, c.request(t, u), c.Oneline)
}
