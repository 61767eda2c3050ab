package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/ui"
)

type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

func (c *completionCmd) Help() string {
	// Each install line is a paragraph of its own, indented, so that the
	// help never breaks a command across lines.
	return `Install, for your shell:

    git airlock completion bash > ~/.local/share/bash-completion/completions/git-airlock

    git airlock completion zsh > "${fpath[1]}/_git-airlock"

    git airlock completion fish > ~/.config/fish/completions/git-airlock.fish

With git's own bash completion loaded, 'git airlock <TAB>' completes too.`
}

type completionCommand struct {
	name, help string
	flags      []string
}

// completionModel walks the kong model, so completions never drift from
// the commands.
func completionModel(app *kong.Application) (cmds []completionCommand, globals []string) {
	for _, f := range app.Flags {
		if !f.Hidden && f.Name != "help" {
			globals = append(globals, "--"+f.Name)
		}
	}
	for _, n := range app.Children {
		if n.Hidden {
			continue
		}
		cmd := completionCommand{name: n.Name, help: n.Help}
		for _, f := range n.Flags {
			cmd.flags = append(cmd.flags, "--"+f.Name)
		}
		for _, sub := range n.Children {
			cmd.flags = append(cmd.flags, sub.Name)
		}
		sort.Strings(cmd.flags)
		cmds = append(cmds, cmd)
	}
	return cmds, globals
}

func (c *completionCmd) Run(kctx *kong.Context, u *ui.UI) error {
	cmds, globals := completionModel(kctx.Model)
	switch c.Shell {
	case "bash":
		writeBash(u.Out, cmds, globals)
	case "zsh":
		writeZsh(u.Out, cmds, globals)
	case "fish":
		writeFish(u.Out, cmds, globals)
	}
	return nil
}

// sandboxBranches is a shell pipeline that lists the branches fetched from
// this repository's sandboxes, the words -b takes.
const sandboxBranches = `git for-each-ref --format='%(refname)' refs/remotes/ 2>/dev/null | sed -n -e '/^refs\/remotes\/airlock-[^/]*\/HEAD$/d' -e 's|^refs/remotes/airlock-[^/]*/||p' | sort -u`

func names(cmds []completionCommand) string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.name)
	}
	return strings.Join(out, " ")
}

func writeBash(w io.Writer, cmds []completionCommand, globals []string) {
	fmt.Fprintln(w, "# bash completion for git-airlock (git airlock completion bash)")
	fmt.Fprintln(w, "_git_airlock_flags() {\n  case \"$1\" in")
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s) echo %q ;;\n", c.name, strings.Join(c.flags, " "))
	}
	fmt.Fprintln(w, "  esac\n}")
	fmt.Fprintf(w, `# git's completion calls _git_airlock for "git airlock"; complete calls it for git-airlock.
_git_airlock() {
  local cur="${COMP_WORDS[COMP_CWORD]}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      --agent | --name | --host) ((i++)) ;; # the flag's value is no command
      airlock | -*) ;;
      *) cmd="${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "${COMP_WORDS[COMP_CWORD-1]}" in
    --name)
      COMPREPLY=($(compgen -W "$(git config --name-only --get-regexp '^remote\.airlock-.*\.url$' 2>/dev/null | sed -e 's/^remote\.airlock-//' -e 's/\.url$//')" -- "$cur"))
      return ;;
    --agent)
      COMPREPLY=($(compgen -W %q -- "$cur"))
      return ;;
    --agents) # a comma-separated list: complete its last item
      local last="${cur##*,}"
      local done="${cur%%"$last"}"
      COMPREPLY=($(compgen -P "$done" -W %q -- "$last"))
      return ;;
    -b | --branch)
      COMPREPLY=($(compgen -W "$(%s)" -- "$cur"))
      return ;;
  esac
  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W %q -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_git_airlock_flags "$cmd") %s" -- "$cur"))
  fi
}
complete -F _git_airlock git-airlock
`, agentWords(), agentWords(), sandboxBranches, names(cmds)+" "+strings.Join(globals, " "), strings.Join(globals, " "))
}

func writeZsh(w io.Writer, cmds []completionCommand, globals []string) {
	fmt.Fprintln(w, "#compdef git-airlock\n# zsh completion for git-airlock (git airlock completion zsh)\n_git-airlock() {\n  local -a commands\n  commands=(")
	for _, c := range cmds {
		fmt.Fprintf(w, "    %q\n", c.name+":"+c.help)
	}
	fmt.Fprintln(w, "  )\n  if (( CURRENT == 2 )); then\n    _describe 'command' commands\n    compadd -- "+strings.Join(globals, " ")+"\n    return\n  fi\n  case \"$words[2]\" in")
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s) compadd -- %s %s ;;\n", c.name, strings.Join(c.flags, " "), strings.Join(globals, " "))
	}
	fmt.Fprintln(w, "  esac\n}\ncompdef _git-airlock git-airlock")
}

func writeFish(w io.Writer, cmds []completionCommand, globals []string) {
	fmt.Fprintln(w, "# fish completion for git-airlock (git airlock completion fish)")
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c git-airlock -f -n __fish_use_subcommand -a %s -d %q\n", c.name, c.help)
		for _, f := range c.flags {
			if strings.HasPrefix(f, "--") {
				fmt.Fprintf(w, "complete -c git-airlock -f -n '__fish_seen_subcommand_from %s' -l %s\n", c.name, strings.TrimPrefix(f, "--"))
			}
		}
	}
	for _, g := range globals {
		fmt.Fprintf(w, "complete -c git-airlock -f -l %s\n", strings.TrimPrefix(g, "--"))
	}
	fmt.Fprintf(w, "complete -c git-airlock -f -l agent -x -a %q\n", agentWords())
	fmt.Fprintf(w, "complete -c git-airlock -f -s b -l branch -x -a %q\n", "("+sandboxBranches+")")
}

// agentWords are the agents --agent takes, for a completion word list.
func agentWords() string { return strings.Join(agent.Names(), " ") }
