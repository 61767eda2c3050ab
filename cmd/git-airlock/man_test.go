package main

import (
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestManPagesMatchHelp: every visible command has a page, and the page
// says what --help says: the command's one-line help, its details, and
// each flag and argument with its help text.
func TestManPagesMatchHelp(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("git-airlock"), kong.Exit(func(int) {}))
	if err != nil {
		t.Fatal(err)
	}
	pages := manPages(parser.Model)
	for _, name := range []string{"git-airlock.1", "git-remote-airlock.1"} {
		if pages[name] == "" {
			t.Errorf("no %s", name)
		}
	}
	root := plainRoff(pages["git-airlock.1"])
	for _, f := range parser.Model.Flags {
		if !f.Hidden && f.Name != "help" && !strings.Contains(root, f.Help) {
			t.Errorf("git-airlock.1 lacks the global --%s: %q", f.Name, f.Help)
		}
	}
	for _, n := range parser.Model.Children {
		page, ok := pages["git-airlock-"+n.Name+".1"]
		if n.Hidden {
			if ok || strings.Contains(root, n.Help) {
				t.Errorf("the hidden command %q has a man page", n.Name)
			}
			continue
		}
		if !ok {
			t.Errorf("no man page for %q", n.Name)
			continue
		}
		text := plainRoff(page)
		if !strings.Contains(root, n.Help) {
			t.Errorf("git-airlock.1 does not list %q", n.Name)
		}
		detail, exits := splitExits(n.Detail)
		want := []string{n.Help, "EXIT STATUS"}
		want = append(want, strings.Fields(detail)...)
		want = append(want, strings.Fields(exits)...)
		synopsis := []*kong.Node{n}
		if len(n.Children) > 0 {
			synopsis = n.Children
		}
		for _, c := range synopsis {
			want = append(want, ".nf\n"+roffLine("git airlock "+c.Summary())+"\n.fi")
		}
		// Prose: each paragraph of the help is one line, which man fills.
		for _, para := range paragraphs(detail) {
			if !indented(strings.Split(para, "\n")) {
				want = append(want, "\n"+roffLine(strings.Join(strings.Fields(para), " "))+"\n")
			}
		}
		if strings.Contains(page, "git\\-airlock\\-"+n.Name+" [") || strings.Contains(page, ".nf\ngit\\-airlock") {
			t.Errorf("git-airlock-%s.1 has a synopsis of a git-airlock-%s program, which does not exist", n.Name, n.Name)
		}
		for _, node := range append([]*kong.Node{n}, n.Children...) {
			for _, f := range node.Flags {
				if !f.Hidden && f.Name != "help" {
					want = append(want, "--"+f.Name, f.Help)
				}
			}
			for _, a := range node.Positional {
				want = append(want, "<"+a.Name+">", strings.TrimSuffix(a.Help, "."))
			}
		}
		for _, w := range want {
			if !strings.Contains(text, w) && !strings.Contains(page, w) {
				t.Errorf("git-airlock-%s.1 lacks %q", n.Name, w)
			}
		}
	}
}

// plainRoff undoes the escapes and font changes the page uses, and joins
// lines as man does, so that the text compares with --help's.
func plainRoff(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, ".") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, ".TH"), ".SH"))
			if strings.HasPrefix(line, ".") {
				continue
			}
		}
		lines = append(lines, line)
	}
	return strings.NewReplacer(`\&`, "", `\e`, `\`, `\fB`, "", `\fI`, "", `\fP`, "", `\-`, "-").Replace(strings.Join(lines, " "))
}
