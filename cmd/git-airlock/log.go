package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type logCmd struct {
	compareFlags
	Oneline bool `help:"One line per commit."`
}

// Run: commit subjects and names are the agent's text. On a terminal git
// pages them itself, through less -R by default, which shows every escape
// but colours as text; anywhere else (a pipe, a file) they are masked here
// (quote.Writer), as git would not.
func (c *logCmd) Run(ctx context.Context, svc *review.Service, t target, u *ui.UI) error {
	req := c.request(t, u)
	if !u.OutTerminal() {
		masked := &quote.Writer{W: u.Out}
		defer masked.Flush()
		req.Streams.Out = masked
	}
	return svc.Log(ctx, req, c.Oneline)
}
