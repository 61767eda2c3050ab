//go:build unix

package xec

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts a non-interactive child in a process group of its
// own, so that a timeout reaches its children too.
func ownProcessGroup(cmd *exec.Cmd, group bool) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: group}
}

// terminate asks the child (or its whole group) to end.
func terminate(cmd *exec.Cmd, group bool) error {
	if group {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	return cmd.Process.Signal(syscall.SIGTERM)
}
