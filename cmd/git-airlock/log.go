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
	Reviews bool `help:"Show the review records (refs/notes/airlock) of sandbox work in the current branch's history instead."`
}

func (c *logCmd) Help() string {
	return `Shows 'git log <base>..<sandbox branch>': the agent's commits that the
base lacks, fetching first, with the review notes (refs/notes/airlock) of
commits a merge, apply or pr inspected. Every option git log knows passes
through (-p, --stat, --graph), and paths after -- limit the log; a
format of your own (--oneline, --pretty, --format) leaves the notes out.

  git airlock log
  git airlock log --oneline
  git airlock log -p -- calc.py
  git airlock log --reviews`
}

// Run takes the target from l only for the sandbox's log: the reviews of
// the current branch need no sandbox, and may outlive every one. Commit
// subjects and names are the agent's text. On a terminal git pages them
// itself, through less -R by default, which shows every escape but colours
// as text; anywhere else (a pipe, a file) they are masked here
// (quote.Writer), as git would not.
func (c *logCmd) Run(ctx context.Context, svc *review.Reviewer, l *Loaded, u *ui.UI) error {
	st := streams(u)
	if !u.OutTerminal() {
		masked := &quote.Writer{W: u.Out}
		defer masked.Flush()
		st.Out = masked
	}
	if c.Reviews {
		return svc.Reviews(ctx, st, c.Oneline)
	}
	t, err := l.target()
	if err != nil {
		return err
	}
	req := c.request(t, u)
	req.Streams = st
	return svc.Log(ctx, req, formOf(c.Oneline))
}
