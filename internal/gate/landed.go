package gate

import (
	"bufio"
	"cmp"
	"context"
	"io"
	"slices"
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
// call (gitx.Repo.RefsContaining), and answers ancestry in process.
type ContainsRepo interface {
	RefsContaining(ctx context.Context, commit string, prefixes ...string) ([]string, error)
	IsAncestor(a, b string) (bool, error)
	// PriorValue is ref's value before its last update, from its reflog
	// ("" when it has none): git leaves the old id out of the hook's
	// input when the command did not check it (a detached checkout).
	PriorValue(ctx context.Context, ref string) string
}

// LandWarning is a sandbox commit that landed on a branch or HEAD without
// a merge commit (a fast-forward, a pull, a reset, a branch created or
// checked out at it, a rebase onto it) and brings high-severity findings;
// Report holds only those, judged against Report.Base.
type LandWarning struct {
	Report  Report
	Landed  string // the branch (short name) or HEAD that moved
	Created bool   // the branch was created at the sandbox commit; Report.Base is HEAD's branch
}

func (e *LandWarning) Error() string {
	return "a sandbox commit landed on " + e.Landed + " with high-severity findings"
}

// ReferenceTransaction is the reference-transaction hook's logic. Only the
// committed state is read: git cannot undo a committed transaction, so
// this warns (a *LandWarning), never stops; aborting the prepared state
// instead would leave a fast-forward's work tree updated under an old
// HEAD.
//
// An update of a branch (refs/heads/*) or of HEAD to a commit counts when
// that commit is contained in a sandbox ref (sandboxref.ProvenancePrefixes,
// one for-each-ref --contains: an ordinary commit costs that one call) and
// was not reachable before: not from the ref's old value, from HEAD, or
// from a branch this transaction did not move. That covers a fast-forward
// or pull, `reset --hard`, `switch -c x <sandbox commit>`, checking one out
// detached, and a rebase onto one (when it first checks the sandbox
// commit out). What is judged is what the update brings over the ref's old
// value, or over HEAD for a new branch. accepted reports a commit whose
// risk the user accepted (git airlock merge --accept-risk), which is not
// warned about again. head is HEAD as this transaction left it.
func (g *Gate) ReferenceTransaction(ctx context.Context, cr ContainsRepo, state string, updates []RefUpdate,
	head Head, accepted func(commit string) bool) error {
	if state != "committed" || cr == nil {
		return nil
	}
	moved := map[string]bool{}
	for _, u := range updates {
		moved[u.Ref] = true
	}
	// A branch's line before HEAD's: a commit through HEAD moves both, and
	// the branch is the name to report.
	ordered := slices.Clone(updates)
	slices.SortStableFunc(ordered, func(a, b RefUpdate) int { return boolInt(a.Ref == "HEAD") - boolInt(b.Ref == "HEAD") })
	judged := map[string]bool{}
	for _, u := range ordered {
		if (u.Ref != "HEAD" && !strings.HasPrefix(u.Ref, "refs/heads/")) || zeroID(u.New) || u.Old == u.New || judged[u.New] {
			continue
		}
		judged[u.New] = true
		refs, err := cr.RefsContaining(ctx, u.New, sandboxref.ProvenancePrefixes...)
		if err != nil || len(refs) == 0 {
			continue
		}
		if accepted != nil && accepted(u.New) {
			continue
		}
		old := u.Old
		if zeroID(old) {
			old = cr.PriorValue(ctx, u.Ref)
		}
		base := cmp.Or(old, head.Commit)
		if base == "" || reachedBefore(ctx, cr, u.New, old, updates, moved, head) {
			continue
		}
		r, err := g.Inspect(ctx, base, u.New)
		if err != nil {
			return err
		}
		r = r.OnlyHigh()
		if len(r.Findings) == 0 {
			continue
		}
		r.Ref = sandboxref.Short(bestRef(refs))
		landed := strings.TrimPrefix(u.Ref, "refs/heads/")
		r.Base = landed
		switch {
		case u.Ref == "HEAD" && zeroID(u.Old):
			r.Base = "HEAD@{1}" // where HEAD was, read from its reflog
		case old == "":
			r.Base = cmp.Or(head.Branch, "HEAD")
		}
		return &LandWarning{Report: r, Landed: landed, Created: old == "" && u.Ref != "HEAD"}
	}
	return nil
}

// Head is HEAD as the reference-transaction hook sees it.
type Head struct {
	Branch string // "" when detached
	Commit string // "" in a repository without commits
}

// reachedBefore reports whether commit was already on the host's side
// before this transaction: reachable from an old value it replaced, from
// HEAD (unless this transaction moved it), or from a branch it did not
// move.
func reachedBefore(ctx context.Context, cr ContainsRepo, commit, old string, updates []RefUpdate, moved map[string]bool, head Head) bool {
	olds := []string{old}
	for _, u := range updates {
		if !zeroID(u.Old) {
			olds = append(olds, u.Old)
		}
	}
	for _, o := range olds {
		if o == "" {
			continue
		}
		if ok, _ := cr.IsAncestor(commit, o); ok {
			return true
		}
	}
	if head.Commit != "" && !moved["HEAD"] && (head.Branch == "" || !moved["refs/heads/"+head.Branch]) {
		if ok, _ := cr.IsAncestor(commit, head.Commit); ok {
			return true
		}
	}
	branches, err := cr.RefsContaining(ctx, commit, "refs/heads/")
	if err != nil {
		return true // cannot tell: stay silent rather than warn wrongly
	}
	for _, b := range branches {
		if !moved[b] {
			return true
		}
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
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
