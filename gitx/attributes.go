package gitx

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// DriverAttributes are the attributes that make git run a command the
// user's config names: a clean/smudge filter, a diff driver (textconv,
// command), a merge driver.
var DriverAttributes = []string{"filter", "diff", "merge"}

// Attributes returns the value git assigns to each of attrs for each of
// paths, reading the .gitattributes files of a tree exactly as git does
// (quoted patterns, [attr] macros, binary, !attr and -attr, the last
// match winning, the repository's info/attributes and core.attributesFile
// too): the tree is read into a temporary index and `git check-attr
// --cached` asked, on every git this supports (2.40's --source would
// do without the index). Only values git reports as a string are kept
// (not "set", "unset" or "unspecified"); paths need not be in the tree.
func (r *Repo) Attributes(ctx context.Context, treeish string, paths, attrs []string) (map[string]map[string]string, error) {
	dir, err := os.MkdirTemp("", "git-airlock-attr-")
	if err != nil {
		return nil, fmt.Errorf("read attributes of %q: %w", treeish, err)
	}
	defer os.RemoveAll(dir)
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(dir, "index")}
	if _, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: r.git("read-tree", treeish), Env: env})); err != nil {
		return nil, fmt.Errorf("read attributes of %q: %w", treeish, err)
	}
	var in bytes.Buffer
	for _, p := range paths {
		in.WriteString(p)
		in.WriteByte(0)
	}
	out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: r.git(append([]string{"check-attr", "--cached", "-z", "--stdin"}, attrs...)...), Env: env, Stdin: &in}))
	if err != nil {
		return nil, fmt.Errorf("read attributes of %q: %w", treeish, err)
	}
	return parseCheckAttr(out)
}

// parseCheckAttr reads `git check-attr -z`: path, attribute, value, each
// NUL-terminated.
func parseCheckAttr(out []byte) (map[string]map[string]string, error) {
	f := splitNul(out)
	if len(f)%3 != 0 {
		return nil, fmt.Errorf("check-attr: %d fields, not triples", len(f))
	}
	m := map[string]map[string]string{}
	for i := 0; i < len(f); i += 3 {
		p, a, v := string(f[i]), string(f[i+1]), string(f[i+2])
		switch v {
		case "set", "unset", "unspecified":
			continue
		}
		if m[p] == nil {
			m[p] = map[string]string{}
		}
		m[p][a] = v
	}
	return m, nil
}
