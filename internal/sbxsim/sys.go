//go:build unix

package sbxsim

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

var syscallZero = syscall.Signal(0)

// closeInheritedFDs marks every descriptor above stderr close-on-exec, so
// that the git daemons the simulator leaves running hold nothing of their
// caller's (a test's pty, a pipe), as a real VM would not.
func closeInheritedFDs() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// detach starts a command in a session of its own, with no terminal and
// no inherited streams, so that it outlives its caller quietly.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
