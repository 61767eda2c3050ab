// Package seedpolicy decides which user paths may be copied into a
// sandbox's $HOME, and what of their content: the curated per-agent
// config lists, the names that look like credentials, Check, which
// refuses a candidate that leaves $HOME or holds a secret, and Scrub,
// which takes the credentials out of a file's content.
//
// Its boundary: pure decisions over an FS and bytes it is given. It reads
// a candidate only through Lstat, Readlink and (for a directory
// candidate) ReadDir, resolves symlinks itself, never opens a file and
// never copies anything; reading and copying are the caller's business.
package seedpolicy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"
)

// FS is the little of a file system the policy reads.
type FS interface {
	Lstat(name string) (fs.FileInfo, error)
	Readlink(name string) (string, error)
	ReadDir(name string) ([]fs.DirEntry, error)
}

// OS is the host's file system.
type OS struct{}

var _ FS = OS{}

func (OS) Lstat(name string) (fs.FileInfo, error)     { return os.Lstat(name) }
func (OS) Readlink(name string) (string, error)       { return os.Readlink(name) }
func (OS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// Refused is a seed path refused for a reason the user must see. Path is
// the candidate as checked (after "~/" and $HOME are expanded).
type Refused struct{ Path, Why string }

func (e *Refused) Error() string { return fmt.Sprintf("seed path %q refused: %s", e.Path, e.Why) }

// Check decides whether the seed path p may be copied into a sandbox and
// returns it relative to home. p may start with "~/", or be relative to
// home, or absolute.
//
// It refuses p when it is $HOME itself or not under it (lexically, or once
// every symlink is resolved), when it does not exist or is neither a file
// nor a directory, when a symlink on its way sits in a directory others
// may write, when any component names a secret (as typed or as resolved),
// and when a directory holds, at any depth, a secret name, a symlink, a
// special file or a directory it cannot list. Every refusal is a *Refused.
func Check(fsys FS, home, p string) (string, error) {
	if strings.ContainsFunc(p, unicode.IsControl) {
		return "", &Refused{Path: p, Why: "the name holds a control character (a newline?)"}
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		p = filepath.Join(home, rest)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(home, p)
	}
	realHome, _, _, err := resolve(fsys, home)
	if err != nil || !filepath.IsAbs(home) {
		return "", &Refused{Path: p, Why: "cannot resolve $HOME"}
	}
	rel, err := filepath.Rel(home, filepath.Clean(p))
	// A prefix test, not a component test: "..x" is refused too, as it
	// always was.
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", &Refused{Path: p, Why: "it is not under $HOME (" + home + ")"}
	}
	// rel holds no "..", so resolving it from the resolved home is the
	// same walk as resolving p, without re-reading home's own links.
	real, links, info, err := resolve(fsys, filepath.Join(realHome, rel))
	if errors.Is(err, errLoop) {
		return "", &Refused{Path: p, Why: fmt.Sprintf("it is a symlink loop, or a chain of more than %d symlinks", maxHops)}
	}
	if err != nil {
		return "", &Refused{Path: p, Why: "it does not exist"}
	}
	realRel, ok := under(realHome, real)
	if !ok {
		return "", &Refused{Path: p, Why: "it resolves to " + real + ", outside $HOME"}
	}
	// A link in a directory others may write (/tmp) can be pointed
	// elsewhere by them between this check and the copy.
	for _, l := range links {
		if othersMayWrite(fsys, filepath.Dir(l)) {
			return "", &Refused{Path: p, Why: "it resolves through the symlink " + l + ", in a directory others may write"}
		}
	}
	for _, r := range []string{rel, realRel} {
		for _, part := range strings.Split(r, string(filepath.Separator)) {
			if SecretName(part) {
				via := ""
				if r == realRel && realRel != rel {
					via = "it resolves to " + real + ", and "
				}
				return "", &Refused{Path: p, Why: fmt.Sprintf("%s%q looks like credentials, keys, tokens, history, sessions, logs or a cache", via, part)}
			}
		}
	}
	switch {
	case info.Mode().IsRegular():
	case info.IsDir():
		if why := inspectDir(fsys, real); why != "" {
			return "", &Refused{Path: p, Why: why}
		}
	default:
		return "", &Refused{Path: p, Why: "it resolves to " + real + ", which is neither a file nor a directory"}
	}
	return rel, nil
}

// under returns p relative to dir when p lies strictly inside dir. Like
// the lexical test in Check, it is a prefix test.
func under(dir, p string) (string, bool) {
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", false
	}
	return rel, true
}

// othersMayWrite reports whether dir is writable by group or others, or
// cannot be looked at. Windows has no such bits (Lstat reports 0777 for
// every directory) and its ACLs are not read: there it is always false.
func othersMayWrite(fsys FS, dir string) bool {
	if runtime.GOOS == "windows" {
		return false
	}
	fi, err := fsys.Lstat(dir)
	return err != nil || fi.Mode().Perm()&0o022 != 0
}

// inspectDir walks dir through ReadDir and returns why it may not be
// copied, or "" when nothing inside is a secret, a symlink or a special
// file, and every directory could be listed.
func inspectDir(fsys FS, dir string) string {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return "cannot list " + dir + ", so cannot tell what it holds"
	}
	for _, e := range entries {
		q := filepath.Join(dir, e.Name())
		var found string
		switch {
		case SecretName(e.Name()):
			found = q
		case e.Type()&fs.ModeSymlink != 0:
			found = q + " (a symlink)"
		case e.IsDir():
			if why := inspectDir(fsys, q); why != "" {
				return why
			}
		case !e.Type().IsRegular():
			found = q + " (neither a file nor a directory)"
		}
		if found != "" {
			return "it contains " + found + ", which is not copied into a sandbox"
		}
	}
	return ""
}
