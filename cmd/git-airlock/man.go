package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/alecthomas/kong"

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
// command, and git-remote-airlock(1). Each command is run as `git airlock
// <command>` (git finds git-airlock on PATH); no git-airlock-<command>
// program exists, so no synopsis names one.
func manPages(app *kong.Application) map[string]string {
	describeExits(app)
	pages := map[string]string{"git-airlock.1": rootPage(app)}
	for _, n := range app.Children {
		if !n.Hidden {
			pages["git-airlock-"+n.Name+".1"] = commandPage(n)
		}
	}
	var p manPage
	p.header("git-remote-airlock", "git's remote helper for airlock:// URLs")
	p.section("Synopsis")
	p.synopsis("git-remote-airlock <remote> <url>")
	p.section("Description")
	p.prose("git runs git-remote-airlock for remotes whose URL is airlock://<sandbox>[/<path of the clone in the sandbox>]; " +
		"you do not run it yourself. It speaks git's remote-helper protocol with the connect capability and tunnels " +
		"git-upload-pack and git-receive-pack through 'sbx exec -i' to the agent's clone in the sandbox, so that plain " +
		"git fetch, git push and git ls-remote work on a sandbox remote whether the sandbox is running or stopped. " +
		"'git airlock up' registers such remotes as airlock-<sandbox>.")
	p.seeAlso("git-airlock(1), gitremote-helpers(7)")
	pages["git-remote-airlock.1"] = p.String()
	return pages
}

func rootPage(app *kong.Application) string {
	var p manPage
	p.header("git-airlock", firstLine(app.Help))
	p.section("Synopsis")
	p.synopsis("git airlock [<options>] <command> [<args>]")
	p.section("Description")
	p.text(manDescription(app.Help, app.Detail))
	p.section("Commands")
	for _, n := range app.Children {
		if !n.Hidden {
			p.item(`\fBgit airlock `+roffEscape(n.Name)+`\fR`, n.Help+" See git-airlock-"+n.Name+"(1).")
		}
	}
	p.section("Options")
	p.flags(app.Node)
	p.section("Exit status")
	p.prose("Each command's page names its exit statuses. A command line that does not parse exits with 129, as git's own commands do.")
	p.seeAlso("git-airlock-<command>(1) for each command, git-remote-airlock(1), git(1)")
	return p.String()
}

// commandPage is the page of one command and its subcommands.
func commandPage(n *kong.Node) string {
	var p manPage
	p.header("git-airlock-"+n.Name, n.Help)
	p.section("Synopsis")
	leaves := []*kong.Node{n}
	if len(n.Children) > 0 {
		leaves = n.Children
	}
	for _, l := range leaves {
		if !l.Hidden {
			p.synopsis("git airlock " + l.Summary())
		}
	}
	p.section("Description")
	detail, exits := splitExits(n.Detail)
	p.text(manDescription(n.Help, detail))
	if len(n.Positional) > 0 {
		p.section("Arguments")
		for _, a := range n.Positional {
			p.item(`\fI<`+roffEscape(a.Name)+`>\fR`, a.Help)
		}
	}
	if hasFlags(n) {
		p.section("Options")
		p.flags(n)
	}
	var subExits []string
	if len(n.Children) > 0 {
		p.section("Commands")
		for _, sub := range n.Children {
			if sub.Hidden {
				continue
			}
			p.item(`\fBgit airlock `+roffEscape(sub.Path())+`\fR`, sub.Help)
			subDetail, subExit := splitExits(sub.Detail)
			p.b.WriteString(".RS\n")
			if subDetail != "" {
				p.text(subDetail)
			}
			for _, a := range sub.Positional {
				p.item(`\fI<`+roffEscape(a.Name)+`>\fR`, a.Help)
			}
			p.flags(sub)
			p.b.WriteString(".RE\n")
			subExits = append(subExits, sub.Name+": "+subExit)
			if exits == "" || exits == subExit {
				exits = subExit
			} else {
				exits = "-"
			}
		}
	}
	if exits != "" {
		p.section("Exit status")
		if exits != "-" {
			p.prose(exits)
		} else {
			for _, e := range subExits {
				p.prose(e)
			}
		}
	}
	p.section("Global options")
	p.prose("Every command takes the global options --agent, --name, --host, --dry-run, --tmux, --tmux-detached, --seed-config, -v and -q; see git-airlock(1).")
	p.seeAlso("git-airlock(1)")
	return p.String()
}

// splitExits takes the "Exit status:" paragraph out of a long help, for a
// section of its own.
func splitExits(detail string) (rest, exits string) {
	var kept []string
	for _, para := range paragraphs(detail) {
		if e, ok := strings.CutPrefix(para, "Exit status:"); ok {
			exits = strings.TrimSpace(strings.Join(strings.Fields(e), " "))
			continue
		}
		kept = append(kept, para)
	}
	return strings.Join(kept, "\n\n"), exits
}

func hasFlags(n *kong.Node) bool {
	for _, f := range n.Flags {
		if !f.Hidden && f.Name != "help" {
			return true
		}
	}
	return false
}

// manPage writes roff with the man macros: a few requests, text escaped,
// and every paragraph of help text one line, which man fills to the
// reader's terminal.
type manPage struct{ b strings.Builder }

func (p *manPage) String() string { return p.b.String() }

// header is the title line, without a date (the pages stay the same from
// one build to the next), and the NAME section.
func (p *manPage) header(title, summary string) {
	fmt.Fprintf(&p.b, ".TH %s 1 \"\" \"git-airlock %s\" \"git-airlock manual\"\n", strings.ToUpper(title), roffEscape(version))
	p.b.WriteString(".nh\n.ad l\n") // as git's own pages: no hyphenation, ragged right
	p.section("Name")
	fmt.Fprintf(&p.b, "%s \\- %s\n", roffEscape(title), roffLine(strings.TrimSuffix(summary, ".")))
}

func (p *manPage) section(title string) { fmt.Fprintf(&p.b, ".SH %s\n", strings.ToUpper(title)) }

func (p *manPage) synopsis(line string) {
	fmt.Fprintf(&p.b, ".nf\n%s\n.fi\n", roffLine(line))
}

// prose is one paragraph.
func (p *manPage) prose(text string) {
	fmt.Fprintf(&p.b, ".PP\n%s\n", roffLine(strings.Join(strings.Fields(text), " ")))
}

// text renders help text: paragraphs split by blank lines, each filled as
// prose, except a paragraph whose lines are indented, an example shown as
// written.
func (p *manPage) text(s string) {
	for _, para := range paragraphs(s) {
		lines := strings.Split(para, "\n")
		if !indented(lines) {
			p.prose(para)
			continue
		}
		p.b.WriteString(".PP\n.RS 4\n.nf\n")
		for _, l := range lines {
			p.b.WriteString(roffLine(strings.TrimSpace(l)) + "\n")
		}
		p.b.WriteString(".fi\n.RE\n")
	}
}

func (p *manPage) item(tag, text string) {
	fmt.Fprintf(&p.b, ".TP\n%s\n%s\n", tag, roffLine(strings.Join(strings.Fields(text), " ")))
}

func (p *manPage) flags(n *kong.Node) {
	for _, f := range n.Flags {
		if f.Hidden || f.Name == "help" {
			continue
		}
		tag := `\fB\-\-` + roffEscape(f.Name) + `\fR`
		if f.Short != 0 {
			tag = `\fB\-` + string(f.Short) + `\fR, ` + tag
		}
		if !f.IsBool() {
			tag += "=" + `\fI` + roffEscape(f.FormatPlaceHolder()) + `\fR`
		}
		p.item(tag, f.Help)
	}
}

func (p *manPage) seeAlso(refs string) {
	p.section("See also")
	fmt.Fprintf(&p.b, "%s\n", roffLine(refs))
}

func paragraphs(s string) []string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if para = strings.Trim(para, "\n"); strings.TrimSpace(para) != "" {
			out = append(out, para)
		}
	}
	return out
}

func indented(lines []string) bool {
	for _, l := range lines {
		if !strings.HasPrefix(l, "  ") {
			return false
		}
	}
	return true
}

// roffLine escapes a line of text: a leading dot or quote would be read as
// a request.
func roffLine(s string) string {
	s = roffEscape(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffEscape makes text literal: a backslash is roff's escape, and a
// hyphen is set as a minus so that options copied from the page work.
func roffEscape(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
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
