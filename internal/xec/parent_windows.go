package xec

import (
	"context"
	"os"
	"strconv"

	"golang.org/x/sys/windows"
)

// Windows has no parent-death signal: a child git-airlock starts there
// outlives a kill of git-airlock until its own deadline (every sbx call
// has one); a job object with kill-on-close would end it.

// EndWithParent is for a program started by another one, not by xec (the
// remote helper, which git starts): the returned context ends when the
// parent process does. Windows keeps an orphan's parent id, so the parent
// is waited for through a handle opened at once, while it still runs.
func EndWithParent(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(os.Getppid()))
	if err != nil {
		return ctx, cancel
	}
	go func() {
		defer windows.CloseHandle(h)
		if ev, err := windows.WaitForSingleObject(h, windows.INFINITE); err == nil && ev == windows.WAIT_OBJECT_0 {
			cancel()
		}
	}()
	return ctx, cancel
}

// EndWithOwner returns a context that ends when the process OwnerEnv
// names (read from getenv) does, waited for through a handle; ctx itself
// where OwnerEnv names none, or none that can be opened.
func EndWithOwner(ctx context.Context, getenv func(string) string) (context.Context, context.CancelFunc) {
	pid, err := strconv.Atoi(getenv(OwnerEnv))
	if err != nil || pid <= 0 {
		return ctx, func() {}
	}
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer windows.CloseHandle(h)
		if ev, err := windows.WaitForSingleObject(h, windows.INFINITE); err == nil && ev == windows.WAIT_OBJECT_0 {
			cancel()
		}
	}()
	return ctx, cancel
}
