package seedpolicy

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// fakeFS is an in-memory file system keyed by clean absolute path. Parents
// are created on the way; "/" always exists.
type fakeFS map[string]*fakeNode

type fakeNode struct {
	mode     fs.FileMode
	target   string // of a symlink
	unlisted bool   // ReadDir fails
}

func newFake() fakeFS { return fakeFS{"/": {mode: fs.ModeDir}} }

func (f fakeFS) add(p string, n *fakeNode) fakeFS {
	p = filepath.Clean(p)
	for d := filepath.Dir(p); f[d] == nil; d = filepath.Dir(d) {
		f[d] = &fakeNode{mode: fs.ModeDir}
	}
	f[p] = n
	return f
}

func (f fakeFS) file(p string) fakeFS { return f.add(p, &fakeNode{}) }
func (f fakeFS) link(p, target string) fakeFS {
	return f.add(p, &fakeNode{mode: fs.ModeSymlink, target: target})
}

func (f fakeFS) Lstat(name string) (fs.FileInfo, error) {
	n := f[name]
	if n == nil || name != filepath.Clean(name) {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
	}
	return fakeInfo{filepath.Base(name), n.mode}, nil
}

func (f fakeFS) Readlink(name string) (string, error) {
	n := f[name]
	if n == nil || n.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return n.target, nil
}

func (f fakeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	n := f[name]
	if n == nil || !n.mode.IsDir() || n.unlisted {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	var es []fs.DirEntry
	for p, c := range f {
		if p != "/" && filepath.Dir(p) == name {
			es = append(es, fakeInfo{filepath.Base(p), c.mode})
		}
	}
	slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return es, nil
}

// evalSymlinks is the test's own oracle for resolution, written
// differently from resolve: recursive, one component at a time.
func (f fakeFS) evalSymlinks(p string, hops int) (string, error) {
	if hops > maxHops {
		return "", errLoop
	}
	out := "/"
	parts := strings.Split(strings.TrimPrefix(filepath.Clean(p), "/"), "/")
	for i, part := range parts {
		if part == "" {
			continue
		}
		if part == ".." {
			out = filepath.Dir(out)
			continue
		}
		q := filepath.Join(out, part)
		n := f[q]
		switch {
		case n == nil:
			return "", fs.ErrNotExist
		case n.mode&fs.ModeSymlink != 0:
			if n.target == "" {
				return "", fs.ErrNotExist
			}
			t := n.target
			if !filepath.IsAbs(t) {
				t = filepath.Join(out, t)
			}
			r, err := f.evalSymlinks(t, hops+1)
			if err != nil {
				return "", err
			}
			rest := append([]string{r}, parts[i+1:]...)
			return f.evalSymlinks(filepath.Join(rest...), hops+1)
		case !n.mode.IsDir() && i < len(parts)-1:
			return "", errors.New("not a directory")
		}
		out = q
	}
	return out, nil
}

type fakeInfo struct {
	name string
	mode fs.FileMode
}

func (i fakeInfo) Name() string               { return i.name }
func (i fakeInfo) Size() int64                { return 0 }
func (i fakeInfo) Mode() fs.FileMode          { return i.mode }
func (i fakeInfo) ModTime() time.Time         { return time.Time{} }
func (i fakeInfo) IsDir() bool                { return i.mode.IsDir() }
func (i fakeInfo) Sys() any                   { return nil }
func (i fakeInfo) Type() fs.FileMode          { return i.mode.Type() }
func (i fakeInfo) Info() (fs.FileInfo, error) { return i, nil }
