package inspect

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/quote"
)

// links are the symlinks of the merge result. A tool opening a path
// follows every link along it, component by component, the way the
// operating system does: `up -> a/b/../..` with `a/b -> ..` leaves the
// checkout although the text "a/b/../.." does not, and `.vscode -> cfg`
// makes cfg/tasks.json the editor's tasks file.
//
// Paths are compared as the platforms see them (Key): on macOS a link
// named ".VSCode" is opened for ".vscode/tasks.json", and "CFG" reaches
// "cfg".
type links struct {
	target map[string]string // Key(link path) → target text
	list   func() ([]gitx.TreeEntry, error)
	tree   []keyedEntry      // every entry of the result, sorted by key; listed when first needed
	inside map[string]string // link path → the key of where it resolves, for links that stay inside below the top level
	raw    map[string]string // link path → target text
}

type keyedEntry struct {
	key string
	gitx.TreeEntry
}

// maxHops is the symlink limit of Linux (ELOOP after 40).
const maxHops = 40

// newLinks reads the symlinks among tree (the result's entries, or only
// its symlinks and loaders); list lists the whole result when a changed
// link needs what lies under its target (nil: tree is the whole result).
func newLinks(tree []gitx.TreeEntry, list func() ([]gitx.TreeEntry, error), blobs Blobs) (*links, error) {
	if list == nil {
		list = func() ([]gitx.TreeEntry, error) { return tree, nil }
	}
	l := &links{target: map[string]string{}, raw: map[string]string{}, list: list}
	for _, e := range tree {
		if e.Mode != gitx.ModeSymlink {
			continue
		}
		t, err := blobs.BlobHead(e.Hash, 4096)
		if err != nil {
			return nil, err
		}
		l.target[Key(e.Path)] = written(t)
		l.raw[e.Path] = written(t)
	}
	l.inside = map[string]string{}
	for lp := range l.raw {
		if resolved, why := l.resolve(lp); why == "" && resolved != "" {
			l.inside[lp] = resolved
		}
	}
	return l, nil
}

// outside reports whether a link's text cannot stay inside the checkout
// on some platform: absolute, home-relative, a Windows drive or
// backslash path.
func outside(target string) bool {
	return strings.HasPrefix(target, "/") || strings.HasPrefix(target, "~") || strings.ContainsAny(target, "\\:")
}

// resolve follows the links along p (p's own last component too). It
// reports why the result is not a path inside the checkout: "outside",
// "loop", or "" when resolved (a Key) is inside ("" is the top level).
func (l *links) resolve(p string) (resolved, why string) {
	parts := strings.Split(p, "/")
	var out []string
	hops := 0
	for len(parts) > 0 {
		c := parts[0]
		parts = parts[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(out) == 0 {
				return "", "outside"
			}
			out = out[:len(out)-1]
			continue
		}
		c = keyComponent(c)
		cur := strings.Join(append(out, c), "/")
		t, ok := l.target[cur]
		if !ok {
			out = append(out, c)
			continue
		}
		if hops++; hops > maxHops {
			return "", "loop"
		}
		if outside(t) {
			return "", "outside"
		}
		parts = append(strings.Split(t, "/"), parts...)
	}
	return strings.Join(out, "/"), ""
}

// underGitDir: a component is .git as some platform sees it (Key:
// .GIT, ".git.", "GIT~1"; a submodule's checkout has its own .git).
func underGitDir(p string) bool {
	for _, c := range strings.Split(Key(p), "/") {
		if c == ".git" {
			return true
		}
	}
	return false
}

// judgeLink judges a symlink the change adds or retargets.
func (l *links) judgeLink(c gitx.TreeChange, blobs Blobs, opts Options) ([]Finding, error) {
	raw, err := blobs.BlobHead(c.NewHash, 4096)
	if err != nil {
		return nil, err
	}
	target := written(raw)
	var out []Finding
	if len(target) < len(raw) {
		out = append(out, Finding{Severity: High, Rule: "symlink-nul", Family: "symlink", Path: c.Path, OldPath: c.OldPath,
			Why: fmt.Sprintf("the stored link target %s holds a NUL byte: git writes the link as %s, which is what tools follow", shownTarget(string(raw)), shownTarget(target))})
	}
	f := Finding{Severity: Medium, Rule: "symlink", Family: "symlink", Path: c.Path, OldPath: c.OldPath,
		Why: fmt.Sprintf("symlink to %s", shownTarget(target))}
	lt := l
	if _, ok := l.target[Key(c.Path)]; !ok { // no tree given: judge the link by itself
		lt = &links{target: map[string]string{Key(c.Path): target}}
	}
	resolved, why := lt.resolve(c.Path)
	switch {
	case outside(target) || why == "outside":
		f.Severity, f.Rule = High, "symlink-escape"
		f.Why = fmt.Sprintf("symlink to %s, outside the repository once the links along it are followed: tools that follow it read or write there", shownTarget(target))
		return append(out, f), nil
	case why == "loop":
		f.Severity, f.Rule = High, "symlink-escape"
		f.Why = fmt.Sprintf("symlink to %s loops through other links; what it names cannot be judged", shownTarget(target))
		return append(out, f), nil
	case underGitDir(resolved):
		f.Severity, f.Rule = High, "symlink-git-dir"
		f.Why = fmt.Sprintf("symlink to %s, into .git: tools that write through it change git's own config and hooks", shownTarget(target))
		return append(out, f), nil
	}
	// What the link makes reachable at its own path: judge every file
	// under its target by the path tools will use. A link judged in the
	// result that stays inside, names something there and reaches nothing
	// a rule covers is no finding (a docs link); a dangling link, one to
	// the top level or one judged without the tree stays medium.
	reached, err := l.under(resolved)
	if err != nil {
		return nil, err
	}
	if lt != l || len(reached) == 0 {
		out = append(out, f)
	}
	for _, e := range reached {
		alias := c.Path + below(e.Path, resolved)
		fs, err := judgeAt(alias, e, c.Path, target, blobs, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// under lists the files at the key p or below it (p "" is the top level,
// which is judged at its own paths already).
func (l *links) under(p string) ([]gitx.TreeEntry, error) {
	if p == "" {
		return nil, nil
	}
	if l.tree == nil {
		all, err := l.list()
		if err != nil {
			return nil, err
		}
		l.tree = make([]keyedEntry, 0, len(all)+1)
		for _, e := range all {
			l.tree = append(l.tree, keyedEntry{Key(e.Path), e})
		}
		sort.Slice(l.tree, func(i, j int) bool { return l.tree[i].key < l.tree[j].key })
	}
	var out []gitx.TreeEntry
	if i := sort.Search(len(l.tree), func(i int) bool { return l.tree[i].key >= p }); i < len(l.tree) && l.tree[i].key == p {
		out = append(out, l.tree[i].TreeEntry)
	}
	// "cfg-old/x" sorts between "cfg" and "cfg/x": search the directory.
	dir := p + "/"
	for i := sort.Search(len(l.tree), func(i int) bool { return l.tree[i].key >= dir }); i < len(l.tree) && strings.HasPrefix(l.tree[i].key, dir); i++ {
		out = append(out, l.tree[i].TreeEntry)
	}
	return out, nil
}

// below is what follows the key prefix in path p ("/x/y"), in p's own
// spelling: one path component per component of the prefix.
func below(p, prefix string) string {
	n := strings.Count(prefix, "/") + 1
	parts := strings.SplitN(p, "/", n+1)
	if len(parts) <= n {
		return ""
	}
	return "/" + parts[n]
}

// judgeAliases judges a changed file by every path a link of the result
// makes it reachable at.
func (l *links) judgeAliases(c gitx.TreeChange, blobs Blobs, opts Options) ([]Finding, error) {
	if c.Status == 'D' {
		return nil, nil
	}
	var out []Finding
	var kp string
	if len(l.inside) > 0 {
		kp = Key(c.Path)
	}
	for lp, resolved := range l.inside {
		if kp != resolved && !strings.HasPrefix(kp, resolved+"/") {
			continue
		}
		alias := lp + below(c.Path, resolved)
		fs, err := judgeAt(alias, gitx.TreeEntry{Mode: c.NewMode, Hash: c.NewHash, Path: c.Path}, lp, l.raw[lp], blobs, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// judgeAt applies the path rules, and the content checks a different
// name brings, to a file reached at alias through the link lp -> target.
func judgeAt(alias string, e gitx.TreeEntry, lp, target string, blobs Blobs, opts Options) ([]Finding, error) {
	// Most aliases match nothing: the reason's prefix is built on demand.
	via := func() string {
		return fmt.Sprintf("reached as %s through the symlink %s -> %s (%s): ", quote.Quoted(alias), quote.Quoted(lp), shownTarget(target), quote.Quoted(e.Path))
	}
	var out []Finding
	r, ok := opts.pathRule(alias)
	if ok {
		out = append(out, Finding{Severity: r.Severity, Rule: r.ID, Family: r.Family, Path: alias, Why: via() + r.Why})
	}
	if e.Mode == gitx.ModeSymlink || e.Mode == gitx.ModeGitlink ||
		Key(path.Base(alias)) == Key(path.Base(e.Path)) && Key(alias) != ".gitmodules" {
		return out, nil
	}
	fs, err := contentChecks(gitx.TreeChange{Status: 'A', Path: alias, NewMode: e.Mode, NewHash: e.Hash}, path.Base(alias), "", blobs, r)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		fs[i].Why = via() + fs[i].Why
	}
	return append(out, fs...), nil
}

// written is a link target as git writes it: symlink(2) takes a C
// string, so the target ends at its first NUL byte.
func written(raw []byte) string {
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		raw = raw[:i]
	}
	return string(raw)
}

// shownTarget quotes a link target for a reason, cut at 200 bytes: a
// target is read up to 4 KiB, and a hostile one fills it.
func shownTarget(t string) string {
	if len(t) <= 200 {
		return quote.Quoted(t)
	}
	cut := 200
	for cut > 0 && !utf8.RuneStart(t[cut]) {
		cut--
	}
	return quote.Quoted(t[:cut]) + fmt.Sprintf("… (%d bytes)", len(t))
}
