package main

import (
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

// compareFlags are shared by the commands that compare a sandbox branch
// with a host base.
type compareFlags struct {
	Base    string `arg:"" optional:"" help:"Host branch or commit to compare with (default: airlock.base, then the current branch)."`
	Branch  string `short:"b" help:"Sandbox branch (default: the branch the agent has checked out)."`
	NoFetch bool   `help:"Use what was fetched last time; do not wake the sandbox."`
}

func (f compareFlags) request(t target, u *ui.UI) review.CompareRequest {
	return review.CompareRequest{Name: string(t), Base: f.Base, Branch: f.Branch, NoFetch: f.NoFetch, Streams: streams(u)}
}
