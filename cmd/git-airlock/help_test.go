package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/git-airlock/git-airlock/internal/ui"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata/help, testdata/script)")

// TestHelp golden-tests the help of every command, so that a change to any
// command's interface shows up in review. Refresh with -update.
func TestHelp(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("git-airlock"), kong.Exit(func(int) {}))
	if err != nil {
		t.Fatal(err)
	}
	var paths [][]string
	paths = append(paths, nil)
	for _, n := range parser.Model.Leaves(true) {
		if n.Hidden {
			continue
		}
		paths = append(paths, strings.Fields(n.Path()))
	}
	for _, p := range paths {
		name := strings.Join(p, "-")
		if name == "" {
			name = "git-airlock"
		}
		t.Run(name, func(t *testing.T) {
			var out, errw bytes.Buffer
			u := &ui.UI{In: strings.NewReader(""), Out: &out, Err: &errw}
			code := run(context.Background(), append(append([]string{}, p...), "--help"), u, func(string) (string, bool) { return "", false }, nil)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errw.String())
			}
			golden := filepath.Join("testdata", "help", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHelp -update)", err)
			}
			if out.String() != string(want) {
				t.Fatalf("help of %q changed (run go test -run TestHelp -update and review):\n%s", name, out.String())
			}
		})
	}
}

// TestHelpTags: every command and flag has help, written as a sentence that
// starts with a capital letter and ends with a period.
func TestHelpTags(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("git-airlock"))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *kong.Node)
	check := func(what, help string) {
		if help == "" || !strings.HasSuffix(help, ".") || strings.ToUpper(help[:1]) != help[:1] {
			t.Errorf("%s: help %q should be a capitalised sentence ending with a period", what, help)
		}
	}
	walk = func(n *kong.Node) {
		if n.Type == kong.CommandNode {
			check("command "+n.Path(), n.Help)
		}
		for _, f := range n.Flags {
			check("flag --"+f.Name+" of "+n.Path(), f.Help)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(parser.Model.Node)
}
