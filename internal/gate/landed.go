package gate

import (
	"bufio"
	"context"
	"io"
	"strings"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// RefUpdate is one line of a reference-transaction hook's stdin.
type RefUpdate struct{ Old, New, Ref string }

// ParseRefUpdates reads a reference-transaction hook's stdin:
// "<old> <new> <ref>" a line.
func ParseRefUpdates(r io.Reader) []RefUpdate {
	var out []RefUpdate
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 {
			out = append(out, RefUpdate{Old: f[0], New: f[1], Ref: f[2]})
		}
	}
	return out
}

func zeroID(id string) bool { return strings.Trim(id, "0") == "" }

// ContainsRepo finds the refs whose history holds a commit in one git
// call (gitx.Repo.RefsContaining).
type ContainsRepo interface {
	RefsContaining(ctx context.Context, commit string, prefixes ...string) ([]string, error)
}

// LandWarning is a sandbox commit that landed on the checked-out branch
// without a merge commit (a fast-forward, a pull, a reset) and brings
// high-severity findings; Report holds only those.
type LandWarning struct {
	Report Report
}

func (e *LandWarning) Error() string {
	return "a sandbox commit landed on " + e.Report.Base + " with high-severity findings"
}

// ReferenceTransaction is the reference-transaction hook's logic. Only the
// committed state is read: git cannot undo a committed transaction, so
// this warns (a *LandWarning), never stops; aborting the prepared state
// instead would leave a fast-forward's work tree updated under an old
// HEAD. Only an update that moves branch (the checked-out one) from one
// commit to another counts, and only when the new commit is contained in
// a sandbox ref (sandboxref.ProvenancePrefixes, one for-each-ref
// --contains): an ordinary commit costs that one call. accepted reports a
// commit whose risk the user accepted (git airlock merge --accept-risk),
// which is not warned about again.
func (g *Gate) ReferenceTransaction(ctx context.Context, cr ContainsRepo, state string, updates []RefUpdate,
	branch string, accepted func(commit string) bool) error {
	if state != "committed" || branch == "" || cr == nil {
		return nil
	}
	for _, u := range updates {
		if u.Ref != "refs/heads/"+branch || zeroID(u.Old) || zeroID(u.New) || u.Old == u.New {
			continue
		}
		refs, err := cr.RefsContaining(ctx, u.New, sandboxref.ProvenancePrefixes...)
		if err != nil || len(refs) == 0 {
			continue
		}
		if accepted != nil && accepted(u.New) {
			continue
		}
		r, err := g.Inspect(ctx, u.Old, u.New)
		if err != nil {
			return err
		}
		r = r.OnlyHigh()
		if len(r.Findings) == 0 {
			continue
		}
		r.Ref = sandboxref.Short(bestRef(refs))
		r.Base = branch
		return &LandWarning{Report: r}
	}
	return nil
}

// bestRef prefers a git-airlock branch to a HEAD or another namespace.
func bestRef(refs []string) string {
	for _, ref := range refs {
		if strings.HasPrefix(ref, sandboxref.AllTrackingPrefix) && !strings.HasSuffix(ref, "/HEAD") {
			return ref
		}
	}
	return refs[0]
}
