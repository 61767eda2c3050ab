package sbx

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// PutRequest puts content from this machine into a directory of a
// sandbox: each Tree (a file, or a directory of files) is written to a
// private staging directory and copied with one `sbx cp`, after one `sbx
// exec mkdir -p` of every parent. The content is given, not read: what
// reaches the sandbox is exactly what the caller decided on, never a file
// that changed (or became a symlink) since.
type PutRequest struct {
	Name  string
	Dir   string // absolute, in the sandbox
	Trees []Tree
}

// Tree is a file or a directory to put.
type Tree struct {
	Path string // relative to the request's Dir, slash-separated
	// Files: for a file, one whose Path is ""; for a directory, every
	// file in it, by its path under it.
	Files []File
}

// File is one file's content and permission bits.
type File struct {
	Path    string
	Content []byte
	Mode    fs.FileMode
}

// StagePlaceholder stands for the staging directory in what a dry run
// prints, which creates none: mktemp's template of its name.
const StagePlaceholder = "git-airlock-put-XXXXXX"

// Put runs a PutRequest. Parents are created first on every sbx version:
// `sbx cp` does not create them where it behaves as `docker cp` does
// ("tar extract failed"). Each tree is copied onto its parent ("dir/"), so
// that sbx names it after the staged copy, which has the tree's name.
func (c *Client) Put(ctx context.Context, req PutRequest) error {
	if c.Remote != nil {
		// sbx cp on the server would read the server's disk.
		return fmt.Errorf("put files into sandbox %q: sbx runs on %s, and these files are on this machine", req.Name, c.Remote.Host)
	}
	if !path.IsAbs(req.Dir) {
		return fmt.Errorf("put files into sandbox %q: %q is not an absolute path", req.Name, req.Dir)
	}
	for _, t := range req.Trees {
		if !local(t.Path) || slices.ContainsFunc(t.Files, func(f File) bool { return f.Path != "" && !local(f.Path) }) {
			return fmt.Errorf("put files into sandbox %q: %q is not a path inside %s", req.Name, t.Path, req.Dir)
		}
	}
	if len(req.Trees) == 0 {
		return nil
	}
	stage := filepath.Join(os.TempDir(), StagePlaceholder)
	if !c.DryRun() {
		var err error
		if stage, err = stageTrees(req.Trees); err != nil {
			return fmt.Errorf("put files into sandbox %q: %w", req.Name, err)
		}
		defer os.RemoveAll(stage)
	}
	mkdir := []string{"mkdir", "-p"}
	for _, t := range req.Trees {
		if dir := path.Dir(path.Join(req.Dir, t.Path)); !slices.Contains(mkdir, dir) {
			mkdir = append(mkdir, dir)
		}
	}
	if err := c.Exec(ctx, ExecRequest{Name: req.Name, Argv: mkdir, Mutates: true}); err != nil {
		return err
	}
	for _, t := range req.Trees {
		dst := path.Dir(path.Join(req.Dir, t.Path)) + "/"
		if err := c.Copy(ctx, req.Name, filepath.Join(stage, filepath.FromSlash(t.Path)), dst); err != nil {
			return err
		}
	}
	return nil
}

// local reports whether p is a clean, relative, slash-separated path that
// stays inside the directory it is relative to.
func local(p string) bool {
	return p != "" && !strings.Contains(p, `\`) && path.Clean(p) == p && filepath.IsLocal(filepath.FromSlash(p))
}

// stageTrees writes the trees under a new private directory (0700), each
// file with its permission bits less group and other write.
func stageTrees(trees []Tree) (string, error) {
	stage, err := os.MkdirTemp("", "git-airlock-put-")
	if err != nil {
		return "", err
	}
	for _, t := range trees {
		for _, f := range t.Files {
			p := filepath.Join(stage, filepath.FromSlash(path.Join(t.Path, f.Path)))
			err = errors.Join(os.MkdirAll(filepath.Dir(p), 0o755), os.WriteFile(p, f.Content, f.Mode.Perm()&^0o022|0o600))
			if err != nil {
				os.RemoveAll(stage)
				return "", err
			}
		}
	}
	return stage, nil
}
