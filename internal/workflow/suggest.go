package workflow

import (
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// Suggest is a next step about sandbox name as a command line that runs as
// printed: `git airlock <words>`, with `--name <name>` in front of the
// words unless a plain `git airlock <words>` would act on that sandbox
// anyway (IsPlain). The words are the caller's, already quoted.
func Suggest(entries []gitx.ConfigEntry, name, words string) string {
	if IsPlain(entries, name) {
		return "git airlock " + words
	}
	return "git airlock --name " + xec.Quote(name) + " " + words
}

// IsPlain reports whether a later command without --name acts on sandbox
// name, judged by what outlasts this invocation, git config: airlock.name,
// else the registered sandboxes (the only one; with none, the one being
// made now becomes the only one). SANDBOX_NAME and --name do not count:
// the next command may not have them.
func IsPlain(entries []gitx.ConfigEntry, name string) bool {
	configured := ""
	for _, e := range entries {
		if e.Key == "airlock.name" {
			configured = e.Value // the last one wins, as git reads it
		}
	}
	if configured != "" {
		return configured == name
	}
	list := Registered(entries, nil) // names only
	switch len(list) {
	case 0:
		return true
	case 1:
		return list[0].Name == name
	}
	return false
}
