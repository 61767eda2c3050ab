package main

import (
	"strings"

	"github.com/alecthomas/kong"
)

// The long help of the commands whose files hold none. Paragraphs are
// separated by a blank line; lines indented by two spaces are examples,
// shown as they are (in the man pages too).

func (c *mergeCmd) Help() string {
	return `Fetches, inspects exactly what the merge would bring (git's own merge
result, as 'git airlock inspect' reports it), and stops on high-severity
findings unless you accept them (--accept-risk, or a yes on a terminal).
Then merges the inspected commit, by its object id, into the current
branch, always as a merge commit: its message ends with Airlock-* trailers
and a note under refs/notes/airlock records the review. git refuses when
local changes would be overwritten and reports conflicts as usual; the
trailers then wait in the message 'git commit' uses.

  git airlock merge
  git airlock merge -b agent/feature
  git airlock merge --accept-risk`
}

func (c *applyCmd) Help() string {
	return `Brings the agent's change into the working tree and the index as one
uncommitted change (git merge --squash of the inspected commit), without
the agent's history, after the same inspection as merge. The review's
trailers wait in the message your next 'git commit' uses.

  git airlock apply
  git airlock apply -b agent/feature && git commit`
}

func (c *prCmd) Help() string {
	return `Pushes the sandbox branch from the host (never from the sandbox) to the
forge remote as <remote-branch>, after the same inspection as merge, with
the review notes (refs/notes/airlock), then opens a pull request with
'gh pr create' when gh is installed, else prints the forge's compare URL.

  git airlock pr
  git airlock pr main airlock/fix-login -b agent/fix-login`
}

func (c *pushCmd) Help() string {
	return `Hands host commits to the agent: pushes a host revision into the
sandbox's clone as a branch (default host/<current branch>), through the
airlock remote, as 'git push airlock-<name> HEAD:refs/heads/host/main'
would. The agent sees it as a branch of its own clone.

  git airlock push
  git airlock push main -b host/main`
}

func (c *statusCmd) Help() string {
	return `Shows the sandbox's state (running, stopped, missing), its remote and
agent, the agent's last session (running for how long, or how it ended),
and every fetched branch with its commits ahead of and behind the base.
--unfetched asks the sandbox what the host lacks: new commits on a branch,
a detached HEAD, branches a fetch leaves out, and what rm would refuse to
lose.

  git airlock status
  git airlock status --unfetched`
}

func (c *lsCmd) Help() string {
	return `Lists this repository's sandboxes, one line each, with state, agent,
branches and unfetched work, and the removed sandboxes whose branches are
kept (<name>@<n>). --all-repos lists every sandbox sbx knows, on this
machine and on every server this repository uses.

  git airlock ls
  git airlock ls --all-repos`
}

func (c *fetchCmd) Help() string {
	return `Runs 'git fetch airlock-<name>', waking a stopped sandbox, and fetches
the agent's commits in each initialised submodule too. --all fetches every
sandbox of this repository side by side.

  git airlock fetch
  git airlock fetch --all`
}

func (c *stopCmd) Help() string {
	return `Withdraws the ports published on the host and stops the sandbox. Its clone
and commits are kept; a fetch or any command that needs it starts it again.`
}

func (c *shellCmd) Help() string {
	return `Opens an interactive shell inside the sandbox, in the agent's clone, to
look around or to commit what the agent left uncommitted. Nothing you do
there touches the host.`
}

func (c *attachCmd) Help() string {
	return `Attaches your terminal to the tmux session that 'git airlock up --tmux'
or '--tmux-detached' started for the sandbox (on a server, over ssh -t).`
}

func (c *doctorCmd) Help() string {
	return `Checks, one line each (OK, WARN, FAIL), the platform, git, sbx and its
clone mode, the login, the default network policy in force (and whether it
is the one git-airlock is asked for), the agent's credential, tmux, the
repository, its agent instructions, .airlock.toml, the gate hooks, and
code-airlock's sandbox.conf. Each WARN and FAIL comes with the command that
fixes it. --probe checks, with a throwaway sandbox, every sbx behaviour
git-airlock relies on.

Exit status: 0 no check failed, 1 a check failed (FAIL or MISMATCH) or
doctor itself failed, 129 a usage error.`
}

func (c *netCmd) Help() string {
	return `Shows the sandbox's network log from sbx, blocked hosts first, each with
the 'git airlock allow' command that lets it through.`
}

func (c *allowCmd) Help() string {
	return `Checks each host pattern, adds it to airlock.allow in local git config,
and applies it to the sandbox. A pattern that matches every host ('**')
needs --everything and is applied to the sandbox only, never saved.

  git airlock allow pypi.org files.pythonhosted.org
  git airlock allow '*.example.com'`
}

func (c *hooksCmd) Help() string {
	return `The hooks are optional. pre-merge-commit makes a plain 'git merge' of
sandbox work pass the same gate as 'git airlock merge'; reference-
transaction (git 2.28 and later) warns after a fast-forward, pull, reset,
checkout or rebase brought sandbox work. They honour core.hooksPath, never
overwrite a hook of yours (--force keeps it as <hook>.local, run first),
and 'git airlock hooks uninstall' removes them.`
}

func (c *initCmd) Help() string {
	return `Writes a starter AGENTS.md that tells the agent how to work in the sandbox
and commit. It never overwrites an existing file; commit it so that the
sandbox's clone has it.`
}

func (c *setupCmd) Help() string {
	return `Installs sbx for this platform and prepares it (login, default network
policy), showing each command and asking before it runs.`
}

func (c *unlockCmd) Help() string {
	return `Makes balanced sbx's default network policy again for every sandbox on
this machine, after saying what changes, and drops airlock.networkPolicy.
Changing an existing default needs 'sbx policy reset', which deletes local
network rules and stops running sandboxes: unlock asks first, or takes
--reset.`
}

func (c *configImportCmd) Help() string {
	return `Reads code-airlock's sandbox.conf without running it and writes its
settings to local git config: AGENT, SANDBOX_NAME, GLOBAL_NETWORK_POLICY,
ALLOW, SEED_PATHS (a path under $HOME, written $HOME/x, ${HOME}/x or ~/x,
becomes ~/x), REVIEW_TOOL (checked against git difftool's tools; vscode,
which older gits lack, is defined as newer gits define it), SEED_CONFIG and
TMUX_SESSION. Every other variable is named with what to do instead
(REPO_DIR: cd there; TMUX_ATTACH: --tmux or --tmux-detached). A value that
needs a shell to evaluate is refused, and then nothing is written.

  git airlock config import sandbox.conf`
}

// exitStatuses are the exit statuses of the commands whose help does not
// state them; a command not listed has the usual ones.
var exitStatuses = map[string]string{
	"up":      "the agent session's own status (0 when it ended well), 130 when interrupted, 1 an error, 129 a usage error",
	"run":     "the agent's own status (0 when it finished well); with --agents or --count, 1 when any agent failed; 1 an error, 129 a usage error",
	"shell":   "the shell's own status, 1 when the shell could not start, 129 a usage error",
	"merge":   "0 merged, 1 stopped on high-severity findings, refused by git, conflicts, or another error; 129 a usage error",
	"apply":   "0 applied, 1 stopped on high-severity findings or another error; 129 a usage error",
	"pr":      "0 pushed (and a pull request opened or its URL printed), 1 stopped on high-severity findings or another error; 129 a usage error",
	"compare": "0 done, 1 a check, the merge of the one picked, or another step failed; 129 a usage error",
	"rm":      "0 removed, 1 refused because work would be lost, or another error; 129 a usage error",
}

const usualExit = "0 done, 1 an error, 129 a usage error (as git's own commands)"

// describeExits adds an "Exit status:" paragraph to the long help of every
// command whose help does not say it, so that --help and the man pages
// name every status a script may see.
func describeExits(app *kong.Application) {
	for _, n := range app.Children {
		describeExit(n)
	}
}

func describeExit(n *kong.Node) {
	if n.Hidden || n.Type != kong.CommandNode {
		return
	}
	if len(n.Children) > 0 {
		for _, c := range n.Children {
			describeExit(c)
		}
		return
	}
	if strings.Contains(n.Detail, "Exit status:") {
		return
	}
	exits := usualExit
	if e, ok := exitStatuses[strings.ReplaceAll(n.Path(), " ", "-")]; ok {
		exits = e
	}
	if n.Detail != "" {
		n.Detail += "\n\n"
	}
	n.Detail += "Exit status: " + exits + "."
}
