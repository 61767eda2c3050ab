// Package inspect finds what a merge of an agent's branch would change that
// can run code or widen access on the host: CI and automation, git's own
// mechanics, hook managers, direnv and .env files, editor and container
// configs, package manifest scripts and lockfile sources, package-manager
// and agent configs, symlinks, executable bits, binaries and large files,
// and what the merge itself does (changes a criss-cross history hides,
// conflicts).
//
// It judges the changes from the host's branch to the merge result (the
// caller computes both with git). Path rules are data (Rules), matched
// case-folded; the rules decided by content, links or the merge are listed
// in Checks. Content is read the way the tool that runs the file reads it
// (manifests.go), symlinks are resolved inside the merge result the way
// the operating system follows them (links.go). Blobs are read through the
// Blobs interface; the package runs nothing itself.
package inspect

import (
	"path"
	"strings"
	"sync"
)

// Severity orders findings.
type Severity int

const (
	Low Severity = iota + 1
	Medium
	High
)

func (s Severity) String() string {
	switch s {
	case High:
		return "high"
	case Medium:
		return "medium"
	case Low:
		return "low"
	}
	return "none"
}

// ParseSeverity reads "high", "medium" or "low".
func ParseSeverity(s string) (Severity, bool) {
	for _, v := range []Severity{High, Medium, Low} {
		if v.String() == strings.ToLower(s) {
			return v, true
		}
	}
	return 0, false
}

// Rule is one rule of the catalogue: a path rule (Patterns) or a check
// decided by content, links or the merge. Patterns match the whole path:
// "dir/**" is everything under dir, "**/rest" is rest at any depth, a
// pattern without '/' matches the base name at any depth, anything else is
// a path.Match pattern from the repository root.
type Rule struct {
	ID       string
	Trigger  Trigger // what acts on the file
	Family   string  // the older grouping, kept in JSON
	Severity Severity
	Patterns []string
	Why      string
	// Sources are the tools' own documentation of why the file runs or is
	// loaded; every rule has one.
	Sources []string
}

// Match reports whether p matches the pattern (see Rule), both compared
// as the platforms that matter see them (Key): Package.json is
// package.json on macOS and Windows, ".git\u200chub" is ".github" on HFS+.
func Match(pattern, p string) bool {
	return matchFolded(Key(pattern), Key(p))
}

func matchFolded(pattern, p string) bool {
	if rest, ok := strings.CutPrefix(pattern, "**/"); ok { // at any depth
		for q := p; ; {
			if matchFolded(rest, q) {
				return true
			}
			_, after, found := strings.Cut(q, "/")
			if !found {
				return false
			}
			q = after
		}
	}
	if dir, ok := strings.CutSuffix(pattern, "/**"); ok {
		return strings.HasPrefix(p, dir+"/")
	}
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(p))
		return ok
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

// ruleFor returns the rule a path falls under: of every rule that matches,
// the most severe, and of those the first in the table (a specific rule
// such as agent-config for .vscode/mcp.json before editor-settings for
// anything under .vscode).
func ruleFor(p string) (Rule, bool) {
	if i := compiledRules().best(Key(p)); i >= 0 {
		return Rules[i], true
	}
	return Rule{}, false
}

// ruleIndex finds the rule a folded path falls under without trying every
// pattern: literal names and paths, "dir/**" prefixes and "**/literal"
// suffixes are map lookups; only patterns with wildcards are matched one by
// one.
type ruleIndex struct {
	base, path, dir map[string][]int // folded literal → rule indexes
	anyPath, anyDir map[string][]int // "**/x/y" and "**/x/**" literals
	globs           []indexedGlob    // in rule order
}

type indexedGlob struct {
	pattern string // folded
	rule    int
	// A base-name pattern "*.ext" or "name.*" is a suffix or prefix test
	// (path.Match is the cost of inspecting thousands of files).
	prefix, suffix string
	affix          bool
}

func newGlob(pat string, rule int) indexedGlob {
	g := indexedGlob{pattern: pat, rule: rule}
	if strings.ContainsAny(pat, "/?[\\") || strings.Count(pat, "*") != 1 {
		return g
	}
	g.prefix, g.suffix, _ = strings.Cut(pat, "*")
	g.affix = true
	return g
}

func (g indexedGlob) match(p string) bool {
	if !g.affix {
		return matchFolded(g.pattern, p)
	}
	b := path.Base(p)
	return len(b) >= len(g.prefix)+len(g.suffix) && strings.HasPrefix(b, g.prefix) && strings.HasSuffix(b, g.suffix)
}

var compiledRules = sync.OnceValue(func() *ruleIndex {
	x := &ruleIndex{base: map[string][]int{}, path: map[string][]int{}, dir: map[string][]int{},
		anyPath: map[string][]int{}, anyDir: map[string][]int{}}
	for i, r := range Rules {
		for _, pat := range r.Patterns {
			x.add(Key(pat), i)
		}
	}
	return x
})

func (x *ruleIndex) add(pat string, i int) {
	rest, anyDepth := strings.CutPrefix(pat, "**/")
	dir, isDir := strings.CutSuffix(rest, "/**")
	switch {
	case strings.ContainsAny(dir, "*?[\\"):
		x.globs = append(x.globs, newGlob(pat, i))
	case anyDepth && isDir:
		x.anyDir[dir] = append(x.anyDir[dir], i)
	case anyDepth:
		x.anyPath[rest] = append(x.anyPath[rest], i)
	case isDir:
		x.dir[dir] = append(x.dir[dir], i)
	case !strings.Contains(pat, "/"):
		x.base[pat] = append(x.base[pat], i)
	default:
		x.path[pat] = append(x.path[pat], i)
	}
}

// best returns the index of the most severe matching rule, the first of
// equals; -1 when none matches.
func (x *ruleIndex) best(p string) int {
	best := -1
	take := func(is ...int) {
		for _, i := range is {
			if best < 0 || Rules[i].Severity > Rules[best].Severity || Rules[i].Severity == Rules[best].Severity && i < best {
				best = i
			}
		}
	}
	take(x.base[path.Base(p)]...)
	take(x.path[p]...)
	parts := strings.Split(p, "/")
	for i := range parts {
		take(x.anyPath[strings.Join(parts[i:], "/")]...)
		for j := i + 1; j < len(parts); j++ { // a directory above the file
			d := strings.Join(parts[i:j], "/")
			take(x.anyDir[d]...)
			if i == 0 {
				take(x.dir[d]...)
			}
		}
	}
	for _, g := range x.globs {
		if g.match(p) {
			take(g.rule)
		}
	}
	return best
}

// pathRule is the rule a path falls under: airlock.protect first, then
// the host's tracked core.hooksPath, then the Rules table.
func (o Options) pathRule(p string) (Rule, bool) {
	for _, pat := range o.Protect {
		if Match(strings.TrimPrefix(pat, "/"), p) {
			return Rule{ID: "protected", Trigger: Yours, Family: "protect", Severity: High, Why: "listed in airlock.protect (" + pat + ")"}, true
		}
	}
	if h := o.Host.HooksPath; h != "" && (h == "." && !strings.Contains(p, "/") || h != "." && Match(h+"/**", p)) {
		return Rule{ID: "hooks-path", Trigger: Git, Family: "hooks", Severity: High,
			Why: "in your core.hooksPath (" + h + "): git runs it on your next commit, merge or checkout"}, true
	}
	return ruleFor(p)
}
