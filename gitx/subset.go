package gitx

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TreeSubset returns the entries of a tree that keep selects (the symlinks
// and loader files inspect needs from a merge result) at a cost in
// proportion to what changed, not to the tree: the answer for the last tree
// asked is kept in .git/airlock/subset-<name>, and a new tree is answered
// from it plus `git diff` between the two (unchanged subtrees are never
// read). Only the first call in a repository lists the tree in full. name
// must change whenever keep does.
func (r *Repo) TreeSubset(ctx context.Context, tree, name string, keep func(TreeEntry) bool) ([]TreeEntry, error) {
	file := filepath.Join(r.CommonDir, "airlock", "subset-"+name)
	kept, keptTree := readSubset(file)
	var entries []TreeEntry
	switch {
	case keptTree == tree:
		return kept, nil
	case keptTree != "":
		changes, err := r.DiffTree(ctx, keptTree, tree)
		if err != nil {
			return r.fullSubset(ctx, tree, file, keep) // the kept tree is gone (gc after a reset)
		}
		entries = ApplyChanges(kept, changes, keep)
	default:
		return r.fullSubset(ctx, tree, file, keep)
	}
	writeAirlockFile(file, formatSubset(tree, entries))
	return entries, nil
}

func (r *Repo) fullSubset(ctx context.Context, tree, file string, keep func(TreeEntry) bool) ([]TreeEntry, error) {
	all, err := r.TreeEntries(ctx, tree)
	if err != nil {
		return nil, err
	}
	var entries []TreeEntry
	for _, e := range all {
		if keep(e) {
			entries = append(entries, e)
		}
	}
	writeAirlockFile(file, formatSubset(tree, entries))
	return entries, nil
}

// ApplyChanges turns the entries of one tree that keep selects into those
// of another, given the changes between them.
func ApplyChanges(entries []TreeEntry, changes []TreeChange, keep func(TreeEntry) bool) []TreeEntry {
	byPath := make(map[string]TreeEntry, len(entries))
	for _, e := range entries {
		byPath[e.Path] = e
	}
	for _, c := range changes {
		if c.OldPath != "" && c.Status == 'R' {
			delete(byPath, c.OldPath)
		}
		delete(byPath, c.Path)
		if c.Status == 'D' {
			continue
		}
		if e := (TreeEntry{Mode: c.NewMode, Hash: c.NewHash, Path: c.Path}); keep(e) {
			byPath[c.Path] = e
		}
	}
	out := make([]TreeEntry, 0, len(byPath))
	for _, e := range byPath {
		out = append(out, e)
	}
	return out
}

// The file: "tree <id>\n", then one "<mode> <hash> <path>\0" per entry.
func formatSubset(tree string, entries []TreeEntry) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", tree)
	for _, e := range entries {
		fmt.Fprintf(&b, "%o %s %s\x00", e.Mode, e.Hash, e.Path)
	}
	return b.Bytes()
}

func readSubset(file string) ([]TreeEntry, string) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, ""
	}
	head, rest, ok := bytes.Cut(b, []byte("\n"))
	tree, found := strings.CutPrefix(string(head), "tree ")
	if !ok || !found || !isObjectID(tree) {
		return nil, ""
	}
	var entries []TreeEntry
	for _, rec := range splitNul(rest) {
		var e TreeEntry
		f := strings.SplitN(string(rec), " ", 3)
		if len(f) != 3 || !isObjectID(f[1]) {
			return nil, "" // damaged: list the tree again
		}
		if _, err := fmt.Sscanf(f[0], "%o", &e.Mode); err != nil {
			return nil, ""
		}
		e.Hash, e.Path = f[1], f[2]
		entries = append(entries, e)
	}
	return entries, tree
}

// writeAirlockFile replaces a file of git-airlock's own under .git/airlock
// through a temporary file renamed into place, so a concurrent run reads
// the old file or the new one, never half of one. It takes the umask's
// permissions, as git's own files do. A file that cannot be written is
// left as it was: these are caches.
func writeAirlockFile(file string, content []byte) {
	if err := os.MkdirAll(filepath.Dir(file), 0o777); err != nil {
		return
	}
	tmp := fmt.Sprintf("%s.%d.tmp", file, os.Getpid())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return
	}
	_, werr := f.Write(content)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(tmp, file) != nil {
		os.Remove(tmp)
	}
}
