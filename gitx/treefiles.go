package gitx

import (
	"context"
	"fmt"
	"os"
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

// ConfigReach says how the host's git config reaches a file: the key that
// names it and the config file that holds the key.
type ConfigReach struct {
	Key    string // include.path, includeif.<condition>.path, core.attributesfile, core.excludesfile
	Origin string // the config file, as git names it
	Runs   string // filled by the inspection: what in the file runs programs
}

func (c ConfigReach) String() string { return c.Key + " in " + c.Origin }

// trackedConfigKeys are the settings whose value is a file git reads as
// config or as rules: include.path and includeIf.<condition>.path (every
// condition counts: it may hold), core.attributesFile, core.excludesFile.
const trackedConfigKeys = `^(include\.path|includeif\..*\.path|core\.attributesfile|core\.excludesfile)$`

// TrackedConfig returns the files inside the work tree (outside .git) that
// the host's git config reads, by path relative to the top level with
// slashes. Includes are followed as git follows them (an included file's
// own include.path is listed with that file as its origin); relative
// values are relative to the file that names them, "~/" is $HOME.
func (r *Repo) TrackedConfig(ctx context.Context) (map[string]ConfigReach, error) {
	if r.Root == "" {
		return nil, nil
	}
	entries, err := readConfig(ctx, r.run, r.git(), trackedConfigKeys)
	if err != nil {
		return nil, err
	}
	root := evalOrClean(r.Root)
	out := map[string]ConfigReach{}
	for _, e := range entries {
		p := e.Value
		origin := strings.TrimPrefix(e.Origin, "file:")
		switch {
		case p == "":
			continue
		case strings.HasPrefix(p, "~/"):
			home, err := os.UserHomeDir()
			if err != nil {
				continue
			}
			p = filepath.Join(home, p[2:])
		case !filepath.IsAbs(p) && strings.HasPrefix(e.Key, "include"):
			if !strings.HasPrefix(e.Origin, "file:") {
				continue // command-line includes have no directory
			}
			if !filepath.IsAbs(origin) {
				origin = filepath.Join(r.Root, origin)
			}
			p = filepath.Join(filepath.Dir(origin), p)
		case !filepath.IsAbs(p):
			p = filepath.Join(r.Root, p) // core.* paths are relative to the work tree
		}
		rel, err := filepath.Rel(root, evalOrClean(p))
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			continue
		}
		rel = filepath.ToSlash(rel)
		if first, _, _ := strings.Cut(rel, "/"); strings.EqualFold(first, ".git") {
			continue
		}
		out[rel] = ConfigReach{Key: e.Key, Origin: strings.TrimPrefix(e.Origin, "file:")}
	}
	return out, nil
}
