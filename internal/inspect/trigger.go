package inspect

// Trigger is what on the host acts on a changed file without the user
// deciding to run the agent's code: the model findings are organised by.
// A file no trigger is known for is judged by whether it looks like tool
// configuration (Unknown) rather than passed over.
type Trigger int

const (
	// Git: git itself, on the next git command (hooks, config reachable
	// from the host's config, attributes, submodules, LFS).
	Git Trigger = iota + 1
	// Shell: the shell on cd into the directory (direnv and what its
	// .envrc loads, mise, asdf, devenv, devbox).
	Shell
	// Editor: the editor or IDE on opening the folder, at any depth
	// (tasks, settings naming programs, project import, extensions that
	// load JavaScript configuration).
	Editor
	// Build: the package manager or build tool on install, import or build.
	Build
	// Runtime: the language runtime on start (.pth files, sitecustomize,
	// rc files interpreters read from the working directory).
	Runtime
	// CI: the CI service on the next push, with the repository's secrets.
	CI
	// Agent: the next agent session on the host (settings, hooks, MCP
	// servers, instruction files).
	Agent
	// Ignored: git's checkout replaces a file the host keeps outside git
	// (ignored), so whatever reads that copy next runs the agent's.
	Ignored
	// Merge: the merge itself lands something other than the diff shows.
	Merge
	// Review: what hides a change from the reviewer (names, binaries,
	// sizes, identities).
	Review
	// Yours: a path the user's own airlock.protect names.
	Yours
	// Unknown: tool configuration no rule knows.
	Unknown
)

// Triggers lists every trigger in the order reports show them.
var Triggers = []Trigger{Git, Shell, Editor, Build, Runtime, CI, Agent, Ignored, Merge, Review, Yours, Unknown}

// String is the trigger's id in JSON and in `inspect --rules`.
func (t Trigger) String() string {
	switch t {
	case Git:
		return "git"
	case Shell:
		return "shell"
	case Editor:
		return "editor"
	case Build:
		return "build"
	case Runtime:
		return "runtime"
	case CI:
		return "ci"
	case Agent:
		return "agent"
	case Ignored:
		return "ignored"
	case Merge:
		return "merge"
	case Review:
		return "review"
	case Yours:
		return "protect"
	case Unknown:
		return "unknown"
	}
	return "none"
}

// Title says who acts and when: the heading of a report's section.
func (t Trigger) Title() string {
	switch t {
	case Git:
		return "git runs or reads it on your next git command"
	case Shell:
		return "your shell runs it when you cd into the directory"
	case Editor:
		return "your editor or IDE runs it when you open the folder"
	case Build:
		return "the package manager or build tool runs it on install, import or build"
	case Runtime:
		return "the language runtime loads it when it starts"
	case CI:
		return "CI runs it on the next push, with the repository's secrets"
	case Agent:
		return "your next agent session loads it"
	case Ignored:
		return "it replaces a file you keep outside git"
	case Merge:
		return "the merge itself"
	case Review:
		return "it can hide a change from your review"
	case Yours:
		return "your airlock.protect"
	case Unknown:
		return "tool configuration no rule knows"
	}
	return "other"
}

// ParseTrigger reads a trigger's id.
func ParseTrigger(s string) (Trigger, bool) {
	for _, t := range Triggers {
		if t.String() == s {
			return t, true
		}
	}
	return 0, false
}

// MarshalText makes a trigger its id in JSON.
func (t Trigger) MarshalText() ([]byte, error) { return []byte(t.String()), nil }
