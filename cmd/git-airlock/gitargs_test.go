package main

import (
	"slices"
	"testing"

	"github.com/alecthomas/kong"
)

// TestTakeGitArgs: diff and log leave git's options and the pathspec to
// git, whatever order they come in; other commands keep kong's checks.
func TestTakeGitArgs(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("git-airlock"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args, kept, options, paths []string
	}{
		{[]string{"diff", "--stat", "-p", "main", "--", "x.py"}, []string{"diff", "--stat", "main"}, []string{"-p"}, []string{"x.py"}},
		{[]string{"--name", "box", "log", "-U5", "--author=x", "-b", "agent/w", "--no-fetch"},
			[]string{"--name", "box", "log", "-b", "agent/w", "--no-fetch"}, []string{"-U5", "--author=x"}, nil},
		{[]string{"--agent", "diff", "diff", "--name-only"}, []string{"--agent", "diff", "diff"}, []string{"--name-only"}, nil},
		{[]string{"log", "--base=main", "--oneline", "--", "-odd-path"}, []string{"log", "--base=main", "--oneline"}, nil, []string{"-odd-path"}},
		{[]string{"status", "--bogus"}, []string{"status", "--bogus"}, nil, nil},
		{[]string{"inspect", "--name-only"}, []string{"inspect", "--name-only"}, nil, nil},
	} {
		kept, options, paths := takeGitArgs(parser.Model, tc.args)
		if !slices.Equal(kept, tc.kept) || !slices.Equal(options, tc.options) || !slices.Equal(paths, tc.paths) {
			t.Errorf("takeGitArgs(%q) = %q, %q, %q; want %q, %q, %q", tc.args, kept, options, paths, tc.kept, tc.options, tc.paths)
		}
	}
}
