//go:build unix

// Command sbx is the Docker Sandboxes simulator, for tests and `make demo`
// on machines without the real sbx. See package sbxsim.
package main

import (
	"os"

	"github.com/git-airlock/git-airlock/internal/sbxsim"
)

func main() { os.Exit(sbxsim.Main()) }
