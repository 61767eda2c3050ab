package gate

import (
	"cmp"
	"context"
	"path"
	"slices"

	"github.com/git-airlock/git-airlock/gitx"

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
	attrs, err := g.attributeChange(ctx, preview.Changes, tree, baseCommit, cmp.Or(preview.Tree, r.Commit))
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
		Attributes: attrs,
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

// attributeChange asks git which filter, diff and merge drivers the base's
// and the result's .gitattributes assign to every file of the result, when
// the merge changes a .gitattributes (git reads them; no parser here can
// disagree with it).
func (g *Gate) attributeChange(ctx context.Context, changes []gitx.TreeChange, tree []gitx.TreeEntry, base, result string) (*inspect.AttributeChange, error) {
	if !slices.ContainsFunc(changes, func(c gitx.TreeChange) bool {
		return inspect.Key(path.Base(c.Path)) == ".gitattributes" || c.OldPath != "" && inspect.Key(path.Base(c.OldPath)) == ".gitattributes"
	}) {
		return nil, nil
	}
	var paths []string
	inTree := map[string]bool{}
	for _, e := range tree {
		if e.Mode != gitx.ModeGitlink && e.Mode != gitx.ModeSymlink {
			paths = append(paths, e.Path)
			inTree[e.Path] = true
		}
	}
	ac := inspect.AttributeChange{Probes: map[string]string{}}
	for _, c := range changes {
		if c.Status == 'D' || inspect.Key(path.Base(c.Path)) != ".gitattributes" || c.NewMode == gitx.ModeSymlink {
			continue
		}
		content, err := g.Repo.BlobHead(c.NewHash, 1<<20) // git itself ignores a .gitattributes over 100 MiB; patterns past 1 MiB are still judged for the files that exist
		if err != nil {
			return nil, err
		}
		for p, pat := range inspect.AttributeProbes(c.Path, content) {
			if !inTree[p] {
				ac.Probes[p] = pat
				paths = append(paths, p)
			}
		}
	}
	var err error
	if ac.Before, err = g.Repo.Attributes(ctx, base, paths, gitx.DriverAttributes); err != nil {
		return nil, err
	}
	if ac.After, err = g.Repo.Attributes(ctx, result, paths, gitx.DriverAttributes); err != nil {
		return nil, err
	}
	return &ac, nil
}
