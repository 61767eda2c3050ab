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
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if os.Getppid() != parent {
					cancel()
					return
				}
			}
		}
	}()
	return ctx, cancel
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
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
					cancel()
					return
				}
			}
		}
	}()
	return ctx, cancel
}
