package review

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// fakeExec records the commands run in sandboxes (side by side: under a
// lock), by sandbox.
type fakeExec struct {
	mu    sync.Mutex
	ran   map[string]sbx.ExecRequest
	codes map[string]int
}

func (f *fakeExec) Exec(_ context.Context, req sbx.ExecRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ran == nil {
		f.ran = map[string]sbx.ExecRequest{}
	}
	f.ran[req.Name] = req
	if c := f.codes[req.Name]; c != 0 {
		return &xec.ExitError{Code: c}
	}
	return nil
}

func sandboxEntries(name, agent, group, exit string) []gitx.ConfigEntry {
	r := "remote.airlock-" + name
	out := []gitx.ConfigEntry{{Key: r + ".url", Value: "airlock://" + name + "/work/" + name}, {Key: r + ".airlockagent", Value: agent}}
	if group != "" {
		out = append(out, gitx.ConfigEntry{Key: r + ".airlockgroup", Value: group}, gitx.ConfigEntry{Key: r + ".airlockexit", Value: exit})
	}
	return out
}

func TestCompareAgentsTakesTheLatestGroupAndMeasuresEach(t *testing.T) {
	w := newWorld(t, ".envrc")
	const old, latest = "t " + forkPoint + " 2026-11-01T00:00:00Z", "t " + headCommit + " 2026-11-27T00:00:00Z"
	w.svc.Entries = append(append(append(sandboxEntries("t-old", "claude", old, "0"),
		sandboxEntries("t-claude", "claude", latest, "0")...),
		sandboxEntries("t-codex", "codex", latest, "3")...),
		sandboxEntries("other", "gemini", "", "")...)
	w.repo.revs["refs/airlock/head/airlock-t-claude"] = []string{agentCommit}
	w.repo.stats = map[string][4]int{agentCommit: {2, 3, 10, 1}}
	ex := &fakeExec{codes: map[string]int{"t-codex": 1}}
	w.svc.Sbx = ex
	c, err := w.svc.CompareAgents(ctx, CompareAgentsRequest{Check: "make test", NoFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.From != headCommit || c.Base != "feature" || len(c.Sandboxes) != 2 {
		t.Fatalf("comparison %+v", c)
	}
	claude, codex := c.Sandboxes[0], c.Sandboxes[1]
	if claude.Name != "t-claude" || *claude.Exit != 0 || claude.Commits != 2 || claude.Files != 3 || claude.Added != 10 ||
		claude.Counts.High != 1 || claude.Check.Exit != 0 {
		t.Errorf("claude row %+v", claude)
	}
	// codex's HEAD was never fetched: the row says so, the table goes on.
	if codex.Name != "t-codex" || *codex.Exit != 3 || codex.Error != "nothing fetched" || codex.Check.Exit != 1 {
		t.Errorf("codex row %+v", codex)
	}
	if len(ex.ran) != 2 || strings.Join(ex.ran["t-claude"].Argv, " ") != "sh -c make test" || ex.ran["t-claude"].Dir != "/work/t-claude" {
		t.Errorf("checks ran %+v", ex.ran)
	}
	if w.did("merge") || len(w.repo.notes) != 0 {
		t.Errorf("compare changed something: %v", w.repo.calls)
	}
}

func TestCompareAgentsNamedSandboxesMustExist(t *testing.T) {
	w := newWorld(t)
	if _, err := w.svc.CompareAgents(ctx, CompareAgentsRequest{Names: []string{"nope"}}); err == nil {
		t.Errorf("an unknown sandbox was compared")
	}
}
