package main

import "github.com/git-airlock/git-airlock/internal/ui"

type versionCmd struct{}

func (c *versionCmd) Run(u *ui.UI) error {
	u.Printf("git-airlock %s\n", version)
	return nil
}
