package gate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// containsFake answers RefsContaining from tables and counts calls:
// refs for the sandbox namespaces, heads for refs/heads/.
type containsFake struct {
	refs      map[string][]string // commit → sandbox refs containing it
	heads     map[string][]string // commit → branches containing it
	ancestors map[string]bool     // "a b": a is reachable from b
	prior     map[string]string   // ref → its value before the last update
	calls     int
}

func (c *containsFake) PriorValue(_ context.Context, ref string) string { return c.prior[ref] }

func (c *containsFake) RefsContaining(_ context.Context, commit string, prefixes ...string) ([]string, error) {
	c.calls++
	switch {
	case slices.Equal(prefixes, []string{"refs/heads/"}):
		return c.heads[commit], nil
	case !slices.Equal(prefixes, sandboxref.ProvenancePrefixes):
		return nil, errors.New("not every sandbox namespace asked")
	}
	return c.refs[commit], nil
}

func (c *containsFake) IsAncestor(a, b string) (bool, error) {
	return a == b || c.ancestors[a+" "+b], nil
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
	throughHead := []RefUpdate{{Old: headCommit, New: agentCommit, Ref: "HEAD"}, {Old: headCommit, New: agentCommit, Ref: "refs/heads/main"}}
	fromSandbox := map[string][]string{agentCommit: {"refs/airlock/head/airlock-x", "refs/remotes/airlock-x/HEAD", "refs/remotes/airlock-x/agent/w"}}
	onMain := Head{Branch: "main", Commit: agentCommit}
	risky := []string{".github/workflows/ci.yml"}
	for _, tc := range []struct {
		name      string
		state     string
		updates   []RefUpdate
		refs      map[string][]string
		heads     map[string][]string
		prior     map[string]string
		head      Head
		accepted  bool
		changes   []string
		wantRef   string // "" for silence
		wantBase  string
		created   bool
		wantCalls int
	}{
		{name: "fast-forward to a risky sandbox commit", state: "committed", updates: ff, refs: fromSandbox, head: onMain,
			heads:   map[string][]string{agentCommit: {"refs/heads/main"}},
			changes: risky, wantRef: "airlock-x/agent/w", wantBase: "main", wantCalls: 2},
		{name: "through HEAD: reported once, by branch", state: "committed", updates: throughHead, refs: fromSandbox, head: onMain,
			changes: risky, wantRef: "airlock-x/agent/w", wantBase: "main", wantCalls: 2},
		{name: "prepared: not read", state: "prepared", updates: ff, refs: fromSandbox, head: onMain, changes: risky},
		{name: "an ordinary commit: one lookup, silence", state: "committed", updates: throughHead, head: onMain,
			changes: risky, wantCalls: 1},
		{name: "nothing risky", state: "committed", updates: ff, refs: fromSandbox, head: onMain, changes: []string{"README.md"}, wantCalls: 2},
		{name: "accepted already", state: "committed", updates: ff, refs: fromSandbox, head: onMain, accepted: true,
			changes: risky, wantCalls: 1},
		{name: "another branch moved to it", state: "committed", updates: []RefUpdate{{Old: headCommit, New: agentCommit, Ref: "refs/heads/other"}},
			refs: fromSandbox, head: Head{Branch: "main", Commit: headCommit}, changes: risky, wantRef: "airlock-x/agent/w", wantBase: "other", wantCalls: 2},
		{name: "a fetch into a remote-tracking ref", state: "committed", updates: []RefUpdate{{Old: headCommit, New: agentCommit, Ref: "refs/remotes/airlock-x/agent/w"}},
			refs: fromSandbox, head: onMain, changes: risky},
		{name: "switch -c x <sandbox commit>", state: "committed", updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "refs/heads/x"}},
			refs: fromSandbox, head: Head{Branch: "main", Commit: headCommit}, heads: map[string][]string{agentCommit: {"refs/heads/x"}},
			changes: risky, wantRef: "airlock-x/agent/w", wantBase: "x", created: true, wantCalls: 2},
		{name: "a branch created where a host branch already is", state: "committed", updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "refs/heads/x"}},
			refs: fromSandbox, head: Head{Branch: "dev", Commit: headCommit}, heads: map[string][]string{agentCommit: {"refs/heads/main", "refs/heads/x"}},
			changes: risky, wantCalls: 2},
		{name: "checked out detached, or a rebase's first step onto it", state: "committed", updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "HEAD"}},
			refs: fromSandbox, prior: map[string]string{"HEAD": headCommit}, head: Head{Commit: agentCommit}, changes: risky, wantRef: "airlock-x/agent/w", wantBase: "HEAD", wantCalls: 2},
		{name: "checked out detached where HEAD was", state: "committed", updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "HEAD"}},
			refs: fromSandbox, prior: map[string]string{"HEAD": agentCommit}, head: Head{Commit: agentCommit}, changes: risky, wantCalls: 1},
		{name: "a rebase's last step: HEAD is there already", state: "committed", updates: ff,
			refs: fromSandbox, head: Head{Commit: agentCommit}, changes: risky, wantCalls: 1},
		{name: "branch deleted", state: "committed", updates: []RefUpdate{{Old: agentCommit, New: zero, Ref: "refs/heads/main"}},
			refs: fromSandbox, head: onMain, changes: risky},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := agentRepo(tc.changes...)
			cr := &containsFake{refs: tc.refs, heads: tc.heads, prior: tc.prior}
			err := (&Gate{Repo: repo}).ReferenceTransaction(context.Background(), cr, tc.state, tc.updates, tc.head,
				func(string) bool { return tc.accepted })
			var w *LandWarning
			switch {
			case tc.wantRef == "" && err != nil:
				t.Errorf("err = %v, want silence", err)
			case tc.wantRef != "" && !errors.As(err, &w):
				t.Errorf("err = %v, want a *LandWarning", err)
			case tc.wantRef != "" && (w.Report.Ref != tc.wantRef || w.Landed != tc.wantBase || w.Report.Commit != agentCommit || w.Created != tc.created):
				t.Errorf("report %+v created %v", w.Report, w.Created)
			}
			if cr.calls != tc.wantCalls {
				t.Errorf("RefsContaining called %d times, want %d", cr.calls, tc.wantCalls)
			}
		})
	}
}
