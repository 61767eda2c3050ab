package gitx

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// countCache keeps ahead/behind of a commit against a base commit. The
// answer never changes while history is what the objects say, so ls,
// which shows every sandbox branch's counts on every run, counts only
// what is new since the last run instead of every branch again (for 50
// sandboxes, half of its for-each-ref). Not used where the objects do not
// say it all: a shallow repository, grafts, replace refs
// (refs/replace/*). Kept in <common dir>/airlock/counts, the last
// countCacheSize answers; a file that cannot be read or written only
// means counting again.
type countCache struct {
	path  string
	m     map[countKey]Counts
	order []countKey // oldest first
	added bool
}

type countKey struct{ base, commit string }

const countCacheSize = 2048

// counts loads the cache, or nil where it must not be used.
func (r *Repo) counts(replaced bool) *countCache {
	if r.CommonDir == "" || r.Shallow || replaced {
		return nil
	}
	if _, err := os.Lstat(filepath.Join(r.CommonDir, "info", "grafts")); err == nil {
		return nil
	}
	c := &countCache{path: filepath.Join(r.CommonDir, "airlock", "counts"), m: map[countKey]Counts{}}
	b, _ := os.ReadFile(c.path)
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) != 4 || !isObjectID(f[0]) || !isObjectID(f[1]) {
			continue
		}
		ahead, err1 := strconv.Atoi(f[2])
		behind, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || ahead < 0 || behind < 0 {
			continue
		}
		k := countKey{f[0], f[1]}
		if _, seen := c.m[k]; !seen {
			c.order = append(c.order, k)
		}
		c.m[k] = Counts{ahead, behind}
	}
	return c
}

func isObjectID(s string) bool { return (len(s) == 40 || len(s) == 64) && isHex(s) }

// lookup returns the kept counts of commits against base.
func (c *countCache) lookup(base string, commits []string) map[string]Counts {
	out := map[string]Counts{}
	if c == nil {
		return out
	}
	for _, commit := range commits {
		if n, ok := c.m[countKey{base, commit}]; ok {
			out[commit] = n
		}
	}
	return out
}

func (c *countCache) add(base string, counts map[string]Counts) {
	if c == nil {
		return
	}
	for commit, n := range counts {
		k := countKey{base, commit}
		if _, seen := c.m[k]; !seen {
			c.order = append(c.order, k)
		}
		c.m[k] = n
		c.added = true
	}
}

// save writes the newest answers when there are new ones, through a
// temporary file renamed into place (a concurrent run keeps whole files).
func (c *countCache) save() {
	if c == nil || !c.added {
		return
	}
	keep := c.order[max(0, len(c.order)-countCacheSize):]
	var buf bytes.Buffer
	for _, k := range keep {
		n := c.m[k]
		fmt.Fprintf(&buf, "%s %s %d %d\n", k.base, k.commit, n.Ahead, n.Behind)
	}
	writeAirlockFile(c.path, buf.Bytes())
}
