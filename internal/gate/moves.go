package gate

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// History is what the gate asks git about where commits came from: the
// sandbox namespaces' refs and reflogs, and which commits a move brings.
type History interface {
	Refs(prefix string) (map[string]string, error)
	HasCommit(hash string) bool
	RevList(ctx context.Context, include, exclude []string) ([]string, error)
	ReflogTips(ctx context.Context, refs []string) ([]string, error)
	RefsContaining(ctx context.Context, commit string, prefixes ...string) ([]string, error)
}

// Landing is how a sandbox commit would reach a branch.
type Landing int

const (
	// Move is a branch updated to another commit: a fast-forward, a pull,
	// reset, checkout -B, branch -f, update-ref, a rebase's last step.
	Move Landing = iota
	// Merge is a merge commit being made (git merge, or git commit
	// finishing one).
	Merge
	// CherryPick is a commit being copied by git cherry-pick.
	CherryPick
	// Rebase is a commit being copied by git rebase.
	Rebase
	// RebaseOnto is a branch about to be rebased onto a commit (the
	// pre-rebase hook: nothing is written yet).
	RebaseOnto
)

func (l Landing) String() string {
	return [...]string{"move", "merge", "cherry-pick", "rebase", "rebase onto"}[l]
}

// Stop is a landing the gate refused: Report holds only the high-severity
// findings, Report.Ref the sandbox ref that holds the commits and
// Report.Sandbox its sandbox.
type Stop struct {
	Report  Report
	Landing Landing
	Branch  string // the branch that would move (short name)
	What    string // Merge, CherryPick, Rebase: what was merged or copied, as the user named it
	Old     string // the branch's value before (Move)
	New     string // the commit the branch would move to (Move), or the one merged or copied
}

func (e *Stop) Error() string {
	if e.Landing == Move {
		return "stopped: " + e.Branch + " would move to a commit from a sandbox"
	}
	return "stopped: the " + e.Landing.String() + " of " + e.What + " would bring a commit from a sandbox"
}

// CheckMove judges old → new: when new brings sandbox commits that no
// acceptance covers, what it brings over old is inspected, and high
// findings stop it (*Stop). accepted are the commits whose landing the
// user accepted (their history counts as accepted).
func (g *Gate) CheckMove(ctx context.Context, h History, old, new string, accepted []string) (*Stop, error) {
	fromSandbox, err := g.brought(ctx, h, new, []string{old}, accepted)
	if err != nil || len(fromSandbox) == 0 {
		return nil, err
	}
	r, err := g.Inspect(ctx, old, new)
	if err != nil {
		return nil, err
	}
	r = r.OnlyHigh()
	if len(r.Findings) == 0 {
		return nil, nil
	}
	g.nameSandbox(ctx, h, &r, fromSandbox[0])
	return &Stop{Report: r, Landing: Move, Old: old, New: new}, nil
}

// CheckCopy judges a commit being copied onto base by a cherry-pick or a
// rebase: when it is a sandbox commit base does not hold and no
// acceptance covers, the change it makes over its parent is inspected.
func (g *Gate) CheckCopy(ctx context.Context, h History, base, commit string, accepted []string) (*Stop, error) {
	fromSandbox, err := g.brought(ctx, h, commit, []string{base}, accepted)
	if err != nil || !slices.Contains(fromSandbox, commit) {
		return nil, err
	}
	parent := commit + "^"
	if _, err := g.Repo.ResolveCommit(parent); err != nil {
		parent = EmptyTree
	}
	r, err := g.Inspect(ctx, parent, commit)
	if err != nil {
		return nil, err
	}
	r = r.OnlyHigh()
	if len(r.Findings) == 0 {
		return nil, nil
	}
	g.nameSandbox(ctx, h, &r, commit)
	return &Stop{Report: r, Landing: CherryPick, New: commit}, nil
}

// brought lists the sandbox commits reachable from new and from none of
// old and accepted, newest first: provenance by history, so a host
// commit on top of sandbox work launders nothing. Two rev-lists: what new
// brings, and what it brings beside every sandbox tip (the refs of every
// sandbox namespace and the tips their reflogs remember, so a branch the
// agent deleted and fetch.prune removed still counts).
func (g *Gate) brought(ctx context.Context, h History, new string, old, accepted []string) ([]string, error) {
	exclude := slices.DeleteFunc(append(slices.Clone(old), accepted...), func(c string) bool { return c == "" || !h.HasCommit(c) })
	all, err := h.RevList(ctx, []string{new}, exclude)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	tips, err := sandboxTips(ctx, h)
	if err != nil || len(tips) == 0 {
		return nil, err
	}
	host, err := h.RevList(ctx, []string{new}, append(exclude, tips...))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(c string) bool { return slices.Contains(host, c) }), nil
}

// sandboxTips are the tips of every sandbox namespace and every value the
// reflogs of the remote-tracking refs and the sandboxes' HEAD refs hold.
func sandboxTips(ctx context.Context, h History) ([]string, error) {
	seen := map[string]bool{}
	var tips, logged []string
	for _, prefix := range sandboxref.ProvenancePrefixes {
		refs, err := h.Refs(prefix)
		if err != nil {
			return nil, err
		}
		for name, tip := range refs {
			if strings.HasPrefix(name, "refs/remotes/") || strings.HasPrefix(name, sandboxref.HeadPrefix) {
				logged = append(logged, name)
			}
			if !seen[tip] {
				seen[tip] = true
				tips = append(tips, tip)
			}
		}
	}
	slices.Sort(logged)
	old, err := h.ReflogTips(ctx, logged)
	if err != nil {
		return nil, err
	}
	for _, tip := range old {
		if !seen[tip] && h.HasCommit(tip) {
			seen[tip] = true
			tips = append(tips, tip)
		}
	}
	return tips, nil
}

// nameSandbox names, in the report, the sandbox ref whose history holds
// commit and its sandbox; else the ref whose reflog held it (a branch the
// agent deleted and fetch.prune removed). Only a stop pays for this.
func (g *Gate) nameSandbox(ctx context.Context, h History, r *Report, commit string) {
	refs, err := h.RefsContaining(ctx, commit, sandboxref.ProvenancePrefixes...)
	if err == nil && len(refs) > 0 {
		ref := bestRef(refs)
		r.Ref, r.Sandbox = sandboxref.Short(ref), SandboxOf(ref)
		return
	}
	r.Ref = commit[:min(12, len(commit))] + " (a sandbox's reflog)"
	for _, prefix := range []string{sandboxref.HeadPrefix, sandboxref.AllTrackingPrefix, sandboxref.SbxTrackingPrefix} {
		refs, _ := h.Refs(prefix)
		for _, name := range slices.Sorted(maps.Keys(refs)) {
			tips, _ := h.ReflogTips(ctx, []string{name})
			if slices.ContainsFunc(tips, func(t string) bool { ok, _ := g.Repo.IsAncestor(commit, t); return ok }) {
				r.Ref, r.Sandbox = sandboxref.Short(name)+" (reflog)", SandboxOf(name)
				return
			}
		}
	}
}

// SandboxOf is the sandbox a sandbox ref belongs to ("" when it does not
// say): airlock-<name>/…, sandbox-<name>/…, refs/sandboxes/<name>/…,
// refs/airlock/head/airlock-<name>, refs/airlock/removed/<name>@<n>/….
func SandboxOf(ref string) string {
	if sb, _, _, ok := sandboxref.ParseRemoved(ref); ok {
		return sb
	}
	rest := strings.TrimPrefix(ref, sandboxref.HeadPrefix)
	rest = strings.TrimPrefix(rest, "refs/remotes/")
	rest = strings.TrimPrefix(rest, "refs/sandboxes/")
	for _, p := range []string{sandboxref.RemotePrefix, "sandbox-"} {
		if r, ok := strings.CutPrefix(rest, p); ok {
			rest = r
			break
		}
	}
	name, _, _ := strings.Cut(rest, "/")
	if name == "" || strings.HasPrefix(ref, "refs/heads/") {
		return ""
	}
	return name
}
