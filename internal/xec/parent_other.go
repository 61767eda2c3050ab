//go:build !linux && !windows

package xec

import (
	"context"
	"os"
	"syscall"
)

// endWithParent: no parent-death signal outside Linux. A child git-airlock
// starts there outlives a kill -9 of git-airlock until its own deadline
// (every sbx call has one), except a fetch: its remote helper notices
// within a quarter of a second (EndWithOwner), ends its sbx child, and
// git, its helper gone, ends the fetch.
func endWithParent(*syscall.SysProcAttr) {}

// EndWithParent is for a program started by another one, not by xec (the
// remote helper, which git starts): the returned context ends within a
// quarter of a second of the parent's end, seen as a change of the parent
// process id (the system gives an orphan another parent).
func EndWithParent(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	return watchParent(ctx, cancel, os.Getppid())
}
