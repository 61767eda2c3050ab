package gitx

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// errNoBase: the base of a count does not name a commit, so nothing can be
// counted against it.
var errNoBase = errors.New("the base names no commit")

// countTogether counts every commit against base, as `rev-list
// --left-right --count <commit>...<base>` would, with three git processes
// whatever the number of commits (git before 2.41 has no
// %(ahead-behind)): the base's commit (`rev-parse`) beside the merge bases
// of the base and all the commits together (`merge-base --all
// --octopus`), then, with their parents, the commits reachable from the
// base or from any of the commits but not from those merge bases
// (`rev-list --parents`). What the merge bases reach, every one of them
// reaches, so it counts for none; the rest is the graph listed, and
// walking it from a commit and from the base gives the commit's counts:
// ahead, what only the commit reaches, behind, what only the base does.
func (r *Repo) countTogether(ctx context.Context, base string, commits []string) (map[string]Counts, error) {
	if base == "" || strings.HasPrefix(base, "-") {
		return nil, errNoBase
	}
	type answer struct {
		out string
		err error
	}
	mbc := make(chan answer, 1)
	go func() {
		out, err := r.output(ctx, append([]string{"merge-base", "--all", "--octopus", base}, commits...)...)
		mbc <- answer{out, err}
	}()
	baseOut, err := r.output(ctx, "rev-parse", "--verify", "--quiet", base+"^{commit}")
	mb := <-mbc
	if err != nil {
		return nil, errNoBase
	}
	var ee *xec.ExitError
	if mb.err != nil && (!errors.As(mb.err, &ee) || ee.Code != 1) { // 1: no common ancestor
		return nil, fmt.Errorf("merge bases of %q and %d commits: %w", base, len(commits), mb.err)
	}
	baseCommit := strings.TrimSpace(baseOut)
	args := append([]string{"rev-list", "--parents", baseCommit}, commits...)
	if bases := strings.Fields(mb.out); len(bases) > 0 {
		args = append(append(args, "--not"), bases...)
	}
	out, err := r.output(ctx, append(args, "--")...)
	if err != nil {
		return nil, fmt.Errorf("list the commits to count against %q: %w", base, err)
	}
	g, err := parseParents(out)
	if err != nil {
		return nil, err
	}
	fromBase := g.reach(baseCommit)
	counts := make(map[string]Counts, len(commits))
	for _, c := range commits {
		var n Counts
		both := 0
		for i := range g.reach(c) {
			if _, ok := fromBase[i]; ok {
				both++
			} else {
				n.Ahead++
			}
		}
		n.Behind = len(fromBase) - both
		counts[c] = n
	}
	return counts, nil
}

// commitGraph is the commits `rev-list --parents` listed, by index, with
// the parents among them (a parent not listed is reachable from every
// commit counted, and left out).
type commitGraph struct {
	index   map[string]int
	parents [][]int
}

func parseParents(out string) (*commitGraph, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	g := &commitGraph{index: make(map[string]int, len(lines)), parents: make([][]int, 0, len(lines))}
	for _, line := range lines {
		if f := strings.Fields(line); len(f) > 0 {
			g.index[f[0]] = len(g.index)
		}
	}
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var ps []int
		for _, p := range f[1:] {
			if i, ok := g.index[p]; ok {
				ps = append(ps, i)
			}
		}
		g.parents = append(g.parents, ps)
	}
	if len(g.parents) != len(g.index) {
		return nil, fmt.Errorf("read rev-list --parents: a commit listed twice in %d lines", len(lines))
	}
	return g, nil
}

// reach is the set of listed commits reachable from commit (itself
// included); none when commit is not listed.
func (g *commitGraph) reach(commit string) map[int]struct{} {
	seen := map[int]struct{}{}
	start, ok := g.index[commit]
	if !ok {
		return seen
	}
	stack := []int{start}
	seen[start] = struct{}{}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range g.parents[i] {
			if _, ok := seen[p]; !ok {
				seen[p] = struct{}{}
				stack = append(stack, p)
			}
		}
	}
	return seen
}
