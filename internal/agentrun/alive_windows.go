//go:build windows

package agentrun

import "os"

// alive reports whether a process exists: on Windows, opening it fails
// once it has exited.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
