// Package gate is the merge gate: it inspects exactly what a merge of a
// sandbox commit would bring, decides against the high-severity threshold,
// records an accepted risk by object id, and is the logic of the
// pre-merge-commit hook. It does not know which command called it; the
// callers narrate and ask, cmd/git-airlock renders its reports.
package gate

import (
	"context"
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
	Refs(prefix string) (map[string]string, error)
	IsAncestor(a, b string) (bool, error)
	ConfigAdd(ctx context.Context, key, value string) error
	MergeHeads() []string
}

var _ Repo = (*gitx.Repo)(nil)

// Gate inspects merges into one repository.
type Gate struct {
	Repo    Repo
	Protect []string         // airlock.protect
	Now     func() time.Time // for acceptance records; time.Now when nil
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

// Accept records that the user accepted a report's high-severity findings
// for its commit, in local git config (sandboxref.AcceptedKey).
func (g *Gate) Accept(ctx context.Context, sandbox string, r Report) (sandboxref.Acceptance, error) {
	high := r.OnlyHigh().Findings
	a := sandboxref.Acceptance{Sandbox: sandbox, Commit: r.Commit, Time: g.now(), Count: len(high)}
	seen := map[string]bool{}
	for _, f := range high {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			a.Rules = append(a.Rules, f.Rule)
		}
	}
	return a, g.Repo.ConfigAdd(ctx, sandboxref.AcceptedKey, a.String())
}

func (g *Gate) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// Accepted returns the recorded acceptances of a sandbox from config
// entries.
func Accepted(entries []gitx.ConfigEntry, sandbox string) []sandboxref.Acceptance {
	var out []sandboxref.Acceptance
	for _, e := range entries {
		if e.Key != strings.ToLower(sandboxref.AcceptedKey) {
			continue
		}
		if a, ok := sandboxref.ParseAcceptance(e.Value); ok && a.Sandbox == sandbox {
			out = append(out, a)
		}
	}
	return out
}

// HookStop is a merge the pre-merge-commit hook stopped; Report holds
// only the high-severity findings.
type HookStop struct {
	Report Report
}

func (e *HookStop) Error() string { return "merge stopped by the git-airlock pre-merge-commit hook" }

// PreMergeCommit is the hook's logic: a merge of a commit that comes from
// a sandbox remote (or a removed sandbox's kept refs) is inspected and
// stopped with a *HookStop on high-severity findings; every other merge
// passes untouched.
//
// git writes MERGE_HEAD only for a merge that stopped (conflicts, then
// `git commit`); for an automatic merge the hook learns what is merged from
// GIT_REFLOG_ACTION ("merge <what>...").
func (g *Gate) PreMergeCommit(ctx context.Context, reflogAction string) error {
	heads := g.Repo.MergeHeads()
	if heads == nil {
		if args, ok := strings.CutPrefix(reflogAction, "merge "); ok {
			for _, a := range strings.Fields(args) {
				if h, err := g.Repo.ResolveCommit(a); err == nil {
					heads = append(heads, h)
				}
			}
		}
	}
	for _, head := range heads {
		ref, ok := g.sandboxRefContaining(head)
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

// sandboxRefContaining finds a sandbox ref whose history holds commit.
func (g *Gate) sandboxRefContaining(commit string) (string, bool) {
	for _, prefix := range []string{sandboxref.AllTrackingPrefix, sandboxref.RemovedPrefix} {
		refs, err := g.Repo.Refs(prefix)
		if err != nil {
			continue
		}
		for name, tip := range refs {
			if ok, _ := g.Repo.IsAncestor(commit, tip); ok {
				return sandboxref.Short(name), true
			}
		}
	}
	return "", false
}
