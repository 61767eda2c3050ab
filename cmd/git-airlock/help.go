package main

import "github.com/alecthomas/kong"

// helpCmd exists because `git airlock --help` makes git open a man page.
type helpCmd struct {
	Command []string `arg:"" optional:"" help:"The command to explain."`
}

func (c *helpCmd) Run(kctx *kong.Context) error {
	_, err := kctx.Kong.Parse(append(c.Command, "--help"))
	return err
}
