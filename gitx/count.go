package gitx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// errNoBase: the base of a count does not name a commit, so nothing can be
// counted against it.
var errNoBase = errors.New("the base names no commit")

// octopusLimit bounds the commits countTogether hands `merge-base
// --octopus`, which merges them pairwise (seconds for 20,000 on a line).
var octopusLimit = 64

// countTogether counts every commit against base, as `rev-list
// --left-right --count <commit>...<base>` would, with four git processes
// whatever the number of commits (git before 2.41 has no
// %(ahead-behind)) and work that grows with the commits listed, not with
// commits × tips:
//
//   - `rev-parse` names the base's commit;
//   - `rev-list --parents <commits> ^<base>` lists what only the commits
//     reach (the ahead side) and, as the parents it names that it does not
//     list, where each commit meets the base's history (its boundary);
//   - `merge-base --all --octopus` of the base and those boundaries (few:
//     the places the branches started from) gives commits every one of
//     them reaches, and so every commit counted: they count for none;
//   - `rev-list --parents <base> <boundaries> --not <merge bases>` lists
//     the base's side above them.
//
// The merge bases are not asked when the base is the only boundary (it is
// its own), nor when there are octopusLimit boundaries or more, or a
// commit shares no history with the base: then the base's side is all of
// its history.
//
// A commit's ahead is the commits it reaches on the ahead side; its behind
// is the base's side less what its boundaries reach there. Each is counted
// once for a commit with one parent listed (one more than its parent's)
// and by a walk only at a merge.
func (r *Repo) countTogether(ctx context.Context, base string, commits []string) (map[string]Counts, error) {
	if base == "" || strings.HasPrefix(base, "-") {
		return nil, errNoBase
	}
	baseOut, err := r.output(ctx, "rev-parse", "--verify", "--quiet", base+"^{commit}")
	if err != nil {
		return nil, cmpCtx(ctx, errNoBase)
	}
	baseCommit := strings.TrimSpace(baseOut)
	ahead, err := r.listParents(ctx, commits, []string{baseCommit})
	if err != nil {
		return nil, fmt.Errorf("list the commits ahead of %q: %w", base, err)
	}
	bounds, err := ahead.boundaries(ctx, commits)
	if err != nil {
		return nil, err
	}
	all, disjoint := bounds.all()
	all = slices.DeleteFunc(all, func(c string) bool { return c == baseCommit })
	var stops []string
	switch {
	case disjoint || len(all) >= octopusLimit:
	case len(all) == 0: // every commit reaches the base
		stops = []string{baseCommit}
	default:
		if stops, err = r.octopus(ctx, append([]string{baseCommit}, all...)); err != nil {
			return nil, err
		}
	}
	behind, err := r.listParents(ctx, append([]string{baseCommit}, all...), stops)
	if err != nil {
		return nil, fmt.Errorf("list the commits of %q: %w", base, err)
	}
	return countSides(ctx, commits, ahead, behind, bounds)
}

// cmpCtx is the context's end when it ended, else err.
func cmpCtx(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// octopus is the merge bases of all of commits (none when they share no
// history).
func (r *Repo) octopus(ctx context.Context, commits []string) ([]string, error) {
	out, err := r.output(ctx, append([]string{"merge-base", "--all", "--octopus"}, commits...)...)
	var ee *xec.ExitError
	if err != nil && (!errors.As(err, &ee) || ee.Code != 1) { // 1: no common ancestor
		return nil, fmt.Errorf("merge bases of %d commits: %w", len(commits), err)
	}
	return strings.Fields(out), nil
}

// listParents is the graph of the commits reachable from from and not
// from not: one `rev-list --parents --stdin` ("--not" on stdin is newer
// than git 2.26, so "^" before each).
func (r *Repo) listParents(ctx context.Context, from, not []string) (*commitGraph, error) {
	var in strings.Builder
	for _, c := range from {
		in.WriteString(c + "\n")
	}
	for _, c := range not {
		in.WriteString("^" + c + "\n")
	}
	out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: r.git("rev-list", "--parents", "--stdin"), Stdin: strings.NewReader(in.String())}))
	if err != nil {
		return nil, err
	}
	return parseParents(ctx, string(out))
}

// countSides gives each commit its counts from the two sides' graphs.
func countSides(ctx context.Context, commits []string, ahead, behind *commitGraph, bounds *boundarySets) (map[string]Counts, error) {
	aheadN := newAncestry(ctx, ahead)
	behindN := newAncestry(ctx, behind)
	unions := map[string]int{} // behind's reach of a set of boundaries
	counts := make(map[string]Counts, len(commits))
	for _, c := range commits {
		var n Counts
		set := []string{c} // a commit the base reaches is its own boundary
		if i, ok := ahead.index[c]; ok {
			n.Ahead = aheadN.of(i)
			set = bounds.of(i)
		}
		key := strings.Join(set, " ")
		reached, ok := unions[key]
		if !ok {
			reached = behindN.union(behind.indexes(set))
			unions[key] = reached
		}
		n.Behind = len(behind.parents) - reached
		counts[c] = n
	}
	if err := cmpCtx(ctx, nil); err != nil {
		return nil, err
	}
	return counts, nil
}
