package gitx

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// IgnoredPaths returns which of paths the host's ignore rules ignore
// (.gitignore files of the work tree, .git/info/exclude,
// core.excludesFile), whether or not they are tracked: a tracked file the
// merge adds there replaces a copy git treats as expendable.
func (r *Repo) IgnoredPaths(ctx context.Context, paths []string) (map[string]bool, error) {
	if r.Root == "" || len(paths) == 0 {
		return nil, nil
	}
	var in bytes.Buffer
	for _, p := range paths {
		in.WriteString(p)
		in.WriteByte(0)
	}
	out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: r.git("check-ignore", "--no-index", "-z", "--stdin"), Stdin: &in}))
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code == 1 {
		return nil, nil // none is ignored
	}
	if err != nil {
		return nil, fmt.Errorf("check ignore rules: %w", err)
	}
	m := map[string]bool{}
	for _, f := range splitNul(out) {
		m[string(f)] = true
	}
	return m, nil
}

// Identity is the host user's name and email as git would write them in
// a commit now ("" when git has none configured).
func (r *Repo) Identity(ctx context.Context) (name, email string) {
	out, err := r.output(ctx, "var", "GIT_COMMITTER_IDENT")
	if err != nil {
		return "", ""
	}
	return splitIdent(strings.TrimSpace(out))
}

// splitIdent reads "Name <email> 1700000000 +0000".
func splitIdent(s string) (name, email string) {
	open, end := strings.IndexByte(s, '<'), strings.LastIndexByte(s, '>')
	if open < 0 || end < open {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(s[:open]), s[open+1 : end]
}

// CommitIdentity is who a commit says made it, and whether it is signed.
type CommitIdentity struct {
	ID                            string
	AuthorName, AuthorEmail       string
	CommitterName, CommitterEmail string
	Signed                        bool // a gpgsig or gpgsig-sha256 header (OpenPGP, SSH or X.509)
}

// CommitIdentities reads the commits reachable from tip and not from base
// in one git call, from their raw headers (no signature is verified: that
// would run gpg).
func (r *Repo) CommitIdentities(ctx context.Context, base, tip string) ([]CommitIdentity, error) {
	out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: r.git("log", "--no-decorate", "--no-show-signature", "--pretty=raw", tip, "^"+base, "--")}))
	if err != nil {
		return nil, fmt.Errorf("read commits %s..%s: %w", base, tip, err)
	}
	return parseRawLog(out), nil
}

func parseRawLog(out []byte) []CommitIdentity {
	var cs []CommitIdentity
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		line := sc.Text()
		key, value, _ := strings.Cut(line, " ")
		switch {
		case key == "commit":
			cs = append(cs, CommitIdentity{ID: value})
		case len(cs) == 0:
		case key == "author":
			c := &cs[len(cs)-1]
			c.AuthorName, c.AuthorEmail = splitIdent(value)
		case key == "committer":
			c := &cs[len(cs)-1]
			c.CommitterName, c.CommitterEmail = splitIdent(value)
		case key == "gpgsig" || key == "gpgsig-sha256":
			cs[len(cs)-1].Signed = true
		}
	}
	return cs
}

// ErrNoSubmoduleRepo means a submodule has no repository here: neither
// checked out nor kept under .git/modules.
var ErrNoSubmoduleRepo = errors.New("the submodule has no repository here (not initialised)")

// SubmoduleRepo opens the repository of the submodule at path (relative to
// the top level): its checkout's git directory, or .git/modules/<name>
// (name as .gitmodules says, else the path).
func (r *Repo) SubmoduleRepo(ctx context.Context, path, name string) (*Repo, error) {
	if r.Root != "" {
		dir := filepath.Join(r.Root, filepath.FromSlash(path))
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: []string{"git", "-C", dir, "rev-parse", "--absolute-git-dir"}}))
			if err == nil {
				return OpenGitDir(r.run, strings.TrimSpace(string(out))), nil
			}
		}
	}
	for _, n := range []string{name, path} {
		if n == "" {
			continue
		}
		dir := filepath.Join(r.CommonDir, "modules", filepath.FromSlash(n))
		if st, err := os.Stat(filepath.Join(dir, "objects")); err == nil && st.IsDir() {
			return OpenGitDir(r.run, dir), nil
		}
	}
	return nil, fmt.Errorf("submodule %q: %w", path, ErrNoSubmoduleRepo)
}
