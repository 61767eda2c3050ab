package gitx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// DefaultLockWait is how long Lock waits for another git-airlock process
// to release the repository lock: twice the default airlock.timeout, the
// deadline of each step of a fetch that holds it (see docs/DECISIONS.md).
const DefaultLockWait = 2 * time.Minute

// LockHolder is the process that holds the repository lock, as it wrote
// itself into the lock file; zero when it wrote nothing (yet).
type LockHolder struct {
	PID     int
	Command string
}

func (h LockHolder) String() string {
	if h.PID == 0 {
		return "another git-airlock process"
	}
	return fmt.Sprintf("process %d (%s)", h.PID, h.Command)
}

// LockWait is how Lock waits: at most Max (DefaultLockWait when zero);
// Waiting, when set, is called once with the holder when the lock is not
// free at once.
type LockWait struct {
	Max     time.Duration
	Waiting func(LockHolder)
}

// LockedError is a repository lock still held after Lock's wait.
type LockedError struct {
	Path   string
	Holder LockHolder
	Waited time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("the repository lock (%s) is still held by %s after %s", e.Path, e.Holder, e.Waited)
}

// Lock takes an exclusive lock shared by git-airlock processes working on
// this repository (an IDE's fetch while the user merges), released by the
// returned function. git's own ref and config locks fail fast instead of
// waiting; this makes our own commands queue behind each other, for a
// bounded time. The holder writes its pid and command line into the lock
// file, so that a waiting process can say who it waits for; the lock
// itself is the file's flock (LockFileEx on Windows), which the system
// drops when the holder dies, so a stale file never blocks anyone.
func (r *Repo) Lock(ctx context.Context, w LockWait) (func(), error) {
	path := filepath.Join(r.CommonDir, "airlock.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock repository: %w", err)
	}
	max := w.Max
	if max <= 0 {
		max = DefaultLockWait
	}
	start := time.Now()
	deadline := start.Add(max)
	for told := false; ; {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock repository: %w", err)
		}
		if ok {
			break
		}
		if !told && w.Waiting != nil && time.Since(start) >= min(lockQuiet, max/2) {
			w.Waiting(readHolder(path))
			told = true
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, lockedError(path, readHolder(path), max)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	_ = writeHolder(f)
	return func() { _ = f.Truncate(0); _ = unlockFile(f); f.Close() }, nil
}

// lockQuiet is how long a wait goes unsaid (at most half the wait): one
// behind a fetch that is about to end needs no line.
const lockQuiet = time.Second

// lockedError carries the next step: wait for the holder, or end it.
func lockedError(path string, h LockHolder, waited time.Duration) error {
	next := "run this again once it has finished"
	if h.PID != 0 {
		next = fmt.Sprintf("run this again once it has finished, or end it: kill %d", h.PID)
	}
	return hint.With(&LockedError{Path: path, Holder: h, Waited: waited}, next)
}

// writeHolder records this process in the lock file: "<pid> <command>".
func writeHolder(f *os.File) error {
	args := append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...)
	line := xec.Quote(args...)
	if len(line) > 200 { // an agent's task can be long
		line = line[:200] + "…"
	}
	line = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, line)
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+" "+line+"\n"), 0)
	return err
}

// readHolder reads who holds the lock; zero when the file says nothing
// readable (the holder has not written it yet).
func readHolder(path string) LockHolder {
	b, err := os.ReadFile(path)
	if err != nil {
		return LockHolder{}
	}
	pid, cmd, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	n, err := strconv.Atoi(pid)
	if !ok || err != nil || n <= 0 {
		return LockHolder{}
	}
	return LockHolder{PID: n, Command: cmd}
}
