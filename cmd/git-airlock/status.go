package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/agentrun"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

type statusCmd struct {
	JSON      bool `name:"json" help:"Print JSON."`
	Unfetched bool `help:"Also list work in the sandbox that is not fetched yet (wakes the sandbox)."`
}

func (c *statusCmd) listsFirst() {}

func (c *statusCmd) Run(ctx context.Context, svc *lifecycle.Reporter, t target, u *ui.UI) error {
	list, err := svc.Status(ctx, lifecycle.StatusRequest{Name: string(t), Unfetched: c.Unfetched})
	if err != nil {
		return err
	}
	if c.JSON {
		return u.JSON(list[0])
	}
	printStatus(u, list[0], svc.Entries)
	return nil
}

// printStatus renders one sandbox in detail.
func printStatus(u *ui.UI, st lifecycle.SandboxStatus, entries []gitx.ConfigEntry) {
	fmt.Fprintf(u.Out, "sandbox   %s (%s)\n", st.Name, st.State)
	if st.Remote != "" {
		fmt.Fprintf(u.Out, "remote    %s\n", st.Remote)
	}
	if st.Host != "" {
		fmt.Fprintf(u.Out, "host      %s\n", st.Host)
	}
	if st.Agent != "" {
		fmt.Fprintf(u.Out, "agent     %s\n", quote.Text(st.Agent))
	}
	if st.Session != nil {
		fmt.Fprintf(u.Out, "session   %s\n", sessionLine(*st.Session, time.Now()))
	}
	if st.Base != "" {
		fmt.Fprintf(u.Out, "base      %s\n", st.Base)
	}
	if len(st.Branches) == 0 {
		fmt.Fprintln(u.Out, "branches  none fetched yet (git airlock fetch)")
	}
	width := 0
	for _, b := range st.Branches {
		width = max(width, len(quote.Path(b.Name)))
	}
	for j, b := range st.Branches {
		label := "branches "
		if j > 0 {
			label = "         "
		}
		extra := ""
		if b.Ahead != nil {
			extra = fmt.Sprintf("  %d ahead, %d behind %s", *b.Ahead, *b.Behind, st.Base)
		}
		if b.Copy {
			extra += "  (a copy of the host's)"
		}
		name := quote.Path(b.Name)
		if extra != "" {
			name = fmt.Sprintf("%-*s", width, name)
		}
		fmt.Fprintf(u.Out, "%s %s %s%s\n", label, b.Commit[:12], name, extra)
	}
	for j, p := range st.Ports {
		label := "ports    "
		if j > 0 {
			label = "         "
		}
		fmt.Fprintf(u.Out, "%s %d -> %s\n", label, p.SandboxPort, portURL(p))
	}
	if server, err := sshhost.Parse(st.Host); err == nil && st.Host != "" && len(st.Ports) > 0 {
		u.Hint("%s", loopbackHint(server, st.Ports)) // as open and ports say
	}
	for _, a := range st.Accepted {
		fmt.Fprintf(u.Out, "accepted  %d high-risk (%s) in %.12s on %s\n", a.Count, strings.Join(a.Rules, ","), a.Commit, a.Time.Format(time.RFC3339))
	}
	if st.State == lifecycle.StateUnreachable {
		u.Hint("%s cannot be reached over ssh: the branches above are as fetched last time", st.Host)
	}
	if st.State == lifecycle.StateMissing {
		u.Hint("sandbox %q is gone from sbx; '%s' keeps what was fetched and drops the remote", st.Name, workflow.Suggest(entries, st.Name, "rm"))
	}
	if st.Checked {
		printUnfetched(u, st)
		if len(st.Unfetched) > 0 {
			u.Hint("%s", unfetchedHint(entries, st.Name))
		}
	}
}

// sessionLine says how the last agent session stands, in times from now
// (--json has the instants).
func sessionLine(s lifecycle.SessionStatus, now time.Time) string {
	what := s.Mode
	if s.Host != "" {
		what += " on " + s.Host
	}
	switch s.State {
	case agentrun.Running:
		if s.Host != "" {
			return fmt.Sprintf("%s, started %s ago (git airlock wait asks the server whether it still runs)", what, since(s.Started, now))
		}
		return fmt.Sprintf("%s, running for %s", what, since(s.Started, now))
	case agentrun.Ended:
		line := what + ", ended " + since(*s.Ended, now) + " ago"
		if s.Exit != nil {
			line += fmt.Sprintf(", status %d", *s.Exit)
		}
		return line
	}
	return fmt.Sprintf("%s, started %s ago; its process is gone without an end (killed, or its terminal closed)", what, since(s.Started, now))
}

// since is how long ago t was, as a person says it.
func since(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// unfetchedHint is the next step for unfetched work in sandbox name ("":
// in the sandboxes listed above).
func unfetchedHint(entries []gitx.ConfigEntry, name string) string {
	fetch, shell := "'git airlock fetch --all'", "'git airlock --name <sandbox> shell'"
	if name != "" {
		fetch, shell = "'"+workflow.Suggest(entries, name, "fetch")+"'", "'"+workflow.Suggest(entries, name, "shell")+"'"
	}
	return fetch + " brings new commits on branches (a branch left out of fetches once renamed) and a detached HEAD; keep the rest from inside the sandbox (" + shell + "): commit it, or make it a branch"
}

// printUnfetched is what --unfetched found in one sandbox.
func printUnfetched(u *ui.UI, st lifecycle.SandboxStatus) {
	if len(st.Unfetched) == 0 {
		fmt.Fprintln(u.Out, "unfetched nothing: every commit in the sandbox is fetched")
	}
	for j, s := range st.Unfetched {
		label := "unfetched"
		if j > 0 {
			label = "         "
		}
		fmt.Fprintf(u.Out, "%s %s\n", label, quote.Text(s))
	}
}

// agentBranches counts the sandbox's branches of its own: HEAD points at
// one of them, and a copy of a host branch (host/main as the host pushed
// it, main as it was cloned) is no work of the agent.
func agentBranches(list []lifecycle.BranchStatus) int {
	n := 0
	for _, b := range list {
		if b.Name != "HEAD" && !b.Copy {
			n++
		}
	}
	return n
}

// printTable renders sandboxes one line each.
func printTable(u *ui.UI, list []lifecycle.SandboxStatus) {
	if len(list) == 0 {
		u.Infof("no sandboxes in this repository")
		u.Hint("start one with 'git airlock up'")
		return
	}
	removed := slices.ContainsFunc(list, func(st lifecycle.SandboxStatus) bool { return st.State == lifecycle.StateRemoved })
	w := u.Table()
	// Sandboxes of other machines side by side, each with its host.
	hosts := slices.ContainsFunc(list, func(st lifecycle.SandboxStatus) bool { return st.Host != "" })
	header := "SANDBOX\tSTATE\tAGENT\tBRANCHES\tAHEAD/BEHIND"
	if hosts {
		header = "SANDBOX\tHOST\tSTATE\tAGENT\tBRANCHES\tAHEAD/BEHIND"
	}
	if removed {
		header += "\tREMOVED" // when, from the record rm writes
	}
	fmt.Fprintln(w, header)
	for _, st := range list {
		ab := "-"
		for _, b := range st.Branches {
			if b.Name == "HEAD" && b.Ahead != nil {
				ab = fmt.Sprintf("+%d/-%d", *b.Ahead, *b.Behind)
			}
		}
		name := cmp.Or(st.Removal, st.Name)
		if hosts {
			name += "\t" + cmp.Or(st.Host, "-")
		}
		row := fmt.Sprintf("%s\t%s\t%s\t%d\t%s", name, st.State, quote.Path(cmp.Or(st.Agent, "-")), agentBranches(st.Branches), ab)
		if removed {
			when := "-"
			if st.RemovedAt != nil {
				when = st.RemovedAt.UTC().Format(time.RFC3339)
			}
			row += "\t" + when
		}
		fmt.Fprintln(w, row)
	}
	w.Flush()
	if removed {
		u.Hint("restore a removed sandbox's branch: git airlock restore <sandbox@n> <branch>")
		u.Hint("delete what a removal kept: git airlock prune <sandbox@n>")
	}
}
