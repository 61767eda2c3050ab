//go:build unix

package agentrun

import (
	"errors"
	"syscall"
)

// alive reports whether a process exists (signal 0 sends nothing). A
// process of another user still exists (EPERM).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
