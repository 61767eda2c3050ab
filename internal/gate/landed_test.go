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
	calls     int
}

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
	fromSandbox := map[string][]string{agentCommit: {"refs/airlock/head/airlock-x", "refs/remotes/airlock-x/HEAD", "refs/remotes/airlock-x/agent/w"}}
	risky := []string{".github/workflows/ci.yml"}
	for _, tc := range []struct {
		name      string
		updates   []RefUpdate
		refs      map[string][]string
		heads     map[string][]string
		prior     map[string]string // a ref's value before the transaction, when git passes zero
		head      Head
		changes   []string
		wantRef   string // "" for silence
		wantBase  string
		created   bool
		wantCalls int
	}{
		{name: "switch -c x <sandbox commit>", updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "refs/heads/x"}},
			refs: fromSandbox, head: Head{Branch: "main", Commit: headCommit}, heads: map[string][]string{agentCommit: {"refs/heads/x"}},
			changes: risky, wantRef: "airlock-x/agent/w", wantBase: "x", created: true, wantCalls: 2},
		{name: "a branch created where a host branch already is", updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "refs/heads/x"}},
			refs: fromSandbox, head: Head{Branch: "dev", Commit: headCommit}, heads: map[string][]string{agentCommit: {"refs/heads/main", "refs/heads/x"}},
			changes: risky, wantCalls: 2},
		{name: "checked out detached, or a rebase's first step onto it", updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "HEAD"}},
			refs: fromSandbox, prior: map[string]string{"HEAD": headCommit}, head: Head{Commit: agentCommit}, changes: risky, wantRef: "airlock-x/agent/w", wantBase: "HEAD", wantCalls: 2},
		{name: "checked out detached where HEAD was", updates: []RefUpdate{{Old: zero, New: agentCommit, Ref: "HEAD"}},
			refs: fromSandbox, prior: map[string]string{"HEAD": agentCommit}, head: Head{Commit: agentCommit}, changes: risky, wantCalls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := agentRepo(tc.changes...)
			cr := &containsFake{refs: tc.refs, heads: tc.heads}
			// Before the transaction, a ref holds the old value git passes,
			// or (git passes zero when it did not check) what prior says.
			current := func(ref string) string {
				if v, ok := tc.prior[ref]; ok {
					return v
				}
				for _, u := range tc.updates {
					if u.Ref == ref && !zeroID(u.Old) {
						return u.Old
					}
				}
				return ""
			}
			err := (&Gate{Repo: repo, Notes: repo}).ReferenceTransaction(context.Background(), cr, tc.updates, tc.head, current,
				func(string) bool { return false })
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

// A prepared transaction: a branch that exists and moves into sandbox
// history is stopped; remote-tracking refs (a fetch), deletions and
// symbolic updates are not landings.
func TestRefTransactionStopsMovesOnly(t *testing.T) {
	const zero = "0000000000000000000000000000000000000000"
	for _, tc := range []struct {
		name    string
		u       RefUpdate
		wantRef string
	}{
		{name: "fast-forward", u: RefUpdate{Old: forkPoint, New: agentCommit, Ref: "refs/heads/main"}, wantRef: "airlock-x/agent/w"},
		{name: "update-ref without an old value", u: RefUpdate{Old: zero, New: hostCommit, Ref: "refs/heads/main"}, wantRef: "airlock-x/agent/w"},
		{name: "a fetch", u: RefUpdate{Old: forkPoint, New: agentCommit, Ref: "refs/remotes/airlock-x/agent/w"}},
		{name: "a deletion", u: RefUpdate{Old: forkPoint, New: zero, Ref: "refs/heads/main"}},
		{name: "HEAD made symbolic", u: RefUpdate{Old: zero, New: "ref:refs/heads/main", Ref: "HEAD"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := moveRepo(".envrc")
			current := func(ref string) string {
				if ref == "refs/heads/main" || ref == "HEAD" {
					return forkPoint
				}
				return ""
			}
			err := (&Gate{Repo: repo, Notes: repo}).RefTransaction(context.Background(), repo, repo, []RefUpdate{tc.u},
				Head{Branch: "main", Commit: forkPoint}, current, nil)
			var stop *Stop
			switch {
			case tc.wantRef == "" && err != nil:
				t.Errorf("err = %v, want nothing", err)
			case tc.wantRef != "" && (!errors.As(err, &stop) || stop.Report.Ref != tc.wantRef || stop.Branch != "main" || stop.Old != forkPoint):
				t.Errorf("err = %v, want a stop of main naming %s", err, tc.wantRef)
			}
		})
	}
}
