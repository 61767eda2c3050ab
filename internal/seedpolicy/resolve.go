package seedpolicy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxHops bounds the symlinks followed for one path, as the kernel does.
const maxHops = 40

var errLoop = errors.New("too many levels of symbolic links")

// resolve is filepath.EvalSymlinks for an absolute p, reading only through
// fsys: every symlink is replaced by its target, absolute or relative to
// the link's directory, and ".." after a symlink goes up from where the
// link led. It returns the result, where each followed symlink sits (with
// its directory already resolved), and the result's Lstat.
func resolve(fsys FS, p string) (real string, links []string, info fs.FileInfo, err error) {
	const sep = string(filepath.Separator)
	vol := filepath.VolumeName(p)
	done, todo := vol+sep, p[len(vol):]
	for hops := 0; ; {
		var name string
		name, todo, _ = strings.Cut(strings.TrimLeft(todo, sep), sep)
		switch name {
		case "":
			info, err := fsys.Lstat(done)
			return done, links, info, err
		case ".":
			continue
		case "..":
			done = filepath.Dir(done)
			continue
		}
		next := filepath.Join(done, name)
		fi, err := fsys.Lstat(next)
		if err != nil {
			return "", nil, nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if !fi.IsDir() && strings.Trim(todo, sep) != "" {
				return "", nil, nil, &fs.PathError{Op: "lstat", Path: next, Err: syscall.ENOTDIR}
			}
			done = next
			continue
		}
		if hops++; hops > maxHops {
			return "", nil, nil, errLoop
		}
		target, err := fsys.Readlink(next)
		if err != nil {
			return "", nil, nil, err
		}
		if target == "" {
			return "", nil, nil, &fs.PathError{Op: "readlink", Path: next, Err: fs.ErrNotExist}
		}
		links = append(links, next)
		if os.IsPathSeparator(target[0]) || filepath.IsAbs(target) {
			// A rooted target without a volume (Windows) stays on ours.
			if v := filepath.VolumeName(target); v != "" {
				vol = v
			}
			done, target = vol+sep, target[len(filepath.VolumeName(target)):]
		}
		todo = target + sep + todo
	}
}
