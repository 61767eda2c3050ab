// Package gate is the merge gate: it inspects exactly what a merge of a
// sandbox commit would bring, decides against the high-severity threshold,
// records the review (and an accepted risk) by object id in git notes and
// trailers (record.go), and is the logic of the
// pre-merge-commit hook. It does not know which command called it; the
// callers narrate and ask, cmd/git-airlock renders its reports.
package gate

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// Repo is what the gate reads and writes of the host repository.
type Repo interface {
	inspect.Blobs
	ResolveCommit(rev string) (string, error)
	MergeBase(ctx context.Context, a, b string) (string, error)
	DiffTree(ctx context.Context, from, to string) ([]gitx.TreeChange, error)
	PreviewMerge(ctx context.Context, ours, theirs string) (gitx.MergePreview, error)
	TreeEntries(ctx context.Context, treeish string) ([]gitx.TreeEntry, error)
	TrackedHooksPath(ctx context.Context) (string, error)
	Attributes(ctx context.Context, treeish string, paths, attrs []string) (map[string]map[string]string, error)
	Refs(prefix string) (map[string]string, error)
	IsAncestor(a, b string) (bool, error)
	ConfigUnset(ctx context.Context, key string) error
	AppendNote(ctx context.Context, ref, object, text string) error
	Notes(ref string) (map[string]string, error)
	MergeHeads() []string
	ReflogCommits(ctx context.Context, ref string) ([]string, error)
}

var _ Repo = (*gitx.Repo)(nil)

// Gate inspects merges into one repository.
type Gate struct {
	Repo    Repo
	Protect []string         // airlock.protect
	Now     func() time.Time // for review records; time.Now when nil
}

// Report is what a merge would bring; its JSON field names are the
// documented output of `inspect --json`.
type Report struct {
	Sandbox      string            `json:"sandbox,omitempty"`
	Ref          string            `json:"ref"`
	Commit       string            `json:"commit"`
	Base         string            `json:"base"`
	MergeBase    string            `json:"merge_base"`
	ChangedFiles int               `json:"changed_files"`
	Counts       map[string]int    `json:"counts"`
	Findings     []inspect.Finding `json:"findings"`
}

// OnlyHigh narrows a report to its high-severity findings, the ones that
// stop a merge.
func (r Report) OnlyHigh() Report {
	r.Findings = inspect.AtLeast(r.Findings, inspect.High)
	r.Counts = inspect.Count(r.Findings)
	return r
}

// EmptyTree is git's well-known empty tree, the base of unrelated histories.
const EmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// Inspect reports what merging theirs into base would bring: the tree
// git's own merge would produce, compared with base (see inspectMerge).
func (g *Gate) Inspect(ctx context.Context, base, theirs string) (Report, error) {
	return g.inspectMerge(ctx, base, theirs)
}

func (g *Gate) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// HookStop is a merge the pre-merge-commit hook stopped; Report holds
// only the high-severity findings.
type HookStop struct {
	Report Report
}

func (e *HookStop) Error() string { return "merge stopped by the git-airlock pre-merge-commit hook" }

// PreMergeCommit is the hook's logic: a merge of a commit that comes from
// a sandbox (see sandboxRefContaining) is inspected and stopped with a
// *HookStop on high-severity findings; every other merge passes untouched.
func (g *Gate) PreMergeCommit(ctx context.Context, reflogAction string) error {
	for _, head := range g.mergedHeads(reflogAction) {
		ref, ok := g.sandboxRefContaining(ctx, head)
		if !ok {
			continue
		}
		r, err := g.Inspect(ctx, "HEAD", head)
		if err != nil {
			return err
		}
		r = r.OnlyHigh()
		if len(r.Findings) == 0 {
			continue
		}
		r.Ref = ref
		return hint.With(&HookStop{Report: r},
			"review with 'git airlock inspect' and 'git airlock diff'; 'git merge --abort' undoes the merge",
			"to merge anyway: git merge --no-verify (or git commit --no-verify after resolving conflicts)")
	}
	return nil
}

// mergedHeads is what the merge being committed brings. git writes
// MERGE_HEAD only for a merge that stopped (conflicts, then `git commit`);
// for an automatic merge the hook learns it from GIT_REFLOG_ACTION:
// "merge <what>..." (git turns `git merge -` into @{-1}; older gits pass
// "-"), or "pull …", whose merge is FETCH_HEAD's first for-merge line
// whatever the arguments said.
func (g *Gate) mergedHeads(reflogAction string) []string {
	if heads := g.Repo.MergeHeads(); heads != nil {
		return heads
	}
	var heads []string
	verb, args, _ := strings.Cut(reflogAction, " ")
	switch verb {
	case "pull":
		if h, err := g.Repo.ResolveCommit("FETCH_HEAD"); err == nil {
			heads = append(heads, h)
		}
	case "merge":
		for _, a := range strings.Fields(args) {
			if a == "-" {
				a = "@{-1}"
			} else if strings.HasPrefix(a, "-") {
				continue // an option
			}
			if h, err := g.Repo.ResolveCommit(a); err == nil {
				heads = append(heads, h)
			}
		}
	}
	return heads
}

// sandboxRefContaining finds the sandbox ref whose history holds commit:
// provenance by reachability, never by the name the user typed. It looks
// at every sandbox namespace (sandboxref.ProvenancePrefixes) and at the
// reflogs of the remote-tracking refs and the sandboxes' HEAD refs, so a
// branch the agent deleted and fetch.prune removed is still found through
// the tips the sandbox's HEAD (or another branch) once had.
func (g *Gate) sandboxRefContaining(ctx context.Context, commit string) (string, bool) {
	seen := map[string]bool{}
	contains := func(tip string) bool {
		if seen[tip] {
			return false
		}
		seen[tip] = true
		ok, _ := g.Repo.IsAncestor(commit, tip)
		return ok
	}
	all := map[string]string{}
	var names, tracking []string
	for _, prefix := range sandboxref.ProvenancePrefixes {
		refs, err := g.Repo.Refs(prefix)
		if err != nil {
			continue
		}
		for name, tip := range refs {
			all[name] = tip
			names = append(names, name)
		}
	}
	sort.Strings(names)
	// A branch whose tip is the commit names it best (airlock-x/agent/y
	// rather than airlock-x/HEAD) and costs no history walk.
	for _, name := range names {
		if all[name] == commit && !strings.HasSuffix(name, "/HEAD") {
			return sandboxref.Short(name), true
		}
	}
	for _, name := range names {
		if contains(all[name]) {
			return sandboxref.Short(name), true
		}
		if strings.HasPrefix(name, "refs/remotes/") || strings.HasPrefix(name, sandboxref.HeadPrefix) {
			tracking = append(tracking, name)
		}
	}
	for _, name := range tracking {
		old, err := g.Repo.ReflogCommits(ctx, name)
		if err != nil {
			continue
		}
		for _, h := range old {
			if contains(h) {
				return sandboxref.Short(name) + " (reflog)", true
			}
		}
	}
	return "", false
}
