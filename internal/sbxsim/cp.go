//go:build unix

package sbxsim

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// dockerCopy copies into the VM as `docker cp` does, which is how sbx cp
// behaves where it extracts a tar stream (SBXSIM_CP=docker; "tar extract
// failed" in sbx-cli-facts.md): no directory is created but the copy
// itself. A destination ending in "/" must be an existing directory, and
// every destination's parent must exist; onto an existing directory the
// source goes inside it under its own name, merged into what is there (a
// tar extracts over it), else it is saved as the destination.
func dockerCopy(src, dst string) error {
	slash := strings.HasSuffix(dst, "/")
	dst = filepath.Clean(dst)
	fi, err := os.Stat(dst)
	switch {
	case err == nil && fi.IsDir():
		dst = filepath.Join(dst, filepath.Base(src))
	case err == nil && slash:
		return fail("tar extract failed: %s: not a directory", dst)
	case slash:
		return fail("tar extract failed: %s: no such directory", dst)
	}
	if _, err := os.Stat(filepath.Dir(dst)); err != nil {
		return fail("tar extract failed: %s: no such directory", filepath.Dir(dst))
	}
	args := []string{"-R", src, dst}
	if fi, err := os.Stat(src); err == nil && fi.IsDir() {
		if err := os.MkdirAll(dst, fi.Mode().Perm()); err != nil {
			return fail("tar extract failed: %v", err)
		}
		args = []string{"-R", src + "/.", dst}
	}
	if b, err := exec.Command("cp", args...).CombinedOutput(); err != nil {
		return fail("copy: %s", b)
	}
	return nil
}
