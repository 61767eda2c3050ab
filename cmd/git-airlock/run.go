package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type runCmd struct {
	Task      string   `arg:"" help:"The task, in quotes."`
	AgentArgs []string `arg:"" optional:"" help:"More arguments for the agent, after --."`
	NoFetch   bool     `help:"Do not fetch the agent's work when it finishes."`
	Agents    []string `sep:"," placeholder:"AGENT" help:"Run the task in one new sandbox per agent, side by side (see 'git airlock compare')."`
	Count     int      `default:"1" placeholder:"N" help:"Sandboxes per agent (with --agents, or for --agent alone)."`
	Jobs      int      `default:"3" placeholder:"N" help:"With several sandboxes: how many agents run at once."`
	JSON      bool     `name:"json" help:"With several sandboxes: print the result as JSON."`
	notifyFlag
}

func (c *runCmd) Help() string {
	return `Runs the agent without a terminal (claude -p, codex exec, opencode run;
other agents get the task as their last argument), reports its exit status,
and fetches what it committed into airlock-<name>.

With --agents (or --count N), one new sandbox per agent (and per count),
named <base>-<agent>[-<n>] (<base>: --name, else <folder>-<hash>), all
cloned from the commit checked out now; the agents run side by side,
--jobs at a time, their output labelled with the sandbox; each is fetched.
'git airlock compare' then shows them in one table.

  git airlock run "make the failing test pass"
  git airlock run --tmux-detached "upgrade the dependencies"
  git airlock run --agents claude,codex,copilot "fix issue 42"
  git airlock run --agent codex --count 3 "make it faster"`
}

func (c *runCmd) Run(ctx context.Context, g *Globals, l *Loaded, u *ui.UI, inv *Invocation) error {
	// Checked before choosing one sandbox or several: --count 0 must not
	// run one agent.
	if c.Count < 1 || c.Jobs < 1 {
		return hint.Errorf([]string{"give a number of 1 or more"}, "--count and --jobs must be at least 1")
	}
	if len(c.Agents) > 0 || c.Count > 1 {
		return c.runAgents(ctx, g, l, u, inv)
	}
	if c.JSON {
		return hint.Errorf([]string{"--json is for several sandboxes: --agents or --count"}, "run --json without --agents")
	}
	name, err := startName(ctx, g, l, u, inv)
	if err != nil {
		return err
	}
	if (g.Tmux || g.TmuxDetached) && l.Lifecycle.common.Server != nil { // tmux on the server: the agent outlives this connection
		return l.Lifecycle.console().RunInServerTmux(ctx, lifecycle.RunRequest{Name: name, Task: c.Task, AgentArgs: c.AgentArgs, Streams: streams(u), NoFetch: c.NoFetch}, g.TmuxDetached)
	}
	if g.Tmux || g.TmuxDetached {
		return inTmux(ctx, g, l, u, inv, name, lifecycle.ModeRun)
	}
	err = l.Lifecycle.starter().Run(ctx, lifecycle.RunRequest{Name: name, Task: c.Task, AgentArgs: c.AgentArgs, Streams: streams(u), NoFetch: c.NoFetch})
	notifyEnd(ctx, notifier(l, u, inv, c.Notify), u, l, name, "the agent's run", err)
	return err
}

// runAgents is run --agents / --count: one sandbox per agent and count.
func (c *runCmd) runAgents(ctx context.Context, g *Globals, l *Loaded, u *ui.UI, inv *Invocation) error {
	if err := l.valid(); err != nil {
		return err
	}
	if l.Repo == nil {
		return workflow.ErrNotRepository
	}
	if g.Tmux || g.TmuxDetached {
		return hint.Errorf([]string{"run them without --tmux; each agent's output is labelled with its sandbox"}, "--agents runs headless only")
	}
	if len(c.Agents) > 0 && g.Agent != "" {
		return hint.Errorf([]string{"one agent, several times: --agent " + g.Agent + " --count N", "several agents: --agents " + g.Agent + ",codex"},
			"--agent and --agents both name the agents")
	}
	agents := c.Agents
	if len(agents) == 0 {
		agents = []string{l.Settings.Agent()}
	}
	for i := range agents {
		agents[i] = strings.TrimSpace(agents[i])
	}
	base := l.Settings.Name()
	if base == "" {
		base = sandboxref.DefaultGroupBase(l.Repo.Root)
	}
	lab := &labeller{out: u.Out, err: u.Err}
	if c.JSON {
		lab.out = u.Err // stdout is the JSON
	}
	res, err := l.Lifecycle.groupRunner().RunAgents(ctx, lifecycle.AgentsRequest{Base: base, Agents: agents, Count: c.Count, Task: c.Task,
		AgentArgs: c.AgentArgs, Jobs: c.Jobs, NoFetch: c.NoFetch, Output: lab.streams, Now: gitClock(inv.Env)})
	lab.flush()
	if err != nil {
		return err
	}
	if c.JSON {
		if err := u.JSON(res); err != nil {
			return err
		}
	} else {
		for _, r := range res.Runs {
			switch {
			case r.Error != "":
				fmt.Fprintf(u.Out, "%-30s %-8s did not run: %s\n", r.Name, r.Agent, r.Error)
			case r.DryRun:
				fmt.Fprintf(u.Out, "%-30s %-8s not run (dry run)\n", r.Name, r.Agent)
			default:
				fmt.Fprintf(u.Out, "%-30s %-8s exit %d\n", r.Name, r.Agent, r.Exit)
			}
		}
		u.Hint("compare them: git airlock compare (--check \"make test\" runs a check in each)")
	}
	if res.Failed() {
		return &hint.ExitError{Code: 1}
	}
	return nil
}
