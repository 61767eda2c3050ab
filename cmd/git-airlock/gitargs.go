package main

import (
	"slices"
	"strings"

	"github.com/alecthomas/kong"
)

// gitDisplay are the commands that hand git's own display options and a
// pathspec to the git command they run: `git airlock diff --name-only`,
// `git airlock log -p -- calc.py` read as `git diff` and `git log` would.
var gitDisplay = map[string]bool{"diff": true, "log": true}

// gitArgsTaker is a command that receives what takeGitArgs took for git.
type gitArgsTaker interface{ takeGit(options, paths []string) }

// takeGitArgs splits the command line of a gitDisplay command before kong
// reads it: kong gets the global flags, the command's own flags and its
// positional base; git gets every other option, as typed, and everything
// after "--" (the pathspec). Other command lines are returned whole. An
// option of git's that takes a value must carry it attached (--author=x,
// -Sfoo, -U5): a separate word would read as the base.
func takeGitArgs(app *kong.Application, args []string) (kept, options, paths []string) {
	node, at := commandAt(app.Node, args)
	if node == nil || !gitDisplay[node.Name] {
		return args, nil, nil
	}
	kept = append(kept, args[:at+1]...)
	for i := at + 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return kept, options, append([]string{}, args[i+1:]...)
		}
		f, known := lookupFlag(node, a)
		switch {
		case !strings.HasPrefix(a, "-") || a == "-":
			kept = append(kept, a)
		case !known:
			options = append(options, a)
		default:
			kept = append(kept, a)
			if takesWord(f, a) && i+1 < len(args) {
				i++
				kept = append(kept, args[i])
			}
		}
	}
	return kept, options, nil
}

// commandAt finds the command word among the global flags in front of it.
func commandAt(root *kong.Node, args []string) (*kong.Node, int) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil, 0
		}
		if strings.HasPrefix(a, "-") {
			if f, ok := lookupFlag(root, a); ok && takesWord(f, a) {
				i++
			}
			continue
		}
		for _, c := range root.Children {
			if c.Type == kong.CommandNode && (c.Name == a || slices.Contains(c.Aliases, a)) {
				return c, i
			}
		}
		return nil, 0
	}
	return nil, 0
}

// lookupFlag finds the flag an argument names (--long, --long=v, -s, -sv)
// among the node's own and its parents' flags. Help is always known.
func lookupFlag(node *kong.Node, arg string) (*kong.Flag, bool) {
	long, isLong := strings.CutPrefix(arg, "--")
	long, _, _ = strings.Cut(long, "=")
	if (isLong && long == "help") || arg == "-h" {
		return nil, true
	}
	for _, group := range node.AllFlags(false) {
		for _, f := range group {
			switch {
			case isLong && (f.Name == long || slices.Contains(f.Aliases, long) || f.Negated && "no-"+f.Name == long):
				return f, true
			case !isLong && len(arg) >= 2 && f.Short != 0 && rune(arg[1]) == f.Short:
				return f, true
			}
		}
	}
	return nil, false
}

// takesWord reports whether a flag's value is the next word: a flag that
// is not a switch, written without its value attached.
func takesWord(f *kong.Flag, arg string) bool {
	if f == nil || f.IsBool() || f.IsCounter() || strings.Contains(arg, "=") {
		return false
	}
	return strings.HasPrefix(arg, "--") || len(arg) == 2
}
