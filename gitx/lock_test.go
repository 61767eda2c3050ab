package gitx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/hint"
)

// A process waiting for the repository lock learns who holds it (pid and
// command, written by the holder) and gives up after a bounded wait,
// naming the holder and the next step; once the holder lets go, the lock
// is free at once and the file names nobody.
func TestLockSaysWhoHoldsIt(t *testing.T) {
	dir := t.TempDir()
	holder := &Repo{CommonDir: dir}
	waiter := &Repo{CommonDir: dir}
	ctx := context.Background()
	unlock, err := holder.Lock(ctx, LockWait{})
	if err != nil {
		t.Fatal(err)
	}
	var told []LockHolder
	_, err = waiter.Lock(ctx, LockWait{Max: 100 * time.Millisecond, Waiting: func(h LockHolder) { told = append(told, h) }})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Lock while held: %v", err)
	}
	me := filepath.Base(os.Args[0])
	if le.Holder.PID != os.Getpid() || !strings.HasPrefix(le.Holder.Command, me) || len(told) != 1 || told[0] != le.Holder {
		t.Fatalf("holder %+v, told %+v; want pid %d running %s, told once", le.Holder, told, os.Getpid(), me)
	}
	path := filepath.Join(dir, "airlock.lock")
	want := fmt.Sprintf("the repository lock (%s) is still held by process %d (%s) after 100ms", path, os.Getpid(), le.Holder.Command)
	if err.Error() != want {
		t.Errorf("error %q\nwant  %q", err, want)
	}
	if h := hint.Of(err); len(h) != 1 || h[0] != fmt.Sprintf("run this again once it has finished, or end it: kill %d", os.Getpid()) {
		t.Errorf("hints %q", h)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := waiter.Lock(cctx, LockWait{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a cancelled context: %v", err)
	}

	unlock()
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("lock file after unlock: %q", b)
	}
	told = nil
	unlock, err = waiter.Lock(ctx, LockWait{Max: time.Nanosecond, Waiting: func(h LockHolder) { told = append(told, h) }})
	if err != nil || told != nil {
		t.Fatalf("Lock once free: %v, told %v", err, told)
	}
	unlock()
}
