package xec

import "os/exec"

// ownProcessGroup: Windows has no process groups to signal; WaitDelay
// still bounds the wait for pipes a grandchild holds.
func ownProcessGroup(*exec.Cmd, bool) {}

// terminate ends the child; Windows has no SIGTERM.
func terminate(cmd *exec.Cmd, _ bool) error { return cmd.Process.Kill() }
