package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/sbx"
)

// What the installed sbx does with agents, as of 0.53 (sbx-0.55-facts.md):
// it retired gemini, and `sbx run -- ARGS` keeps the image's own
// arguments.

// requireAgents refuses agents the installed sbx no longer creates
// sandboxes for, before sbx is asked to create anything: one line that
// says so and which agents remain.
func requireAgents(caps sbx.Capabilities, agents ...string) error {
	for _, a := range agents {
		if err := caps.RequireAgent(a); err != nil {
			var left []string
			for _, n := range agent.Names() {
				if caps.RequireAgent(n) == nil {
					left = append(left, n)
				}
			}
			return hint.With(fmt.Errorf("%w; it runs %s", err, strings.Join(left, ", ")),
				"choose one with --agent (or git config airlock.agent); sandboxes made for "+a+" before keep running")
		}
	}
	return nil
}

// sessionArgs is what `sbx run NAME --` gets for the user's agent args
// under the installed sbx's rule: a subcommand the agent's image already
// runs is not given again (agent.SessionArgs), and the user is told.
func (s *Starter) sessionArgs(ctx context.Context, agentName string, args []string) []string {
	a, ok := agent.Lookup(agentName)
	caps, err := s.Sbx.Probe(ctx)
	if !ok || err != nil {
		return args
	}
	out, dropped := a.SessionArgs(caps.ArgRule(), args)
	if dropped != "" {
		s.UI.Infof("%s already runs %q, and sbx %s keeps the agent's own arguments: passing %q without it", agentName, dropped, caps.Version, strings.Join(args[1:], " "))
	}
	return out
}
