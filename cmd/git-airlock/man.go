package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/muesli/mango"
	"github.com/muesli/roff"

	"github.com/git-airlock/git-airlock/internal/ui"
)

// manCmd writes the man pages; `make install` runs it. The pages are built
// from the same kong model as --help, so the two cannot drift.
type manCmd struct {
	Dir string `arg:"" type:"path" help:"Directory for the section-1 pages (for example ~/.local/share/man/man1)."`
}

func (c *manCmd) Run(kctx *kong.Context, u *ui.UI) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	pages := manPages(kctx.Model)
	names := make([]string, 0, len(pages))
	for name := range pages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(c.Dir, name), []byte(pages[name]), 0o644); err != nil {
			return err
		}
		u.Infof("wrote %s", filepath.Join(c.Dir, name))
	}
	return nil
}

// manPages renders git-airlock(1), one git-airlock-<command>(1) per visible
// command, and git-remote-airlock(1).
func manPages(app *kong.Application) map[string]string {
	pages := map[string]string{}
	root := mango.NewManPage(1, "git-airlock", firstLine(app.Help)).
		WithLongDescription(manDescription(app.Help, app.Detail)).
		WithSection("Usage", "git airlock [<options>] <command> [<args>]")
	addFlags(&root.Root, app.Node)
	for _, n := range app.Children {
		if n.Hidden {
			continue
		}
		_ = root.Root.AddCommand(mango.NewCommand(n.Name, n.Help, ""))
		pages["git-airlock-"+n.Name+".1"] = commandPage(n)
	}
	root.WithSection("See also", "git-airlock-<command>(1) for each command, git-remote-airlock(1), git(1)")
	pages["git-airlock.1"] = render(root, "git-airlock")
	remote := mango.NewManPage(1, "git-remote-airlock", "git's remote helper for airlock:// URLs").
		WithLongDescription("git runs git-remote-airlock for remotes whose URL is airlock://<sandbox>[/<path of the clone in the sandbox>]; "+
			"you do not run it yourself. It speaks git's remote-helper protocol with the connect capability and tunnels "+
			"git-upload-pack and git-receive-pack through 'sbx exec -i' to the agent's clone in the sandbox, so that plain "+
			"git fetch, git push and git ls-remote work on a sandbox remote whether the sandbox is running or stopped. "+
			"'git airlock up' registers such remotes as airlock-<sandbox>.").
		WithSection("Usage", "git-remote-airlock <remote> <url>").
		WithSection("See also", "git-airlock(1), gitremote-helpers(7)")
	pages["git-remote-airlock.1"] = render(remote, "git-remote-airlock")
	return pages
}

// commandPage is the page of one command and its subcommands.
func commandPage(n *kong.Node) string {
	title := "git-airlock-" + n.Name
	page := mango.NewManPage(1, title, n.Help).
		WithLongDescription(manDescription(n.Help, n.Detail)).
		WithSection("Usage", "git airlock "+n.Summary())
	if args := arguments(n); args != "" {
		page.WithSection("Arguments", args)
	}
	addFlags(&page.Root, n)
	for _, sub := range n.Children {
		if sub.Hidden {
			continue
		}
		cmd := mango.NewCommand(sub.Name, sub.Help, sub.Summary())
		addFlags(cmd, sub)
		_ = page.Root.AddCommand(cmd)
	}
	page.WithSection("See also", "git-airlock(1)")
	return render(page, title)
}

// render builds a page with a title line of our own: mango puts the
// description and today's date there, which makes the header unreadable
// and the page differ from one build to the next.
func render(page *mango.ManPage, title string) string {
	text := page.Build(roff.NewDocument())
	_, rest, _ := strings.Cut(text, "\n")
	return fmt.Sprintf(".TH %s 1 \"\" \"git-airlock %s\" \"git-airlock manual\"\n%s", strings.ToUpper(title), version, rest)
}

func addFlags(cmd *mango.Command, n *kong.Node) {
	for _, f := range n.Flags {
		if f.Hidden || f.Name == "help" {
			continue
		}
		short := ""
		if f.Short != 0 {
			short = string(f.Short)
		}
		name := f.Name
		if !f.IsBool() {
			name += "=" + f.FormatPlaceHolder()
		}
		_ = cmd.AddFlag(mango.Flag{Name: name, Short: short, Usage: f.Help, PFlag: true})
	}
}

// arguments describes a command's positional arguments, which mango has no
// list for.
func arguments(n *kong.Node) string {
	var parts []string
	for _, node := range append([]*kong.Node{n}, n.Children...) {
		if node.Hidden {
			continue
		}
		prefix := ""
		if node != n {
			prefix = node.Name + " "
		}
		for _, a := range node.Positional {
			parts = append(parts, prefix+"<"+a.Name+">: "+strings.TrimSuffix(a.Help, ".")+".")
		}
	}
	return strings.Join(parts, " ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSuffix(line, ".")
}

func manDescription(help, detail string) string {
	if detail == "" {
		return help
	}
	return fmt.Sprintf("%s\n\n%s", help, detail)
}
