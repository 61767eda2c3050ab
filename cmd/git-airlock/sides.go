package main

import (
	"cmp"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

// compareFlags are shared by the commands that compare a sandbox branch
// with a host base. One vocabulary across commands: --name is the sandbox
// (a global), -b/--branch the sandbox branch, [base] (or --base) the host
// side.
type compareFlags struct {
	Base    string `arg:"" optional:"" help:"Host branch or commit to compare with (default: airlock.base, then the current branch)."`
	BaseOpt string `name:"base" placeholder:"BASE" help:"Same as the [base] argument."`
	branchFlag
	NoFetch bool `help:"Use what was fetched last time; do not wake the sandbox."`

	gitOptions, gitPaths []string // diff and log: git's own, see takeGitArgs
}

// takeGit keeps what takeGitArgs set aside for git.
func (f *compareFlags) takeGit(options, paths []string) { f.gitOptions, f.gitPaths = options, paths }

// branchFlag names the sandbox branch, in every command that takes one.
type branchFlag struct {
	Branch string `short:"b" placeholder:"BRANCH" help:"Sandbox branch (default: the branch the agent has checked out)."`
}

func (f compareFlags) base() string { return cmp.Or(f.Base, f.BaseOpt) }

func (f compareFlags) request(t target, u *ui.UI) review.CompareRequest {
	return review.CompareRequest{Name: string(t), Base: f.base(), Branch: f.Branch, NoFetch: f.NoFetch,
		GitOptions: f.gitOptions, Paths: f.gitPaths, Streams: streams(u)}
}
