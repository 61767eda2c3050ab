package gate

import (
	"cmp"
	"context"
	"errors"
	"path"
	"slices"
	"strings"
	"sync"

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
	// The host's side does not depend on the merge: read beside it.
	var host inspect.Host
	var commits []inspect.Commit
	var hostErr error
	var wg sync.WaitGroup
	wg.Go(func() { host, commits, hostErr = g.hostFacts(ctx, baseCommit, r.Commit) })
	preview, err := g.Repo.PreviewMerge(ctx, baseCommit, r.Commit)
	wg.Wait()
	if err = cmp.Or(err, hostErr); err != nil {
		return r, err
	}
	// merge_base stays the single base `git merge-base` names, which is
	// what `git diff base...theirs` reviews: the first of --all's.
	if len(preview.Bases) > 0 {
		r.MergeBase = preview.Bases[0]
	}
	r.ChangedFiles = len(preview.Changes)
	if host.Ignored, err = g.ignoredAdded(ctx, preview.Changes); err != nil {
		return r, err
	}
	// Links are resolved in what lands: the merge result, or (older git)
	// the branch's own tree.
	tree, list, err := g.resultEntries(ctx, baseCommit, r.Commit, preview)
	if err != nil {
		return r, err
	}
	attrs, err := g.attributeChange(ctx, preview.Changes, list, baseCommit, cmp.Or(preview.Tree, r.Commit))
	if err != nil {
		return r, err
	}
	opts := inspect.Options{
		Protect:    g.protect(ctx, baseCommit),
		Conflicts:  preview.Conflicts,
		Unseen:     preview.Unseen,
		CrissCross: len(preview.Bases) > 1 && !preview.Exact,
		Tree:       tree,
		ListTree:   list,
		Host:       host,
		Attributes: attrs,
		Commits:    commits,
	}
	if hr, ok := g.Repo.(HostReader); ok {
		opts.Submodules = &submodules{ctx: ctx, repo: hr, blobs: g.Repo, gitmodules: gitmodulesOf(tree)}
	}
	findings, err := inspect.Inspect(preview.Changes, g.Repo, opts)
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
func (g *Gate) attributeChange(ctx context.Context, changes []gitx.TreeChange, list func() ([]gitx.TreeEntry, error), base, result string) (*inspect.AttributeChange, error) {
	if !slices.ContainsFunc(changes, func(c gitx.TreeChange) bool {
		return inspect.Key(path.Base(c.Path)) == ".gitattributes" || c.OldPath != "" && inspect.Key(path.Base(c.OldPath)) == ".gitattributes"
	}) {
		return nil, nil
	}
	tree, err := list()
	if err != nil {
		return nil, err
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
	if ac.Before, err = g.Repo.Attributes(ctx, base, paths, gitx.DriverAttributes); err != nil {
		return nil, err
	}
	if ac.After, err = g.Repo.Attributes(ctx, result, paths, gitx.DriverAttributes); err != nil {
		return nil, err
	}
	return &ac, nil
}

// subsetName names the kept subset of interesting entries
// (inspect.Interesting); it changes whenever Interesting does.
const subsetName = "inspect-2"

// resultEntries returns the entries of the merge result an inspection
// needs (inspect.Interesting) and a way to list all of it. They come from
// the base's kept subset and the merge's changes, so that a small change
// costs little in a large tree (gitx.TreeSubset); the full listing is made
// only when asked for (a changed link, a changed .gitattributes), and is
// the only way on git older than 2.38, where the result is the branch's
// own tree.
func (g *Gate) resultEntries(ctx context.Context, base, theirs string, preview gitx.MergePreview) ([]gitx.TreeEntry, func() ([]gitx.TreeEntry, error), error) {
	result := preview.Tree
	list := sync.OnceValues(func() ([]gitx.TreeEntry, error) { return g.Repo.TreeEntries(ctx, cmp.Or(result, theirs)) })
	hr, ok := g.Repo.(HostReader)
	if !ok || result == "" {
		all, err := list()
		return all, list, err
	}
	subset, err := hr.TreeSubset(ctx, base, subsetName, inspect.Interesting)
	if err != nil {
		return nil, nil, err
	}
	return gitx.ApplyChanges(subset, preview.Changes, inspect.Interesting), list, nil
}

// HostReader reads what the host's own configuration makes of tracked
// files, who made the commits a merge brings, and submodules' own
// repositories (gitx.Repo). A Repo without it is judged without them.
type HostReader interface {
	TrackedConfig(ctx context.Context) (map[string]gitx.ConfigReach, error)
	IgnoredPaths(ctx context.Context, paths []string) (map[string]bool, error)
	Identity(ctx context.Context) (name, email string)
	CommitIdentities(ctx context.Context, base, tip string) ([]gitx.CommitIdentity, error)
	SubmoduleRepo(ctx context.Context, path, name string) (*gitx.Repo, error)
	TreeSubset(ctx context.Context, treeish, name string, keep func(gitx.TreeEntry) bool) ([]gitx.TreeEntry, error)
}

var _ HostReader = (*gitx.Repo)(nil)

// hostFacts reads the host side of an inspection: its tracked hooks
// directory and config files, and the identities of the commits the merge
// brings against the user's; each its own git process, side by side.
func (g *Gate) hostFacts(ctx context.Context, base, theirs string) (inspect.Host, []inspect.Commit, error) {
	var h inspect.Host
	var ids []gitx.CommitIdentity
	var errs [3]error
	var wg sync.WaitGroup
	wg.Go(func() { h.HooksPath, errs[0] = g.Repo.TrackedHooksPath(ctx) })
	if hr, ok := g.Repo.(HostReader); ok {
		wg.Go(func() { h.Config, errs[1] = hr.TrackedConfig(ctx) })
		wg.Go(func() { h.Name, h.Email = hr.Identity(ctx) })
		wg.Go(func() { ids, errs[2] = hr.CommitIdentities(ctx, base, theirs) })
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return h, nil, err
	}
	commits := make([]inspect.Commit, len(ids))
	for i, c := range ids {
		commits[i] = inspect.Commit(c)
	}
	return h, commits, nil
}

// ignoredAdded says which paths the merge adds (or renames to) the host's
// ignore rules cover.
func (g *Gate) ignoredAdded(ctx context.Context, changes []gitx.TreeChange) (map[string]bool, error) {
	hr, ok := g.Repo.(HostReader)
	if !ok {
		return nil, nil
	}
	var added []string
	for _, c := range changes {
		if c.Status == 'A' || c.OldPath != "" {
			added = append(added, c.Path)
		}
	}
	return hr.IgnoredPaths(ctx, added)
}

// submodules inspects a submodule's own history for inspect (a submodule
// bump), in the submodule's repository, at the superproject's paths.
type submodules struct {
	ctx        context.Context
	repo       HostReader
	blobs      inspect.Blobs
	gitmodules gitx.TreeEntry // the result's .gitmodules, for submodule names
}

func (s *submodules) InspectSubmodule(path, old, new string) ([]inspect.Finding, error) {
	sub, err := s.repo.SubmoduleRepo(s.ctx, path, s.name(path))
	if errors.Is(err, gitx.ErrNoSubmoduleRepo) {
		return nil, &inspect.SubmoduleMissing{Path: path, Why: "the submodule is not initialised here"}
	}
	if err != nil {
		return nil, err
	}
	if _, err := sub.ResolveCommit(new); err != nil {
		return nil, &inspect.SubmoduleMissing{Path: path, Why: "its repository lacks that commit"}
	}
	from := cmp.Or(old, EmptyTree)
	if old != "" {
		if _, err := sub.ResolveCommit(old); err != nil {
			from = EmptyTree // the old commit is gone: judge everything the new one holds
		}
	}
	changes, err := sub.DiffTree(s.ctx, from, new)
	if err != nil {
		return nil, err
	}
	tree, err := sub.TreeEntries(s.ctx, new)
	if err != nil {
		return nil, err
	}
	for i := range changes {
		changes[i].Path = path + "/" + changes[i].Path
		if changes[i].OldPath != "" {
			changes[i].OldPath = path + "/" + changes[i].OldPath
		}
	}
	for i := range tree {
		tree[i].Path = path + "/" + tree[i].Path
	}
	return inspect.Inspect(changes, sub, inspect.Options{Tree: tree})
}

// name is the submodule's name for path as .gitmodules says ("" when it
// does not say: the path is tried).
func (s *submodules) name(path string) string {
	if s.gitmodules.Hash == "" {
		return ""
	}
	entries, err := s.blobs.BlobConfig(s.gitmodules.Hash)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if sub, ok := strings.CutSuffix(strings.TrimPrefix(e.Key, "submodule."), ".path"); ok && e.Value == path {
			return sub
		}
	}
	return ""
}

// gitmodulesOf finds the top-level .gitmodules of a tree.
func gitmodulesOf(tree []gitx.TreeEntry) gitx.TreeEntry {
	for _, e := range tree {
		if e.Path == ".gitmodules" {
			return e
		}
	}
	return gitx.TreeEntry{}
}
