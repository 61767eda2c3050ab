package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type rmCmd struct {
	Force bool `short:"f" help:"Remove even if the sandbox holds work that would be lost, or has an open session (what is lost or ended is listed)."`
}

func (c *rmCmd) Help() string {
	return `Refuses while a session of the sandbox is open (a run or up in progress,
its tmux session, an sbx run or attach), unless --force, which ends it. Then
stops the sandbox, so that nothing in it writes any more, fetches every branch,
and refuses while the sandbox holds anything that would be lost, unless
--force: commits under any ref, in any worktree's HEAD or a linked worktree's
own refs that are not fetched, stash entries, uncommitted or untracked changes
in any worktree, edits behind skip-worktree or assume-unchanged, files hidden
by .git/info/exclude, repositories nested in a worktree (their commits and
changes), other repositories in the workspace. A check that fails makes the
answer unknown, and rm refuses. Files a committed .gitignore ignores are
listed, not refused. The sandbox counts as gone only when sbx says so for its
name. The fetched branches stay under refs/airlock/removed/<name>@<n>/, a
namespace of their own for each removal (a name removed again never
overwrites what an earlier removal kept), and 'git airlock ls' lists each
removal as a row. Two rm of one sandbox queue on the repository's lock.`
}

func (c *rmCmd) Run(ctx context.Context, svc *lifecycle.Remover, t target, inv *Invocation) error {
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
