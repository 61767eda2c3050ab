package gate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// containsFake answers RefsContaining from a table and counts calls.
type containsFake struct {
	refs  map[string][]string // commit → refs containing it
	calls int
}

func (c *containsFake) RefsContaining(_ context.Context, commit string, prefixes ...string) ([]string, error) {
	c.calls++
	if !slices.Equal(prefixes, sandboxref.ProvenancePrefixes) {
		return nil, errors.New("not every sandbox namespace asked")
	}
	return c.refs[commit], nil
}

func TestParseRefUpdates(t *testing.T) {
	got := ParseRefUpdates(strings.NewReader(headCommit + " " + agentCommit + " refs/heads/main\n\nbad line\n"))
	if len(got) != 1 || got[0] != (RefUpdate{Old: headCommit, New: agentCommit, Ref: "refs/heads/main"}) {
		t.Errorf("got %+v", got)
	}
}

func TestReferenceTransaction(t *testing.T) {
	const zero = "0000000000000000000000000000000000000000"
	ff := []RefUpdate{{Old: headCommit, New: agentCommit, Ref: "refs/heads/main"}}
	fromSandbox := map[string][]string{agentCommit: {"refs/airlock/head/airlock-x", "refs/remotes/airlock-x/HEAD", "refs/remotes/airlock-x/agent/w"}}
	for _, tc := range []struct {
		name      string
		state     string
		updates   []RefUpdate
		refs      map[string][]string
		accepted  bool
		changes   []string
		wantRef   string // "" for silence
		wantCalls int
	}{
		{name: "fast-forward to a risky sandbox commit", state: "committed", updates: ff, refs: fromSandbox,
			changes: []string{".github/workflows/ci.yml"}, wantRef: "airlock-x/agent/w", wantCalls: 1},
		{name: "prepared: not read", state: "prepared", updates: ff, refs: fromSandbox,
			changes: []string{".github/workflows/ci.yml"}},
		{name: "an ordinary commit: one lookup, silence", state: "committed", updates: ff,
			changes: []string{".github/workflows/ci.yml"}, wantCalls: 1},
		{name: "nothing risky", state: "committed", updates: ff, refs: fromSandbox, changes: []string{"README.md"}, wantCalls: 1},
		{name: "accepted already", state: "committed", updates: ff, refs: fromSandbox, accepted: true,
			changes: []string{".github/workflows/ci.yml"}, wantCalls: 1},
		{name: "another branch", state: "committed", updates: []RefUpdate{{Old: headCommit, New: agentCommit, Ref: "refs/heads/other"}},
			refs: fromSandbox, changes: []string{".github/workflows/ci.yml"}},
		{name: "a fetch into a remote-tracking ref", state: "committed", updates: []RefUpdate{{Old: headCommit, New: agentCommit, Ref: "refs/remotes/airlock-x/agent/w"}},
			refs: fromSandbox, changes: []string{".github/workflows/ci.yml"}},
		{name: "branch created or deleted", state: "committed",
			updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "refs/heads/main"}, {Old: agentCommit, New: zero, Ref: "refs/heads/main"}},
			refs:    fromSandbox, changes: []string{".github/workflows/ci.yml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := agentRepo(tc.changes...)
			cr := &containsFake{refs: tc.refs}
			err := (&Gate{Repo: repo}).ReferenceTransaction(context.Background(), cr, tc.state, tc.updates, "main",
				func(string) bool { return tc.accepted })
			var w *LandWarning
			switch {
			case tc.wantRef == "" && err != nil:
				t.Errorf("err = %v, want silence", err)
			case tc.wantRef != "" && !errors.As(err, &w):
				t.Errorf("err = %v, want a *LandWarning", err)
			case tc.wantRef != "" && (w.Report.Ref != tc.wantRef || w.Report.Base != "main" || w.Report.Commit != agentCommit):
				t.Errorf("report %+v", w.Report)
			}
			if cr.calls != tc.wantCalls {
				t.Errorf("RefsContaining called %d times, want %d", cr.calls, tc.wantCalls)
			}
		})
	}
}
