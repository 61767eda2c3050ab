package gate

import (
	"context"
	"slices"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
)

// PreviewMerge of the fake: a plain three-way merge where only theirs
// changed anything, so what lands is what the agent's commit brings.
// Criss-cross histories are covered against real git in gitx and in the
// inspect_/merge_ scripts.
func (f *fakeRepo) PreviewMerge(_ context.Context, ours, theirs string) (gitx.MergePreview, error) {
	f.mergeBaseCalls = append(f.mergeBaseCalls, [2]string{ours, theirs}) // the preview finds the merge bases
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

// Attributes of the fake: what git would answer per tree, whatever paths
// are asked; every call is recorded.
func (f *fakeRepo) Attributes(_ context.Context, treeish string, _, _ []string) (map[string]map[string]string, error) {
	f.attrCalls = append(f.attrCalls, treeish)
	return f.attrs[treeish], nil
}

func TestInspectAsksGitForTheDriversAChangedGitattributesAssigns(t *testing.T) {
	repo := agentRepo("assets/.gitattributes", "assets/x.png")
	repo.attrs = map[string]map[string]map[string]string{
		headCommit:  {"assets/x.png": {"diff": "image"}},
		agentCommit: {"assets/x.png": {"diff": "image", "filter": "evil"}},
	}
	r, err := (&Gate{Repo: repo}).Inspect(context.Background(), "HEAD", tracking)
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(r.Findings); !slices.Equal(got, []string{"git-attributes-driver"}) {
		t.Fatalf("findings %v\n%+v", got, r.Findings)
	}
	if f := r.Findings[0]; f.Path != "assets/.gitattributes" || f.Why != `assigns the filter driver "evil" to assets/x.png: git runs the command your config names for it on checkout, diff or merge` {
		t.Errorf("finding %+v", f)
	}
	if !slices.Equal(repo.attrCalls, []string{headCommit, agentCommit}) {
		t.Errorf("attributes read of %v, want the base and the result", repo.attrCalls)
	}

	plain := agentRepo("src/a.go")
	if _, err := (&Gate{Repo: plain}).Inspect(context.Background(), "HEAD", tracking); err != nil {
		t.Fatal(err)
	}
	if len(plain.attrCalls) != 0 {
		t.Errorf("no .gitattributes changed, yet attributes were read of %v", plain.attrCalls)
	}
}

// previewRepo answers PreviewMerge with a fixed preview and records which
// tree the gate lists for links.
type previewRepo struct {
	*fakeRepo
	preview   gitx.MergePreview
	hooksPath string
	listed    []string
}

func (p *previewRepo) PreviewMerge(context.Context, string, string) (gitx.MergePreview, error) {
	return p.preview, nil
}

func (p *previewRepo) TreeEntries(_ context.Context, treeish string) ([]gitx.TreeEntry, error) {
	p.listed = append(p.listed, treeish)
	return nil, nil
}

func (p *previewRepo) TrackedHooksPath(context.Context) (string, error) { return p.hooksPath, nil }

func TestInspectJudgesTheMergePreview(t *testing.T) {
	tests := []struct {
		name    string
		preview gitx.MergePreview
		hooks   string
		want    []string
		listed  string
	}{
		{"criss-cross on git that can preview it", gitx.MergePreview{Exact: true, Tree: "result-tree", Bases: []string{forkPoint, headCommit},
			Changes: added(".envrc", "fix.go"), Unseen: []string{".envrc", "fix.go"}}, "",
			[]string{"direnv", "unseen-change", "unseen-change"}, "result-tree"},
		{"criss-cross on old git", gitx.MergePreview{Bases: []string{forkPoint, headCommit}, Changes: added("src/a.go")}, "",
			[]string{"criss-cross"}, agentCommit},
		{"conflict", gitx.MergePreview{Exact: true, Tree: "t", Bases: []string{forkPoint}, Changes: added("src/a.go"), Conflicts: []string{"src/a.go"}}, "",
			[]string{"merge-conflict"}, "t"},
		{"host hooks path", gitx.MergePreview{Exact: true, Tree: "t", Bases: []string{forkPoint}, Changes: added("tools/hooks/pre-commit")}, "tools/hooks",
			[]string{"hooks-path"}, "t"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := &previewRepo{fakeRepo: agentRepo(), preview: tc.preview, hooksPath: tc.hooks}
			r, err := (&Gate{Repo: repo}).Inspect(context.Background(), "HEAD", tracking)
			if err != nil {
				t.Fatal(err)
			}
			if got := rules(r.Findings); !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
			if !slices.Equal(repo.listed, []string{tc.listed}) {
				t.Errorf("links resolved in %v, want %q", repo.listed, tc.listed)
			}
			if r.ChangedFiles != len(tc.preview.Changes) || r.MergeBase != forkPoint {
				t.Errorf("ChangedFiles %d, MergeBase %q", r.ChangedFiles, r.MergeBase)
			}
		})
	}
}
