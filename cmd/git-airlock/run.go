package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type runCmd struct {
	Task      string   `arg:"" help:"The task, in quotes."`
	AgentArgs []string `arg:"" optional:"" help:"More arguments for the agent, after --."`
	NoFetch   bool     `help:"Do not fetch the agent's work when it finishes."`
	notifyFlag
}

func (c *runCmd) Help() string {
	return `Runs the agent without a terminal (claude -p, codex exec, opencode run;
other agents get the task as their last argument), reports its exit status,
and fetches what it committed into airlock-<name>.

  git airlock run "make the failing test pass"
  git airlock run --tmux-detached "upgrade the dependencies"`
}

func (c *runCmd) Run(ctx context.Context, g *Globals, l *Loaded, u *ui.UI, inv *Invocation) error {
	name, err := startName(ctx, g, l, u, inv)
	if err != nil {
		return err
	}
	if g.Tmux || g.TmuxDetached {
		return inTmux(ctx, g, l, u, inv, name, lifecycle.ModeRun)
	}
	err = l.Lifecycle.Run(ctx, lifecycle.RunRequest{Name: name, Task: c.Task, AgentArgs: c.AgentArgs, Streams: streams(u), NoFetch: c.NoFetch})
	notifyEnd(ctx, notifier(l, u, inv, c.Notify), u, name, "the agent's run", err)
	return err
}
