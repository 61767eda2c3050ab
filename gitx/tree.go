package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// TreeChange is one entry of `git diff-tree --raw`.
type TreeChange struct {
	Status  byte // A added, M modified, D deleted, R renamed, C copied, T type changed
	Path    string
	OldPath string // for renames and copies
	OldMode uint32
	NewMode uint32
	OldHash string
	NewHash string
}

// File modes git uses.
const (
	ModeFile    = 0o100644
	ModeExec    = 0o100755
	ModeSymlink = 0o120000
	ModeGitlink = 0o160000
)

// DiffTree lists the changes from one commit to another, renames
// detected, in one git call.
func (r *Repo) DiffTree(ctx context.Context, from, to string) ([]TreeChange, error) {
	// git diff, not diff-tree: diff-tree reads the whole index first (27
	// MB and 70 ms in a 100,000-file repository for a one-file change),
	// diff does not. Every setting that could change what it lists is
	// pinned: a .gitmodules `ignore = all` or the user's
	// diff.ignoreSubmodules would hide a gitlink, diff.relative a path.
	out, err := r.output(ctx, "-c", "diff.relative=false", "diff", "--raw", "-z", "-M", "--no-abbrev", "--no-color",
		"--no-ext-diff", "--no-textconv", "--ignore-submodules=none", from, to, "--")
	if err != nil {
		return nil, fmt.Errorf("list changes %s..%s: %w", from, to, err)
	}
	return ParseRawDiff([]byte(out))
}

// ParseRawDiff reads `git diff-tree -r -z --raw` output.
func ParseRawDiff(out []byte) ([]TreeChange, error) {
	var changes []TreeChange
	fields := bytes.Split(out, []byte{0})
	for i := 0; i < len(fields); i++ {
		head := string(fields[i])
		if head == "" {
			continue
		}
		if head[0] != ':' {
			return nil, fmt.Errorf("diff-tree: unexpected %q", head)
		}
		f := strings.Fields(head[1:])
		if len(f) != 5 || f[4] == "" {
			return nil, fmt.Errorf("diff-tree: unexpected %q", head)
		}
		c := TreeChange{Status: f[4][0], OldHash: f[2], NewHash: f[3]}
		if !strings.ContainsRune("ACDMRTUX", rune(c.Status)) {
			return nil, fmt.Errorf("diff-tree: unknown status in %q", head)
		}
		om, err1 := strconv.ParseUint(f[0], 8, 32)
		nm, err2 := strconv.ParseUint(f[1], 8, 32)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("diff-tree: bad mode in %q", head)
		}
		c.OldMode, c.NewMode = uint32(om), uint32(nm)
		if i+1 >= len(fields) {
			return nil, fmt.Errorf("diff-tree: missing path after %q", head)
		}
		i++
		c.Path = string(fields[i])
		if c.Status == 'R' || c.Status == 'C' {
			if i+1 >= len(fields) {
				return nil, fmt.Errorf("diff-tree: missing new path after %q", head)
			}
			i++
			c.OldPath, c.Path = c.Path, string(fields[i])
		}
		if c.Path == "" || (c.Status == 'R' || c.Status == 'C') && c.OldPath == "" {
			return nil, fmt.Errorf("diff-tree: empty path after %q", head)
		}
		changes = append(changes, c)
	}
	return changes, nil
}

// ErrConfigSyntax means git's config parser rejects a blob.
var ErrConfigSyntax = errors.New("not a valid git config file")

// BlobConfig reads a blob (a .gitmodules) with git's own config parser,
// as `git submodule` reads it: keys canonical (section and name lower
// case, subsection as written), values decoded, no includes. A blob git
// cannot parse is ErrConfigSyntax.
func (r *Repo) BlobConfig(hash string) ([]ConfigEntry, error) {
	out, err := r.output(context.Background(), "config", "--no-includes", "-z", "--blob", hash, "--list")
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code != 1 {
		return nil, fmt.Errorf("read blob %s as git config: %w", hash, ErrConfigSyntax)
	}
	if err != nil && !errors.As(err, &ee) {
		return nil, fmt.Errorf("read blob %s as git config: %w", hash, err)
	}
	return ParseConfigList([]byte(out)), nil
}

// ParseConfigList reads `git config -z --list`: "key\nvalue" records, a
// key without "\n" has no value.
func ParseConfigList(out []byte) []ConfigEntry {
	var es []ConfigEntry
	for _, f := range splitNul(out) {
		key, value, found := strings.Cut(string(f), "\n")
		es = append(es, ConfigEntry{Key: canonicalKey(key), Value: value, NoValue: !found})
	}
	return es
}
