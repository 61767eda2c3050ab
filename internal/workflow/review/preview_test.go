package review

import (
	"context"

	"github.com/git-airlock/git-airlock/gitx"
)

// PreviewMerge of the fake: a plain three-way merge where only theirs
// changed anything, recorded like DiffTree from the merge base (the gate's
// own tests and scripts cover real merges).
func (f *fakeRepo) PreviewMerge(_ context.Context, ours, theirs string) (gitx.MergePreview, error) {
	f.mergeBaseCalls = append(f.mergeBaseCalls, [2]string{ours, theirs}) // the preview finds the merge bases
	base := f.mergeBases[[2]string{ours, theirs}]
	p := gitx.MergePreview{Exact: true}
	if base != "" {
		p.Bases = []string{base}
	}
	f.calls = append(f.calls, "inspect "+theirs)
	f.diffs = append(f.diffs, [2]string{base, theirs})
	p.Changes = f.trees[theirs]
	return p, nil
}

func (f *fakeRepo) BlobConfig(string) ([]gitx.ConfigEntry, error) { return nil, nil }

func (f *fakeRepo) TreeEntries(context.Context, string) ([]gitx.TreeEntry, error) { return nil, nil }

func (f *fakeRepo) TrackedHooksPath(context.Context) (string, error) { return "", nil }

// Attributes: no .gitattributes driver anywhere.
func (f *fakeRepo) Attributes(context.Context, string, []string, []string) (map[string]map[string]string, error) {
	return nil, nil
}
