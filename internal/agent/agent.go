// Package agent holds what git-airlock knows about each coding agent that sbx
// can run: its binary, its default command line, how to run it headless, and
// which sbx secret service holds its credential.
package agent

import (
	"slices"
	"sort"
	"strings"

	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// Agent is one built-in sbx agent.
type Agent struct {
	Name string
	// Bin and DefaultArgs: the command sbx starts for an interactive session.
	Bin         string
	DefaultArgs []string
	// Headless builds the argv for a one-shot task; nil means the agent has
	// no known non-interactive mode and the task is passed as is.
	Headless func(task string) []string
	// Secret is the sbx secret service that holds its credential, if any.
	Secret string
	// Input is how the agent can say that it waits for input, when
	// git-airlock can wire it in the sandbox's config: InputClaudeHooks
	// or InputCodexNotify; "" when it cannot be seen.
	Input string
}

// Ways an agent says it waits for input.
const (
	// InputClaudeHooks: Claude Code's hooks in ~/.claude/settings.json
	// (Notification, Stop; UserPromptSubmit and PostToolUse say it goes on).
	InputClaudeHooks = "claude-hooks"
	// InputCodexNotify: Codex's notify program in ~/.codex/config.toml,
	// called when a turn completes; nothing says that it goes on.
	InputCodexNotify = "codex-notify"
)

var agents = map[string]Agent{
	"claude": {Name: "claude", Bin: "claude", DefaultArgs: []string{"--dangerously-skip-permissions"}, Secret: "anthropic", Input: InputClaudeHooks,
		Headless: func(t string) []string { return []string{"claude", "--dangerously-skip-permissions", "-p", t} }},
	"codex": {Name: "codex", Bin: "codex", DefaultArgs: []string{"--dangerously-bypass-approvals-and-sandbox"}, Secret: "openai", Input: InputCodexNotify,
		Headless: func(t string) []string {
			return []string{"codex", "exec", "--dangerously-bypass-approvals-and-sandbox", t}
		}},
	"opencode": {Name: "opencode", Bin: "opencode",
		Headless: func(t string) []string { return []string{"opencode", "run", t} }},
	"gemini":       {Name: "gemini", Bin: "gemini", DefaultArgs: []string{"--yolo"}, Secret: "google"},
	"copilot":      {Name: "copilot", Bin: "copilot", DefaultArgs: []string{"--yolo"}, Secret: "github"},
	"cursor":       {Name: "cursor", Bin: "cursor-agent", DefaultArgs: []string{"--yolo"}, Secret: "cursor"},
	"kiro":         {Name: "kiro", Bin: "kiro", DefaultArgs: []string{"chat", "--trust-all-tools"}},
	"droid":        {Name: "droid", Bin: "droid", Secret: "droid"},
	"devin":        {Name: "devin", Bin: "devin", Secret: "devin"},
	"docker-agent": {Name: "docker-agent", Bin: "docker-agent", DefaultArgs: []string{"run", "--yolo"}},
	"shell":        {Name: "shell", Bin: "bash", DefaultArgs: []string{"-l"}},
}

// Lookup returns the agent of that name.
func Lookup(name string) (Agent, bool) {
	a, ok := agents[name]
	return a, ok
}

// Names lists the agents, sorted.
func Names() []string {
	names := make([]string, 0, len(agents))
	for n := range agents {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HeadlessArgv returns the argv that runs task without a terminal, and
// whether the mapping is known (false: passed through with a warning).
func (a Agent) HeadlessArgv(task string, extra []string) ([]string, bool) {
	if a.Headless != nil {
		return append(a.Headless(task), extra...), true
	}
	if a.Name == "shell" {
		return append([]string{"bash", "-lc", task}, extra...), true
	}
	argv := append([]string{a.Bin}, a.DefaultArgs...)
	argv = append(argv, extra...)
	return append(argv, task), false
}

// IsKnown reports whether name is a built-in agent.
func IsKnown(name string) bool { return slices.Contains(Names(), name) }

// Subcommand is the subcommand the agent's image starts it with (kiro's
// chat, docker-agent's run), "" for none.
func (a Agent) Subcommand() string {
	if len(a.DefaultArgs) > 0 && !strings.HasPrefix(a.DefaultArgs[0], "-") {
		return a.DefaultArgs[0]
	}
	return ""
}

// SessionArgs is what to pass after `sbx run NAME --` for the user's args
// under the sbx's rule (sbxspec.ArgRule). Where sbx keeps the image's own
// arguments (0.53 and newer), a leading subcommand that the image already
// runs is dropped, since it would run twice (`kiro chat chat …`); dropped
// names it.
func (a Agent) SessionArgs(rule sbxspec.ArgRule, args []string) (out []string, dropped string) {
	if sub := a.Subcommand(); rule == sbxspec.ArgsEntrypointKept && sub != "" && len(args) > 0 && args[0] == sub {
		return args[1:], sub
	}
	return args, ""
}
