// Command git-remote-airlock is git's remote helper for airlock:// URLs:
// git runs it for `git fetch airlock-<name>`, `git push`, `git clone
// airlock://<name>`. See package internal/remote.
//
// IMPORTANT: nothing here may write to stdout except the helper protocol.
package main

import (
	"os"

	"github.com/git-airlock/git-airlock/internal/remote"
)

func main() { os.Exit(remote.Main()) }
