//go:build unix

package xec

import (
	"context"
	"os"
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
