package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type fetchCmd struct {
	All bool `help:"Fetch every sandbox of this repository."`
}

func (c *fetchCmd) Run(ctx context.Context, svc *review.Reviewer, l *Loaded, u *ui.UI) error {
	req := review.FetchRequest{All: c.All, Streams: streams(u)}
	if !c.All {
		t, err := l.target()
		if err != nil {
			return err
		}
		req.Name = string(t)
	}
	return svc.Fetch(ctx, req)
}
