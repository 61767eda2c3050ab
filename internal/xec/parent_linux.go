package xec

import (
	"context"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// endWithParent has the kernel send the child SIGTERM when the thread
// that started it ends, that is when git-airlock ends, however it ends
// (kill -9 included). SIGTERM, not SIGKILL, so that a git child removes
// its lock files as it goes. Go keeps its threads for the life of the
// process unless a goroutine that locked one exits, which nothing here
// does.
func endWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGTERM
}

// EndWithParent is for a program started by another one, not by xec (the
// remote helper, which git starts): it asks the kernel for SIGTERM when
// the parent ends, and returns a context that ends then too (at once when
// the parent is already gone). A process that handles SIGTERM through the
// context (signal.NotifyContext) then ends its own children as it does on
// an interrupt.
func EndWithParent(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	parent := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0); err != nil {
		return watchParent(ctx, cancel, parent)
	}
	if os.Getppid() != parent {
		cancel() // gone before the request took effect
	}
	return ctx, cancel
}
