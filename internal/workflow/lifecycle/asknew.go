package lifecycle

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

// newFacts are what a new sandbox is asked once, in one exec: where its
// clone is (the remote's URL), its $HOME (where seeding copies to) and
// the agent's input config as the image made it (what wireInput adds to).
// Each was an exec of its own: on a real sbx, a round trip each.
type newFacts struct {
	clonePath string
	home      string  // "": not known, seeding asks
	input     *string // nil: not read (the agent has none, or a dry run)
}

// newFactsMark separates the clone's path from the rest of the answer.
const newFactsMark = "git-airlock-new-sandbox"

// askNew asks a sandbox just created for its newFacts. Under dry-run,
// where the sandbox was not created, it answers the stand-ins ClonePath
// and seeding use, and reads nothing.
func (s *Starter) askNew(ctx context.Context, name, agentName string) (newFacts, error) {
	file := ""
	if a, ok := agent.Lookup(agentName); ok {
		file = a.InputConfig()
	}
	out, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: name, Argv: newFactsArgv(file)})
	if s.Sbx.DryRun() && (err != nil || out == "") {
		return newFacts{clonePath: workflow.DryRunClonePath}, nil
	}
	if err != nil {
		return newFacts{}, fmt.Errorf("find the clone in sandbox %q: %w", name, workflow.SbxError(err))
	}
	facts, err := parseNewFacts(out, file != "")
	if err != nil {
		return newFacts{}, fmt.Errorf("find the clone in sandbox %q: %w", name, err)
	}
	return facts, nil
}

// newFactsArgv is askNew's question; file is the agent's input config
// ("": none), relative to $HOME.
func newFactsArgv(file string) []string {
	script := strings.Join(gitx.CloneTopLevelArgv(), " ") + ` && printf '%s\n%s\n' ` + newFactsMark + ` "$HOME"`
	if file != "" {
		script += " && cd && { cat " + file + " 2>/dev/null || true; }"
	}
	return []string{"sh", "-c", script}
}

// parseNewFacts reads askNew's answer: the clone's path (after anything
// sbx printed), the mark, $HOME on a line, then the config file's bytes.
func parseNewFacts(out string, withInput bool) (newFacts, error) {
	head, rest, ok := strings.Cut(out, "\n"+newFactsMark+"\n")
	if !ok {
		return newFacts{}, fmt.Errorf("unexpected answer %q", out)
	}
	clonePath, err := gitx.ParseCloneTopLevel(head)
	if err != nil {
		return newFacts{}, err
	}
	home, input, _ := strings.Cut(rest, "\n")
	facts := newFacts{clonePath: clonePath}
	if path.IsAbs(home) {
		facts.home = home
	}
	if withInput {
		facts.input = &input
	}
	return facts, nil
}
