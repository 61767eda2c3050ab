package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// MergePreview is what merging theirs into ours would change in ours,
// computed without touching the index, the work tree or any ref.
type MergePreview struct {
	// Bases are every merge base of ours and theirs (`merge-base --all`);
	// more than one is a criss-cross history, where git merges against a
	// virtual base built from all of them.
	Bases []string
	// Exact: Changes are the diff from ours to the tree git's own merge
	// produces (`git merge-tree --write-tree`, git >= 2.38). Otherwise
	// (older git) they are the union of the diffs from every base to
	// theirs, which covers what one base hides but not the virtual base.
	Exact   bool
	Tree    string       // the merge result's tree when Exact
	Changes []TreeChange // what lands in ours; a conflicted path carries theirs' side
	// Conflicts are the paths git could not merge by itself.
	Conflicts []string
	// Unseen are paths the merge changes differently from what a review of
	// theirs against the single `git merge-base` shows: the virtual base of
	// a criss-cross history brings them (Exact and several bases only).
	Unseen []string
}

// PreviewMerge computes what `git merge theirs` on ours would bring.
func (r *Repo) PreviewMerge(ctx context.Context, ours, theirs string) (MergePreview, error) {
	var p MergePreview
	var major, minor int
	var merged mergeTreeResult
	var wg sync.WaitGroup
	wg.Go(func() { major, minor = r.gitVersion(ctx) })
	// The merge itself needs neither answer (git finds the bases again):
	// started beside them, one round of processes less; on git older than
	// 2.38, which has no --write-tree, its refusal is dropped.
	wg.Go(func() { merged = r.mergeTree(ctx, ours, theirs, "") })
	out, err := r.output(ctx, "merge-base", "--all", ours, theirs)
	wg.Wait()
	var ee *xec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.Code == 1) {
		return p, fmt.Errorf("merge-base %q %q: %w", ours, theirs, err)
	}
	p.Bases = strings.Fields(out)
	if major > 2 || major == 2 && minor >= 38 {
		return r.previewExact(ctx, p, ours, theirs, merged, major > 2 || minor >= 40)
	}
	return r.previewUnion(ctx, p, theirs)
}

// emptyTree is git's well-known empty tree.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

func (r *Repo) previewUnion(ctx context.Context, p MergePreview, theirs string) (MergePreview, error) {
	bases := p.Bases
	if len(bases) == 0 {
		bases = []string{emptyTree}
	}
	seen := map[TreeChange]bool{}
	for _, b := range bases {
		cs, err := r.DiffTree(ctx, b, theirs)
		if err != nil {
			return p, err
		}
		for _, c := range cs {
			if !seen[c] {
				seen[c] = true
				p.Changes = append(p.Changes, c)
			}
		}
	}
	return p, nil
}

func (r *Repo) previewExact(ctx context.Context, p MergePreview, ours, theirs string, merged mergeTreeResult, canPickBase bool) (MergePreview, error) {
	p.Exact = true
	tree, stages, err := merged.tree, merged.stages, merged.err
	if err != nil {
		return p, err
	}
	p.Tree = tree
	if p.Changes, err = r.DiffTree(ctx, ours, tree); err != nil {
		return p, err
	}
	// A conflicted path holds conflict markers in the result; judge the
	// side the agent proposes, which is what a hasty resolution keeps.
	theirSide := map[string]stageEntry{}
	for _, s := range stages {
		if s.stage == 3 {
			theirSide[s.path] = s
		}
		if len(p.Conflicts) == 0 || p.Conflicts[len(p.Conflicts)-1] != s.path {
			p.Conflicts = append(p.Conflicts, s.path)
		}
	}
	for i, c := range p.Changes {
		if s, ok := theirSide[c.Path]; ok && c.Status != 'D' {
			p.Changes[i].NewHash, p.Changes[i].NewMode = s.hash, s.mode
		}
	}
	if len(p.Bases) < 2 {
		return p, nil
	}
	// Criss-cross: what would a reviewer of `git diff base...theirs` (one
	// merge base) expect? Every path where the real result differs from
	// that expectation lands unseen. git >= 2.40 computes the expectation
	// (a merge with that base given) and compares trees; 2.38 and 2.39
	// cannot, so there it is predicted path by path (unseenByBlobs).
	if canPickBase {
		expected := r.mergeTree(ctx, ours, theirs, p.Bases[0])
		if expected.err != nil {
			return p, expected.err
		}
		diff, err := r.DiffTree(ctx, expected.tree, tree)
		if err != nil {
			return p, err
		}
		for _, c := range diff {
			p.Unseen = append(p.Unseen, c.Path)
		}
		return p, nil
	}
	unseen, err := r.unseenByBlobs(ctx, p.Bases[0], ours, theirs, tree)
	p.Unseen = unseen
	return p, err
}

// unseenByBlobs predicts, path by path, what a three-way merge with the
// single base would leave (theirs where ours kept the base's version, ours
// where theirs did), and returns the paths whose real result differs. A
// path both sides changed is predicted with `git merge-file` on the three
// contents (git >= 2.40 compares whole trees instead).
func (r *Repo) unseenByBlobs(ctx context.Context, base, ours, theirs, result string) ([]string, error) {
	var sides [4]map[string]TreeEntry
	for i, treeish := range []string{base, ours, theirs, result} {
		es, err := r.TreeEntries(ctx, treeish)
		if err != nil {
			return nil, err
		}
		sides[i] = make(map[string]TreeEntry, len(es))
		for _, e := range es {
			sides[i][e.Path] = e
		}
	}
	paths := map[string]bool{}
	for _, side := range sides {
		for p := range side {
			paths[p] = true
		}
	}
	var unseen []string
	for p := range paths {
		b, o, t, res := sides[0][p], sides[1][p], sides[2][p], sides[3][p]
		var expected TreeEntry
		switch {
		case o == b || o == t:
			expected = t
		case t == b:
			expected = o
		default: // both changed it: merge the three contents as git would
			same, err := r.mergesTo(ctx, b, o, t, res)
			if err != nil {
				return nil, err
			}
			if !same {
				unseen = append(unseen, p)
			}
			continue
		}
		if res != expected {
			unseen = append(unseen, p)
		}
	}
	sort.Strings(unseen)
	return unseen, nil
}

type stageEntry struct {
	mode  uint32
	hash  string
	stage int
	path  string
}

// mergeTreeResult is the result tree of `git merge-tree --write-tree` and
// its conflicted entries.
type mergeTreeResult struct {
	tree   string
	stages []stageEntry
	err    error
}

// mergeTree runs `git merge-tree --write-tree`; a conflict is a result,
// not an error. Without base git finds the merge bases itself, and
// unrelated histories merge as `git merge --allow-unrelated-histories`
// would (the flag changes nothing where a base exists).
func (r *Repo) mergeTree(ctx context.Context, ours, theirs, base string) mergeTreeResult {
	args := []string{"merge-tree", "--write-tree", "-z", "--no-messages"}
	if base == "" {
		args = append(args, "--allow-unrelated-histories")
	} else {
		args = append(args, "--merge-base="+base)
	}
	out, err := r.output(ctx, append(args, ours, theirs)...)
	var ee *xec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.Code == 1) {
		return mergeTreeResult{err: fmt.Errorf("preview the merge of %q into %q: %w", theirs, ours, err)}
	}
	fields := splitNul([]byte(out))
	if len(fields) == 0 {
		return mergeTreeResult{err: fmt.Errorf("preview the merge of %q into %q: no tree in %q", theirs, ours, out)}
	}
	res := mergeTreeResult{tree: string(fields[0])}
	for _, f := range fields[1:] {
		head, p, ok := strings.Cut(string(f), "\t")
		w := strings.Fields(head)
		if !ok || len(w) != 3 {
			break // the (empty) messages section
		}
		mode, err1 := strconv.ParseUint(w[0], 8, 32)
		stage, err2 := strconv.Atoi(w[2])
		if err1 != nil || err2 != nil {
			return mergeTreeResult{err: fmt.Errorf("merge-tree: unexpected %q", f)}
		}
		res.stages = append(res.stages, stageEntry{mode: uint32(mode), hash: w[1], stage: stage, path: p})
	}
	return res
}

// gitVersion returns the major and minor version of the git on PATH, 0 0
// if it cannot tell (which selects the conservative path).
func (r *Repo) gitVersion(ctx context.Context) (int, int) {
	out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: []string{"git", "version"}}))
	if err != nil {
		return 0, 0
	}
	return parseGitVersion(string(out))
}

func parseGitVersion(s string) (int, int) {
	v, ok := strings.CutPrefix(strings.TrimSpace(s), "git version ")
	if !ok {
		return 0, 0
	}
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return major, minor
}

// mergesTo reports whether `git merge-file` of ours and theirs over base
// gives res's content (same mode, regular files). Anything else (a side
// missing or not a regular file, conflicts, contents over 32 MiB) cannot
// be predicted and is reported as not the same.
func (r *Repo) mergesTo(ctx context.Context, b, o, t, res TreeEntry) (bool, error) {
	const maxMerge = 32 << 20
	for _, e := range []TreeEntry{b, o, t, res} {
		if e.Hash == "" || e.Mode != ModeFile && e.Mode != ModeExec {
			return false, nil
		}
		if n, err := r.BlobSize(e.Hash); err != nil || n > maxMerge {
			return false, err
		}
	}
	if res.Mode != o.Mode && res.Mode != t.Mode {
		return false, nil
	}
	dir, err := os.MkdirTemp("", "airlock-merge-file-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	var files [3]string
	for i, e := range []TreeEntry{o, b, t} {
		content, err := r.BlobHead(e.Hash, maxMerge)
		if err != nil {
			return false, err
		}
		files[i] = filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(files[i], content, 0o600); err != nil {
			return false, err
		}
	}
	merged, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: []string{"git", "merge-file", "-p", files[0], files[1], files[2]}}))
	var ee *xec.ExitError
	if errors.As(err, &ee) {
		return false, nil // conflicts: what lands is not what one base predicts
	}
	if err != nil {
		return false, fmt.Errorf("predict the merge of %s: %w", res.Path, err)
	}
	want, err := r.BlobHead(res.Hash, maxMerge)
	if err != nil {
		return false, err
	}
	return bytes.Equal(merged, want), nil
}
