//go:build unix

package xec

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ReaderGone returns a channel closed once nobody reads f, a pipe, any
// more: for a program whose reader may die without a signal reaching it
// (git started the remote helper through a `git remote-airlock` of its
// own, which outlives git, so the helper's parent does not change when
// git is killed). nil when f is not a pipe; f must stay open. poll
// reports an error on a pipe's write end whose readers are all gone,
// whatever events are asked.
func ReaderGone(f *os.File) <-chan struct{} {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return nil
	}
	// Not f.Fd(), which would put f in blocking mode for every later write.
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	fd := -1
	if err := rc.Control(func(p uintptr) { fd = int(p) }); err != nil || fd < 0 {
		return nil
	}
	gone := make(chan struct{})
	go func() {
		for {
			fds := []unix.PollFd{{Fd: int32(fd)}}
			n, err := unix.Poll(fds, -1)
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil || n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				close(gone)
				return
			}
		}
	}()
	return gone
}
