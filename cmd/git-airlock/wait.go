package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/notify"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type waitCmd struct {
	Timeout time.Duration `placeholder:"DURATION" help:"Give up after this long (90s, 10m, 2h); exit status 124."`
	JSON    bool          `name:"json" help:"Print the outcome as JSON instead of what arrived."`
	NoFetch bool          `help:"Do not fetch when the agent ends."`
	notifyFlag
}

func (c *waitCmd) Help() string {
	return `Waits until the agent that 'git airlock run' or 'git airlock up' started in
the sandbox (in the foreground, in tmux, or in another terminal) has
finished, or, for an interactive Claude Code or Codex session, asks for
input; then fetches and shows what arrived: the agent's commits, the files
changed and the inspect summary. Waiting reads a record on the host and
never starts a stopped sandbox.

Exit status: 0 the agent finished with status 0, 4 it failed (a non-zero
status, or its session ended without one), 5 it waits for input, 124
--timeout passed, 1 wait itself failed.

  git airlock run --tmux-detached "upgrade the dependencies"
  git airlock wait --notify
  git airlock wait --timeout 30m --name fix-login`
}

func (c *waitCmd) Run(ctx context.Context, svc *lifecycle.Waiter, t target, u *ui.UI, l *Loaded, inv *Invocation) error {
	res, err := svc.Wait(ctx, lifecycle.WaitRequest{Name: string(t), Timeout: c.Timeout, NoFetch: c.NoFetch})
	if err != nil {
		return err
	}
	n := notifier(l, u, inv, c.Notify)
	summary, body := waitText(res, c.Timeout)
	line := summary + ": " + body
	if res.Waiting != nil {
		line += fmt.Sprintf(" (since %s)", res.Waiting.Since.Local().Format("15:04:05"))
	}
	if res.ExitCode() == 0 {
		u.Infof("%s", line)
	} else {
		u.Warnf("%s", line)
	}
	var report *gate.Report
	arrived := review.CompareRequest{Name: string(t), NoFetch: true, Streams: streams(u)} // wait has fetched already
	if res.Fetched {
		if r, err := l.Reviewer.Inspect(ctx, arrived); err == nil {
			report = &r
		} else {
			u.Warnf("%v", err)
		}
	}
	if c.JSON {
		if err := u.JSON(struct {
			lifecycle.WaitResult
			Inspect *gate.Report `json:"inspect,omitempty"`
		}{res, report}); err != nil {
			return err
		}
	} else if res.Fetched {
		if err := l.Reviewer.Arrived(ctx, arrived); err != nil {
			u.Warnf("%v", err)
		}
		if report != nil {
			printReport(u.Out, *report)
		}
	}
	send(ctx, n, u, "git airlock: "+summary, body)
	switch res.Outcome {
	case lifecycle.OutcomeWaiting:
		u.Hint("answer it with 'git airlock attach --name %s'", t)
	case lifecycle.OutcomeTimedOut:
		u.Hint("the agent goes on; wait again, or look with '%s'", workflow.Suggest(l.Entries, string(t), "status"))
	}
	if code := res.ExitCode(); code != 0 {
		return &hint.ExitError{Code: code}
	}
	return nil
}

// waitText says how the wait ended, in a summary and a body. The agent's
// own words come from the sandbox: cleaned and quoted.
func waitText(res lifecycle.WaitResult, timeout time.Duration) (summary, body string) {
	rec := res.Session
	who := fmt.Sprintf("%s in sandbox %q", rec.Agent, res.Sandbox)
	switch res.Outcome {
	case lifecycle.OutcomeFinished:
		return res.Sandbox + " finished", who + " finished with status 0"
	case lifecycle.OutcomeFailed:
		return res.Sandbox + " failed", fmt.Sprintf("%s ended with status %d", who, *rec.Exit)
	case lifecycle.OutcomeLost:
		return res.Sandbox + " ended", who + " ended without a status (its git-airlock process or tmux pane is gone)"
	case lifecycle.OutcomeWaiting:
		body = who + " waits for input"
		if msg := notify.Clean(res.Waiting.Message, 200); msg != "" {
			body += ": " + strconv.Quote(msg)
		}
		return res.Sandbox + " waits for input", body
	}
	return res.Sandbox + " still running", fmt.Sprintf("%s still runs after %s", who, timeout)
}
