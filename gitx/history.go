package gitx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// RevList lists the commits reachable from any of include and from none of
// exclude (`git rev-list --stdin`: any number of tips, none of them read as
// an option).
func (r *Repo) RevList(ctx context.Context, include, exclude []string) ([]string, error) {
	var in strings.Builder
	for _, c := range include {
		fmt.Fprintf(&in, "%s\n", c)
	}
	for _, c := range exclude {
		fmt.Fprintf(&in, "^%s\n", c)
	}
	out, err := r.run.Output(ctx, xec.Cmd{Argv: r.git("rev-list", "--stdin"), Stdin: strings.NewReader(in.String())})
	if err != nil {
		return nil, fmt.Errorf("rev-list: %w", err)
	}
	return strings.Fields(string(out)), nil
}

// ReflogTips lists every value the refs' reflogs hold, in one
// `git log -g`; a ref without a reflog adds nothing.
func (r *Repo) ReflogTips(ctx context.Context, refs []string) ([]string, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	out, err := r.output(ctx, append(append([]string{"log", "-g", "--format=%H"}, refs...), "--")...)
	if err != nil {
		return nil, fmt.Errorf("read the reflogs of %q: %w", refs, err)
	}
	return strings.Fields(out), nil
}

// FileAt reads the blob at path in a commit (`git cat-file blob
// <commit>:<path>`); ok is false when the commit has no such file.
func (r *Repo) FileAt(ctx context.Context, commit, path string) (content []byte, ok bool, err error) {
	out, err := r.run.Output(ctx, xec.Cmd{Argv: r.git("cat-file", "-e", commit+":"+path)})
	var ee *xec.ExitError
	if errors.As(err, &ee) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", path, commit, err)
	}
	out, err = r.run.Output(ctx, xec.Cmd{Argv: r.git("cat-file", "blob", commit+":"+path)})
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", path, commit, err)
	}
	return out, true, nil
}

// IndexIs reports whether the index holds exactly commit's tree
// (`git diff-index --cached --quiet`): git wrote that commit's files.
func (r *Repo) IndexIs(ctx context.Context, commit string) bool {
	err := r.run.Run(ctx, xec.Cmd{Argv: r.git("diff-index", "--cached", "--quiet", commit, "--")})
	return err == nil
}

// Operation is a git command that stopped half-way and waits to be
// continued or aborted.
type Operation int

const (
	NoOperation Operation = iota
	Merging
	CherryPicking
	Rebasing
)

// InProgress says which command left its state in the git directory; a
// rebase's picks leave CHERRY_PICK_HEAD too, and count as the rebase.
func (r *Repo) InProgress() Operation {
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(r.GitDir, name))
		return err == nil
	}
	switch {
	case exists("rebase-merge") || exists("rebase-apply"):
		return Rebasing
	case exists("MERGE_HEAD"):
		return Merging
	case exists("CHERRY_PICK_HEAD"):
		return CherryPicking
	}
	return NoOperation
}

// CherryPickHead is the commit a cherry-pick or a rebase is copying
// (CHERRY_PICK_HEAD), "" when none is.
func (r *Repo) CherryPickHead() string {
	b, err := os.ReadFile(filepath.Join(r.GitDir, "CHERRY_PICK_HEAD"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// LandingMerge is the merge commit on tip's first-parent line that merged
// commit as its second parent (`git rev-list --first-parent --merges
// --parents tip ^commit`); "" when commit landed some other way.
func (r *Repo) LandingMerge(ctx context.Context, commit, tip string) (string, error) {
	out, err := r.run.Output(ctx, xec.Cmd{Argv: r.git("rev-list", "--first-parent", "--merges", "--parents", "--stdin"),
		Stdin: strings.NewReader(tip + "\n^" + commit + "\n")})
	if err != nil {
		return "", fmt.Errorf("find the merge of %s: %w", commit, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[2] == commit {
			return f[0], nil
		}
	}
	return "", nil
}
