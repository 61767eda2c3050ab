package gate

import (
	"context"

	"github.com/git-airlock/git-airlock/gitx"
)

// PreviewMerge of the fake: a plain three-way merge where only theirs
// changed anything, so what lands is what the agent's commit brings.
// Criss-cross histories are covered against real git in gitx and in the
// inspect_/merge_ scripts.
func (f *fakeRepo) PreviewMerge(_ context.Context, ours, theirs string) (gitx.MergePreview, error) {
	base := f.mergeBases[[2]string{ours, theirs}]
	p := gitx.MergePreview{Exact: true}
	from := base
	if base != "" {
		p.Bases = []string{base}
	} else {
		from = EmptyTree
	}
	f.diffs = append(f.diffs, [2]string{from, theirs})
	p.Changes = f.trees[theirs]
	return p, nil
}

func (f *fakeRepo) BlobConfig(string) ([]gitx.ConfigEntry, error) { return nil, nil }

func (f *fakeRepo) TreeEntries(context.Context, string) ([]gitx.TreeEntry, error) { return nil, nil }

func (f *fakeRepo) TrackedHooksPath(context.Context) (string, error) { return "", nil }
