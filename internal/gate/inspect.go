package gate

import (
	"cmp"
	"context"

	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// inspectMerge judges what would land: the diff from base to the result
// of git's merge (criss-cross histories merge against a virtual base, so
// one merge base's diff can hide what lands). Conflicts are findings.
func (g *Gate) inspectMerge(ctx context.Context, base, theirs string) (Report, error) {
	r := Report{Ref: sandboxref.Short(theirs), Base: base, Findings: []inspect.Finding{}}
	var err error
	if r.Commit, err = g.Repo.ResolveCommit(theirs); err != nil {
		return r, err
	}
	baseCommit, err := g.Repo.ResolveCommit(base)
	if err != nil {
		return r, err
	}
	preview, err := g.Repo.PreviewMerge(ctx, baseCommit, r.Commit)
	if err != nil {
		return r, err
	}
	// merge_base stays the single base `git merge-base` names, which is
	// what `git diff base...theirs` reviews.
	if r.MergeBase, err = g.Repo.MergeBase(ctx, baseCommit, r.Commit); err != nil {
		return r, err
	}
	r.ChangedFiles = len(preview.Changes)
	// Links are resolved in what lands: the merge result, or (older git)
	// the branch's own tree.
	tree, err := g.Repo.TreeEntries(ctx, cmp.Or(preview.Tree, r.Commit))
	if err != nil {
		return r, err
	}
	hooksPath, err := g.Repo.TrackedHooksPath(ctx)
	if err != nil {
		return r, err
	}
	findings, err := inspect.Inspect(preview.Changes, g.Repo, inspect.Options{
		Protect:    g.Protect,
		Conflicts:  preview.Conflicts,
		Unseen:     preview.Unseen,
		CrissCross: len(preview.Bases) > 1 && !preview.Exact,
		Tree:       tree,
		HooksPath:  hooksPath,
	})
	if err != nil {
		return r, err
	}
	if findings != nil {
		r.Findings = findings
	}
	r.Counts = inspect.Count(r.Findings)
	return r, nil
}
