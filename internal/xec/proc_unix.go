//go:build unix

package xec

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts a non-interactive child in a process group of its
// own, so that a timeout reaches its children too. Every child, in its
// own group or not, ends when git-airlock does (endWithParent): a kill -9
// of git-airlock reaches no process group but its own.
func ownProcessGroup(cmd *exec.Cmd, group bool) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: group}
	endWithParent(cmd.SysProcAttr)
}

// terminate asks the child (or its whole group) to end.
func terminate(cmd *exec.Cmd, group bool) error {
	if group {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	return cmd.Process.Signal(syscall.SIGTERM)
}
