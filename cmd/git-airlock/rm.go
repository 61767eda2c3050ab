package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type rmCmd struct {
	Force bool `short:"f" help:"Remove even if the sandbox holds work that would be lost (it is listed, then lost)."`
}

func (c *rmCmd) Help() string {
	return `Fetches every branch first and refuses while the sandbox holds anything that
would be lost, unless --force: commits under any ref or in any worktree's HEAD
that are not fetched, stash entries, uncommitted or untracked changes in any
worktree, edits behind skip-worktree or assume-unchanged, files hidden by
.git/info/exclude, other repositories in the workspace. Files a committed
.gitignore ignores are listed, not refused. --force lists what it discards. The
fetched branches stay under refs/airlock/removed/<name>@<n>/, a namespace of
their own for each removal (a name removed again never overwrites what an
earlier removal kept), and 'git airlock ls' lists each removal as a row.`
}

func (c *rmCmd) Run(ctx context.Context, svc *lifecycle.Service, t target, inv *Invocation) error {
	return svc.Remove(ctx, lifecycle.RemoveRequest{Name: string(t), Force: c.Force, At: gitClock(inv.Env)})
}

// gitClock is the time git stamps the kept refs' reflog entries with:
// GIT_COMMITTER_DATE when it holds a date this reads (RFC 3339, or git's
// internal "@<seconds> <zone>" / "<seconds> <zone>"), else now. Recording
// a removal at git's time keeps the record and the reflog in agreement.
func gitClock(env func(string) (string, bool)) time.Time {
	v, ok := env("GIT_COMMITTER_DATE")
	if !ok || v == "" {
		return time.Now()
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	secs, _, _ := strings.Cut(strings.TrimPrefix(v, "@"), " ")
	if n, err := strconv.ParseInt(secs, 10, 64); err == nil {
		return time.Unix(n, 0)
	}
	return time.Now()
}
