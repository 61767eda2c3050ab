package workflow

import osexec "os/exec"

// lookPath only looks a program up (doctor's tmux check); it starts nothing.
func lookPath(name string) (string, error) { return osexec.LookPath(name) }
