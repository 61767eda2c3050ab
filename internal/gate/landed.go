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
}

// LandWarning is a risky sandbox commit that a new branch or a detached
// HEAD is about to point at (switch -c x <sandbox commit>, git's guess of
// a tracking branch, branch x <sandbox commit>, checkout --detach, the
// first step of a rebase onto one): looking at the agent's work is not
// landing it, so the gate warns and lets it be; a branch that existed
// never moves into such history (*Stop). Report holds only the
// high-severity findings, judged against Report.Base.
type LandWarning struct {
	Report  Report
	Landed  string // the branch (short name) or HEAD
	Created bool   // a branch created at the sandbox commit; Report.Base is HEAD's branch
}

func (e *LandWarning) Error() string {
	return "a sandbox commit landed on " + e.Landed + " with high-severity findings"
}

// RefTransaction is the reference-transaction hook's logic in the
// prepared state, where a non-zero exit aborts the whole transaction.
// Every update of a branch that exists (current gives a ref's value
// before this transaction, "" for none) is a move: CheckMove judges it,
// and the first *Stop is returned. Updates that create a branch, or move
// a detached HEAD, are looked at by ReferenceTransaction (a
// *LandWarning). Deletions and symbolic updates are not landings.
func (g *Gate) RefTransaction(ctx context.Context, h History, cr ContainsRepo, updates []RefUpdate, head Head,
	current func(ref string) string, accepted []string) error {
	var looks []RefUpdate
	for _, u := range updates {
		if zeroID(u.New) || strings.HasPrefix(u.New, "ref:") {
			continue
		}
		branch, isBranch := strings.CutPrefix(u.Ref, "refs/heads/")
		if !isBranch {
			if u.Ref == "HEAD" && !throughBranch(updates, u, head) {
				looks = append(looks, u)
			}
			continue
		}
		cur := current(u.Ref)
		if cur == "" {
			looks = append(looks, u)
			continue
		}
		if cur == u.New {
			continue
		}
		stop, err := g.CheckMove(ctx, h, cur, u.New, accepted)
		if err != nil {
			return err
		}
		if stop != nil {
			stop.Branch = branch
			stop.Report.Base = branch
			return stop
		}
	}
	if len(looks) == 0 {
		return nil
	}
	return g.ReferenceTransaction(ctx, cr, looks, head, current, func(c string) bool { return slices.Contains(accepted, c) })
}

// throughBranch reports whether an update of HEAD is the checked-out
// branch's update seen through the symbolic ref (some gits list both);
// otherwise HEAD itself moves: a detached checkout.
func throughBranch(updates []RefUpdate, u RefUpdate, head Head) bool {
	return head.Branch != "" && slices.ContainsFunc(updates, func(b RefUpdate) bool {
		return b.Ref == "refs/heads/"+head.Branch && b.New == u.New
	})
}

// ReferenceTransaction looks at branches created at, and a detached HEAD
// moved to, a commit contained in a sandbox ref (sandboxref.ProvenancePrefixes,
// one for-each-ref --contains: an ordinary commit costs that one call)
// that was not reachable before: not from the ref's old value, from HEAD,
// or from a branch this transaction did not move. What is judged is what
// the update brings over the ref's old value, or over HEAD for a new
// branch. accepted reports a commit whose risk the user accepted (git
// airlock merge --accept-risk), which is not warned about again. head is
// HEAD before this transaction.
func (g *Gate) ReferenceTransaction(ctx context.Context, cr ContainsRepo, updates []RefUpdate,
	head Head, current func(ref string) string, accepted func(commit string) bool) error {
	if cr == nil {
		return nil
	}
	moved := map[string]bool{}
	for _, u := range updates {
		moved[u.Ref] = true
	}
	judged := map[string]bool{}
	for _, u := range updates {
		if judged[u.New] {
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
		old := current(u.Ref)
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
		r.Sandbox = SandboxOf(bestRef(refs))
		landed := strings.TrimPrefix(u.Ref, "refs/heads/")
		r.Base = cmp.Or(head.Branch, "HEAD")
		return &LandWarning{Report: r, Landed: landed, Created: u.Ref != "HEAD"}
	}
	return nil
}

// Head is HEAD as the reference-transaction hook sees it, before the
// transaction.
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
