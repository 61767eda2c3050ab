// Package gate is the merge gate: it inspects exactly what a merge of a
// sandbox commit would bring, decides against the high-severity threshold,
// records the review (and an accepted risk) by object id in git notes and
// trailers (record.go), and is the logic of the hooks that stop a branch
// from moving into unaccepted sandbox history (moves.go, landed.go). It
// does not know which command called it; the
// callers narrate and ask, cmd/git-airlock renders its reports.
package gate

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/inspect"
)

// Repo is what the gate reads and writes of the host repository.
type Repo interface {
	inspect.Blobs
	ResolveCommit(rev string) (string, error)
	PreviewMerge(ctx context.Context, ours, theirs string) (gitx.MergePreview, error)
	TreeEntries(ctx context.Context, treeish string) ([]gitx.TreeEntry, error)
	TrackedHooksPath(ctx context.Context) (string, error)
	Attributes(ctx context.Context, treeish string, paths, attrs []string) (map[string]map[string]string, error)
	IsAncestor(a, b string) (bool, error)
	MergeHeads() []string
}

// NoteStore is where the gate's review records live: the review notes,
// and the config record of older versions it migrates from.
type NoteStore interface {
	ResolveCommit(rev string) (string, error)
	Notes(ref string) (map[string]string, error)
	AppendNote(ctx context.Context, ref, object, text string) error
	ConfigUnset(ctx context.Context, key string) error
}

var (
	_ Repo      = (*gitx.Repo)(nil)
	_ NoteStore = (*gitx.Repo)(nil)
)

// Gate inspects merges into one repository.
type Gate struct {
	Repo    Repo
	Notes   NoteStore // records: Record, the accepted commits, the migration
	Protect []string  // airlock.protect
	// ProtectAt, when set, gives airlock.protect as the settings of a
	// commit being merged into or moved from say (the hooks: never the
	// work tree the merge wrote); it replaces Protect.
	ProtectAt func(ctx context.Context, base string) []string
	Now       func() time.Time // for review records; time.Now when nil
}

func (g *Gate) protect(ctx context.Context, base string) []string {
	if g.ProtectAt != nil {
		return g.ProtectAt(ctx, base)
	}
	return g.Protect
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
	Counts       inspect.Counts    `json:"counts"`
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

// MergedHead is one commit a merge brings, by the name the user gave it
// ("" when git did not say: a merge finished by git commit).
type MergedHead struct{ Name, Commit string }

// CheckMerge judges a merge being committed onto head (HEAD's commit),
// each merged commit as a move of the branch to it (CheckMove): the
// pre-merge-commit hook, and the pre-commit hook while MERGE_HEAD names
// what a stopped merge brings.
func (g *Gate) CheckMerge(ctx context.Context, h History, head string, heads []MergedHead, accepted []string) (*Stop, error) {
	for _, m := range heads {
		stop, err := g.CheckMove(ctx, h, head, m.Commit, accepted)
		if err != nil {
			return nil, err
		}
		if stop != nil {
			stop.Landing, stop.What, stop.Old = Merge, cmp.Or(m.Name, stop.Report.Ref), head
			return stop, nil
		}
	}
	return nil, nil
}

// MergedHeads is what the merge being committed brings. git writes
// MERGE_HEAD only for a merge that stopped (conflicts, then `git commit`);
// for an automatic merge the hook learns it from GIT_REFLOG_ACTION:
// "merge <what>..." (git turns `git merge -` into @{-1}; older gits pass
// "-"), or "pull …", whose merge is FETCH_HEAD's first for-merge line
// whatever the arguments said.
func (g *Gate) MergedHeads(reflogAction string) []MergedHead {
	if commits := g.Repo.MergeHeads(); commits != nil {
		heads := make([]MergedHead, len(commits))
		for i, c := range commits {
			heads[i] = MergedHead{Commit: c}
		}
		return heads
	}
	var heads []MergedHead
	verb, args, _ := strings.Cut(reflogAction, " ")
	switch verb {
	case "pull":
		if h, err := g.Repo.ResolveCommit("FETCH_HEAD"); err == nil {
			heads = append(heads, MergedHead{Commit: h}) // FETCH_HEAD names nothing the user typed
		}
	case "merge":
		for _, a := range strings.Fields(args) {
			if a == "-" {
				a = "@{-1}"
			} else if strings.HasPrefix(a, "-") {
				continue // an option
			}
			if h, err := g.Repo.ResolveCommit(a); err == nil {
				if strings.HasPrefix(a, "@{") {
					a = "" // git's spelling of `-`; the sandbox ref says more
				}
				heads = append(heads, MergedHead{Name: a, Commit: h})
			}
		}
	}
	return heads
}
