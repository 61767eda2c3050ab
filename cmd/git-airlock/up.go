package main

import (
	"context"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type upCmd struct {
	AgentArgs []string `arg:"" optional:"" help:"Arguments for the agent's session, after -- (how sbx combines them with the agent's own: above)."`
	notifyFlag
}

func (c *upCmd) Help() string {
	return `Checks the repository and sbx, sets sbx's network policy once, creates a
clone-mode sandbox (the host repository stays read-only to it), registers it
as the git remote airlock-<name>, and attaches the agent to your terminal.

Arguments after -- go to the agent's session. sbx 0.53 and newer keep the
agent's own arguments (claude's --dangerously-skip-permissions, kiro's chat)
and add yours; a subcommand the agent already runs is not passed again.
Before 0.53, a first argument starting with '-' is added to them and a bare
word replaces them.

  git airlock up
  git airlock up --agent codex --name fix-login
  git airlock up -- --continue
  git airlock up --agent kiro -- "explain the build"
  git airlock up --tmux-detached`
}

func (c *upCmd) Run(ctx context.Context, g *Globals, l *Loaded, u *ui.UI, inv *Invocation) error {
	name, err := startName(ctx, g, l, u, inv)
	if err != nil {
		return err
	}
	if (g.Tmux || g.TmuxDetached) && l.Lifecycle.common.Server != nil { // tmux on the server: the agent outlives this connection
		return l.Lifecycle.console().UpInServerTmux(ctx, lifecycle.UpRequest{Name: name, AgentArgs: c.AgentArgs, Streams: streams(u)}, g.TmuxDetached)
	}
	if g.Tmux || g.TmuxDetached {
		return inTmux(ctx, g, l, u, inv, name, lifecycle.ModeUp)
	}
	err = l.Lifecycle.starter().Up(ctx, lifecycle.UpRequest{Name: name, AgentArgs: c.AgentArgs, Streams: streams(u)})
	notifyEnd(ctx, notifier(l, u, inv, c.Notify), u, l, name, "the agent's session", err)
	return err
}

// startName is the sandbox up and run start. Outside a repository, on a
// terminal, it first offers to create one (clone mode needs one).
func startName(ctx context.Context, g *Globals, l *Loaded, u *ui.UI, inv *Invocation) (string, error) {
	if l.Err != nil {
		return "", l.Err
	}
	created, err := l.Lifecycle.console().OfferInit(ctx, ".", func(ctx context.Context, dir string) error { return gitx.Init(ctx, l.Run, dir) })
	if err != nil {
		return "", err
	}
	if created {
		if err := l.reopen(ctx, g, u, inv); err != nil {
			return "", err
		}
	}
	if err := l.valid(); err != nil {
		return "", err
	}
	return l.createName()
}

// inTmux re-runs this command in a tmux session of its own.
func inTmux(ctx context.Context, g *Globals, l *Loaded, u *ui.UI, inv *Invocation, name, mode string) error {
	return l.Lifecycle.console().InTmux(ctx, lifecycle.TmuxRequest{Name: name, Argv: append([]string{"--name", name}, withoutTmux(inv.Args)...),
		Detached: g.TmuxDetached, InsideTmux: insideTmux(inv), Env: sessionEnv(inv), Streams: streams(u), Mode: mode})
}
