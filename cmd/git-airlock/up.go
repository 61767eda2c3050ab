package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

type upCmd struct {
	AgentArgs []string `arg:"" optional:"" help:"Arguments for the agent, after --: a first argument starting with '-' is added to the agent's default command, a bare word replaces it."`
}

func (c *upCmd) Help() string {
	return `Checks the repository and sbx, sets sbx's network policy once, creates a
clone-mode sandbox (the host repository stays read-only to it), registers it
as the git remote airlock-<name>, and attaches the agent to your terminal.

  git airlock up
  git airlock up --agent codex --name fix-login
  git airlock up -- --continue
  git airlock up --tmux-detached`
}

func (c *upCmd) Run(ctx context.Context, g *Globals, svc *workflow.Service, u *ui.UI, inv *Invocation) error {
	if err := svc.OfferInit(ctx, "."); err != nil {
		return err
	}
	name, err := upName(svc)
	if err != nil {
		return err
	}
	if g.Tmux || g.TmuxDetached {
		return svc.InTmux(ctx, workflow.TmuxRequest{Name: name, Argv: append([]string{"--name", name}, withoutTmux(inv.Args)...),
			Detached: g.TmuxDetached, InsideTmux: insideTmux(inv), Env: sessionEnv(inv), Streams: streams(u)})
	}
	return svc.Up(ctx, workflow.UpRequest{Name: name, AgentArgs: c.AgentArgs, Streams: streams(u)})
}

// upName: up creates, so an unset name means the default for this
// repository and agent rather than "the only sandbox".
func upName(svc *workflow.Service) (string, error) {
	if n := svc.Settings.Name(); n != "" {
		return n, nil
	}
	if svc.Repo == nil {
		return svc.Target()
	}
	return workflow.DefaultName(svc.Settings.Agent(), svc.Repo.Root), nil
}
