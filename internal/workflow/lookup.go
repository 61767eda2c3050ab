package workflow

import (
	osexec "os/exec"

	"github.com/git-airlock/git-airlock/internal/agent"
)

// lookPath only looks a program up; it starts nothing.
func lookPath(name string) (string, error) { return osexec.LookPath(name) }

func agentLookup(name string) (agent.Agent, bool) { return agent.Lookup(name) }
