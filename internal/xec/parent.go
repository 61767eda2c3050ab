//go:build unix

package xec

import (
	"context"
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"
)

// watchParent cancels ctx once this process's parent is no longer parent,
// asking four times a second.
func watchParent(ctx context.Context, cancel context.CancelFunc, parent int) (context.Context, context.CancelFunc) {
	go cancelWhen(ctx, cancel, func() bool { return os.Getppid() != parent })
	return ctx, cancel
}

// cancelWhen calls cancel once gone answers true, asking four times a
// second until ctx ends.
func cancelWhen(ctx context.Context, cancel context.CancelFunc, gone func() bool) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if gone() {
				cancel()
				return
			}
		}
	}
}

// EndWithOwner returns a context that ends once the process OwnerEnv
// names (read from getenv) no longer exists, asking four times a second;
// ctx itself where OwnerEnv names none.
func EndWithOwner(ctx context.Context, getenv func(string) string) (context.Context, context.CancelFunc) {
	pid, err := strconv.Atoi(getenv(OwnerEnv))
	if err != nil || pid <= 1 {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	go cancelWhen(ctx, cancel, func() bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) })
	return ctx, cancel
}
