package gitx

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// commitGraph is the commits `rev-list --parents` listed, by index, with
// the parents among them; the parents it names and does not list are kept
// apart (outside), by the commit that names them.
type commitGraph struct {
	index   map[string]int
	parents [][]int
	outside map[int][]string
}

// parseParents reads `rev-list --parents`: a commit, then its parents, a
// line each.
func parseParents(ctx context.Context, out string) (*commitGraph, error) {
	n := strings.Count(out, "\n")
	g := &commitGraph{index: make(map[string]int, n), parents: make([][]int, 0, n), outside: map[int][]string{}}
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 0 {
			if _, dup := g.index[f[0]]; dup {
				return nil, fmt.Errorf("read rev-list --parents: %s listed twice", f[0])
			}
			g.index[f[0]] = len(g.index)
		}
	}
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var ps []int
		for _, p := range f[1:] {
			if i, ok := g.index[p]; ok {
				ps = append(ps, i)
			} else {
				g.outside[len(g.parents)] = append(g.outside[len(g.parents)], p)
			}
		}
		g.parents = append(g.parents, ps)
		if len(g.parents)%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return g, nil
}

// indexes are the listed ones of commits.
func (g *commitGraph) indexes(commits []string) []int {
	var out []int
	for _, c := range commits {
		if i, ok := g.index[c]; ok {
			out = append(out, i)
		}
	}
	return out
}

// chain follows parents from i while a commit has exactly one listed
// parent and stop(commit) is false: the commits passed, then the one it
// stopped at.
func (g *commitGraph) chain(i int, stop func(int) bool) ([]int, int) {
	var passed []int
	for !stop(i) && len(g.parents[i]) == 1 {
		passed = append(passed, i)
		i = g.parents[i][0]
	}
	return passed, i
}

// ancestry counts the listed commits a listed commit reaches (itself
// included), each count kept: along a line one more than the parent's, a
// walk only at a merge. Linear for histories with few merges; a walk per
// merge otherwise (as git's own count per tip would be).
type ancestry struct {
	ctx   context.Context
	g     *commitGraph
	n     []int   // -1: not counted yet
	stamp []int32 // walks: seen in walk stamp[i]
	walk  int32
	stack []int
}

func newAncestry(ctx context.Context, g *commitGraph) *ancestry {
	a := &ancestry{ctx: ctx, g: g, n: make([]int, len(g.parents))}
	for i := range a.n {
		a.n[i] = -1
	}
	return a
}

// of is how many listed commits i reaches.
func (a *ancestry) of(i int) int {
	passed, end := a.g.chain(i, func(j int) bool { return a.n[j] >= 0 })
	if a.n[end] < 0 {
		a.n[end] = 1
		if len(a.g.parents[end]) > 0 {
			a.n[end] = a.walkFrom([]int{end})
		}
	}
	for k := len(passed) - 1; k >= 0; k-- {
		a.n[passed[k]] = a.n[end] + len(passed) - k
	}
	return a.n[i]
}

// union is how many listed commits any of starts reaches.
func (a *ancestry) union(starts []int) int {
	switch len(starts) {
	case 0:
		return 0
	case 1:
		return a.of(starts[0])
	}
	return a.walkFrom(starts)
}

// walkFrom counts the listed commits starts reach by walking them.
func (a *ancestry) walkFrom(starts []int) int {
	if a.stamp == nil {
		a.stamp = make([]int32, len(a.g.parents))
	}
	a.walk++
	a.stack = a.stack[:0]
	for _, s := range starts {
		if a.stamp[s] != a.walk {
			a.stamp[s] = a.walk
			a.stack = append(a.stack, s)
		}
	}
	seen := len(a.stack)
	for len(a.stack) > 0 {
		i := a.stack[len(a.stack)-1]
		a.stack = a.stack[:len(a.stack)-1]
		for _, p := range a.g.parents[i] {
			if a.stamp[p] != a.walk {
				a.stamp[p] = a.walk
				a.stack = append(a.stack, p)
				if seen++; seen%8192 == 0 && a.ctx.Err() != nil {
					return 0 // the caller reports the context's end
				}
			}
		}
	}
	return seen
}

// boundarySets is, for each commit listed on the ahead side, the
// commits of the base's history it reaches first (the parents outside
// the ahead side of the commits it reaches there), sorted: kept shared
// along a line.
type boundarySets struct {
	ctx  context.Context
	g    *commitGraph
	sets [][]string
	done []bool
	// tips: the commits counted; their boundaries, and those of them the
	// base reaches, make up all().
	tips []string
}

// boundaries are the boundary sets of commits on g, the ahead side.
func (g *commitGraph) boundaries(ctx context.Context, commits []string) (*boundarySets, error) {
	b := &boundarySets{ctx: ctx, g: g, sets: make([][]string, len(g.parents)), done: make([]bool, len(g.parents)), tips: commits}
	for _, c := range commits {
		if i, ok := g.index[c]; ok {
			b.of(i)
		}
	}
	return b, cmpCtx(ctx, nil)
}

// of is the boundary set of listed commit i.
func (b *boundarySets) of(i int) []string {
	passed, end := b.g.chain(i, func(j int) bool { return b.done[j] || len(b.g.outside[j]) > 0 })
	if !b.done[end] {
		set := slices.Clone(b.g.outside[end])
		for _, p := range b.g.parents[end] {
			if b.ctx.Err() != nil {
				break
			}
			set = append(set, b.of(p)...)
		}
		slices.Sort(set)
		b.sets[end], b.done[end] = slices.Compact(set), true
	}
	for _, j := range passed {
		b.sets[j], b.done[j] = b.sets[end], true
	}
	return b.sets[i]
}

// all is every boundary of the commits counted, with the commits the base
// reaches (each its own boundary); disjoint when a commit shares no
// history with the base.
func (b *boundarySets) all() (all []string, disjoint bool) {
	for _, c := range b.tips {
		if i, ok := b.g.index[c]; ok {
			disjoint = disjoint || len(b.sets[i]) == 0
			all = append(all, b.sets[i]...)
		} else {
			all = append(all, c)
		}
	}
	slices.Sort(all)
	return slices.Compact(all), disjoint
}
