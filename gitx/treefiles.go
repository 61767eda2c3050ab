package gitx

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// TreeEntry is one file, symlink or submodule of a tree listed in full.
type TreeEntry struct {
	Mode uint32
	Hash string
	Path string
}

// TreeEntries lists every file, symlink and submodule of a tree (or a
// commit's tree), for resolving symlinks inside what a merge would land.
func (r *Repo) TreeEntries(ctx context.Context, treeish string) ([]TreeEntry, error) {
	out, err := r.output(ctx, "ls-tree", "-r", "-z", "--full-tree", treeish)
	if err != nil {
		return nil, fmt.Errorf("list tree %q: %w", treeish, err)
	}
	return parseLsTree([]byte(out))
}

func parseLsTree(out []byte) ([]TreeEntry, error) {
	var es []TreeEntry
	for _, f := range splitNul(out) {
		head, p, ok := strings.Cut(string(f), "\t")
		w := strings.Fields(head)
		if !ok || len(w) != 3 {
			return nil, fmt.Errorf("ls-tree: unexpected %q", f)
		}
		mode, err := strconv.ParseUint(w[0], 8, 32)
		if err != nil {
			return nil, fmt.Errorf("ls-tree: bad mode in %q", f)
		}
		es = append(es, TreeEntry{Mode: uint32(mode), Hash: w[2], Path: p})
	}
	return es, nil
}

// TrackedHooksPath returns the hooks directory (core.hooksPath) relative
// to the top of the work tree, with slashes, when it lies inside the work
// tree and outside .git: a merge that changes files there changes the
// hooks git runs next. "." is the top level itself; "" is outside.
func (r *Repo) TrackedHooksPath(ctx context.Context) (string, error) {
	if r.Root == "" {
		return "", nil
	}
	dir, err := r.HooksDir(ctx)
	if err != nil {
		return "", err
	}
	root, dir := evalOrClean(r.Root), evalOrClean(dir)
	rel, err := filepath.Rel(root, dir)
	if rel == "." {
		return ".", nil // the top level itself holds the hooks
	}
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", nil
	}
	rel = filepath.ToSlash(rel)
	if first, _, _ := strings.Cut(rel, "/"); strings.EqualFold(first, ".git") {
		return "", nil
	}
	return rel, nil
}

func evalOrClean(p string) string {
	if q, err := filepath.EvalSymlinks(p); err == nil {
		return q
	}
	return filepath.Clean(p)
}
