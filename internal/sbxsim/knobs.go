//go:build unix

package sbxsim

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"golang.org/x/term"
)

// The questions sbx-0.55-facts.md leaves open, each a knob with both
// answers (the default first), so that git-airlock is tested against
// both:
//
//	SBXSIM_NO_INPUT=absent          0.48 without --no-input (it is certain from 0.53)
//	SBXSIM_NO_INPUT_STYLE=block     a --no-input failure worded otherwise, exit 2
//	SBXSIM_ERROR_STREAM=stdout      sbx's own errors on stdout after the 0.48 migration
//	SBXSIM_GEMINI_REFUSAL=unknown   gemini refused as an unknown agent, not as retired
//	SBXSIM_ENTRYPOINT_ARGS=subcommand  from 0.53 only the image's subcommand is kept,
//	                                not its permission flags
//	SBXSIM_EXEC_SESSION=1           every exec is an active session for rm, not only -t
//	SBXSIM_HOST_FETCH_VERB=NAME     the host-to-clone fetch's verb (default sync)
//	SBXSIM_HOST_FETCH_REFS=branches it writes the host's branches as the clone's own,
//	                                not refs/remotes/host/*
//	SBXSIM_SSH_FORWARDING_DEFAULT=false  ssh.agentForwardingEnabled defaults off
//	SBXSIM_PORT_RETRY=auto          a taken host port is retried on a free one without asking
//	SBXSIM_SETTINGS_JSON=object     `settings list --json` prints {"settings":[{name,effective,source}]}

// hasNoInput: the release has the global --no-input flag.
func hasNoInput() bool { return release().NoInput && os.Getenv("SBXSIM_NO_INPUT") != "absent" }

// globals takes sbx's global flags: before the verb (where sbx's docs
// write them: `sbx --cloud ls`), and, as cobra takes them, among the
// verb's own arguments up to "--"; exec's and run's own parsers take
// theirs, since what follows there is a command. --no-input is refused as
// unknown where the release lacks it.
func (s *sim) globals(args []string) ([]string, error) {
	global := func(a string) (bool, error) {
		switch a {
		case "--no-input":
			if !hasNoInput() {
				return false, fail("unknown flag: --no-input")
			}
			s.noInput = true
			return true, nil
		case "-D", "--debug":
			return true, nil
		}
		return false, nil
	}
	for len(args) > 0 {
		ok, err := global(args[0])
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		args = args[1:]
	}
	if len(args) == 0 || args[0] == "exec" || args[0] == "run" {
		return args, nil
	}
	kept := []string{args[0]}
	for i, a := range args[1:] {
		if a == "--" {
			return append(kept, args[1+i:]...), nil
		}
		ok, err := global(a)
		if err != nil {
			return nil, err
		}
		if !ok {
			kept = append(kept, a)
		}
	}
	return kept, nil
}

// asks is what a verb does where sbx asks a question: under --no-input it
// fails with the command that goes on without the question (next); with
// no terminal it fails as sbx does without one; else it asks, and a "no"
// fails.
func (s *sim) asks(f *flags, what, question, next string) error {
	if s.noInput || (f != nil && f.has("--no-input")) {
		return needsAnswer(what, next)
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return fail("stdin is not a terminal; use --force to skip confirmation")
	}
	fmt.Fprint(os.Stderr, question+" [y/N] ")
	var ans string
	fmt.Scanln(&ans)
	if ans != "y" {
		return fail("cancelled")
	}
	return nil
}

// needsAnswer is the failure of a question under --no-input. Its wording
// is not documented (the docs say the command fails and prints the command
// to run): one line by default, a block with exit 2 under
// SBXSIM_NO_INPUT_STYLE=block.
func needsAnswer(what, next string) error {
	if os.Getenv("SBXSIM_NO_INPUT_STYLE") == "block" {
		return &exitError{code: 2, msg: fmt.Sprintf("Error: cannot prompt (--no-input is set): %s\nTo go on without the prompt, run:\n  %s", what, next)}
	}
	return fail("%s needs an answer, and --no-input is set; run '%s'", what, next)
}

// errStream is where sbx writes its own errors: stderr, or stdout under
// SBXSIM_ERROR_STREAM=stdout.
func errStream() *os.File {
	if os.Getenv("SBXSIM_ERROR_STREAM") == "stdout" {
		return os.Stdout
	}
	return os.Stderr
}

// hostFetchVerb is the name the simulator gives the host-to-clone fetch.
func hostFetchVerb() string {
	if v := os.Getenv("SBXSIM_HOST_FETCH_VERB"); v != "" {
		return v
	}
	return "sync"
}

// rootHelp is `sbx --help`: the commands of the release and its global
// flags, in cobra's layout.
func rootHelp() error {
	r := release()
	commands := map[string]string{
		"cp": "Copy files between the host and a sandbox", "create": "Create a sandbox", "daemon": "Manage the sandbox daemon",
		"exec": "Run a command in a sandbox", "login": "Sign in to Docker", "ls": "List sandboxes",
		"policy": "Manage network policies", "ports": "Manage published ports", "rm": "Remove sandboxes",
		"run": "Run an agent in a sandbox", "secret": "Manage secrets", "stop": "Stop sandboxes", "version": "Show the sbx version",
	}
	if r.Settings {
		commands["settings"] = "Manage Docker Sandboxes settings"
	}
	if r.HostFetch {
		commands[hostFetchVerb()] = "Fetch commits from the host repository into a clone-mode sandbox"
	}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("Docker Sandboxes (simulated)\n\nUsage:\n  sbx [command]\n\nAvailable Commands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-12s%s\n", n, commands[n])
	}
	b.WriteString("\nFlags:\n  -D, --debug      Enable debug logging\n  -h, --help       help for sbx\n")
	if hasNoInput() {
		b.WriteString("      --no-input   Never prompt; fail and print the command to run instead\n")
	}
	b.WriteString("\nUse \"sbx [command] --help\" for more information about a command.\n")
	fmt.Print(b.String())
	return nil
}

// geminiRetired is sbx's refusal of a new gemini sandbox (GH53; the
// wording is not documented): a retirement that names the agents left, or
// under SBXSIM_GEMINI_REFUSAL=unknown an agent sbx no longer knows.
func geminiRetired() error {
	if os.Getenv("SBXSIM_GEMINI_REFUSAL") == "unknown" {
		return fail("unknown agent %q", "gemini")
	}
	var left []string
	for a := range builtinAgents {
		if a != "gemini" {
			left = append(left, a)
		}
	}
	sort.Strings(left)
	return fail("the gemini agent has been retired; choose another agent: %s", strings.Join(left, ", "))
}
