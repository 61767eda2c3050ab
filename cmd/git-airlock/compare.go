package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
	"github.com/git-airlock/git-airlock/internal/xec"
)

type compareCmd struct {
	Sandboxes  []string `arg:"" optional:"" help:"Sandboxes to compare (default: those of the latest run --agents)."`
	Check      string   `placeholder:"CMD" help:"Run this command inside each sandbox (sh -c, through sbx exec; never on the host) and show its exit status."`
	Pick       string   `placeholder:"SANDBOX" help:"Merge this sandbox into the current branch (through the merge gate) without asking."`
	RmOthers   bool     `help:"After the merge, remove the sandboxes not picked (each only if none of its work would be lost)."`
	AcceptRisk bool     `help:"Merge the picked sandbox even when inspection finds high-risk changes."`
	NoFetch    bool     `help:"Use what was fetched last time; do not wake the sandboxes."`
	JSON       bool     `name:"json" help:"Print JSON (the table, what was merged and removed)."`
}

func (c *compareCmd) Help() string {
	return `Shows the sandboxes of one task (by default those of the latest 'git airlock
run --agents') in one table, each measured against the current branch: the
agent's exit status, its commits, files and lines changed, inspect's
findings by severity, and with --check the exit status of a command run
inside each sandbox. Then merges the one picked (--pick, or asked on a
terminal) through the same gate as 'git airlock merge', and removes the
others only with --rm-others or a yes on a terminal.

  git airlock run --agents claude,codex,copilot "fix issue 42"
  git airlock compare --check "make test"
  git airlock compare --pick repo-1a2b3c-codex --rm-others`
}

// compareResult is compare --json's output.
type compareResult struct {
	review.Comparison
	Picked     string   `json:"picked,omitempty"`
	Merged     bool     `json:"merged"`
	MergeError string   `json:"merge_error,omitempty"`
	Removed    []string `json:"removed"`
	Kept       []string `json:"kept"`
}

func (c *compareCmd) Run(ctx context.Context, l *Loaded, u *ui.UI, inv *Invocation) error {
	if err := l.valid(); err != nil {
		return err
	}
	if c.RmOthers && c.Pick == "" && (c.JSON || !u.CanAsk()) {
		return hint.Errorf([]string{"name the one to keep: --pick <sandbox> --rm-others"}, "--rm-others removes the sandboxes not picked, and none is picked")
	}
	lab := &labeller{out: u.Err, err: u.Err} // the table (or JSON) is stdout
	res, err := l.Reviewer.CompareAgents(ctx, review.CompareAgentsRequest{Names: c.Sandboxes, Check: c.Check, NoFetch: c.NoFetch,
		CheckOutput: lab.streams, Streams: xec.Streams{Err: u.Err}})
	lab.flush()
	if err != nil {
		return err
	}
	out := compareResult{Comparison: res, Removed: []string{}, Kept: []string{}}
	var names []string
	for _, r := range res.Sandboxes {
		names = append(names, r.Name)
	}
	if !c.JSON {
		if err := printComparison(u, res); err != nil {
			return err
		}
	}
	pick := c.Pick
	if pick == "" && !c.JSON && u.CanAsk() {
		pick = u.Ask("merge which sandbox into " + res.Base + "? (a name, or Enter for none)")
	}
	if pick != "" && !slices.Contains(names, pick) {
		return hint.Errorf([]string{"pick one of: " + strings.Join(names, ", ")}, "%q is not among the compared sandboxes", pick)
	}
	out.Picked = pick
	if pick != "" {
		st := streams(u)
		if c.JSON {
			st.Out = u.Err
		}
		err := l.Lander.Merge(ctx, review.MergeRequest{CompareRequest: review.CompareRequest{Name: pick, NoFetch: true, Streams: st}, AcceptRisk: c.AcceptRisk})
		if err != nil {
			if !c.JSON {
				return err
			}
			out.MergeError = err.Error()
			if jerr := u.JSON(out); jerr != nil {
				return jerr
			}
			return &hint.ExitError{Code: 1, Err: err}
		}
		out.Merged = true
	}
	others := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == pick })
	remove := pick != "" && len(others) > 0 &&
		(c.RmOthers || (!c.JSON && u.CanAsk() && u.Confirm(fmt.Sprintf("remove the other sandboxes (%s)?", strings.Join(others, ", ")))))
	for _, n := range others {
		if !remove {
			out.Kept = append(out.Kept, n)
			continue
		}
		if err := l.Lifecycle.remover().Remove(ctx, lifecycle.RemoveRequest{Name: n, At: gitClock(inv.Env)}); err != nil {
			u.Warnf("sandbox %q kept: %v", n, err)
			out.Kept = append(out.Kept, n)
			continue
		}
		out.Removed = append(out.Removed, n)
	}
	if c.JSON {
		return u.JSON(out)
	}
	if pick != "" && !remove && len(others) > 0 {
		u.Hint("remove the others when done: git airlock --name <sandbox> rm (%s)", strings.Join(others, ", "))
	}
	return nil
}

// printComparison renders compare's table.
func printComparison(u *ui.UI, res review.Comparison) error {
	w := u.Table()
	fmt.Fprintln(w, "SANDBOX\tAGENT\tEXIT\tCOMMITS\tFILES\t+/-\tHIGH\tMEDIUM\tLOW\tCHECK")
	for _, r := range res.Sandboxes {
		exit := "-"
		if r.Exit != nil {
			exit = fmt.Sprint(*r.Exit)
		}
		check := "-"
		if r.Check != nil {
			switch {
			case r.Check.Error != "":
				check = "not run"
			case r.Check.Exit == 0:
				check = "pass"
			default:
				check = fmt.Sprintf("fail (%d)", r.Check.Exit)
			}
		}
		if r.Error != "" {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t\t\t\t\t\t%s\n", r.Name, r.Agent, exit, r.Error, check)
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t+%d/-%d\t%d\t%d\t%d\t%s\n", r.Name, r.Agent, exit, r.Commits, r.Files, r.Added, r.Deleted,
			r.Counts.High, r.Counts.Medium, r.Counts.Low, check)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, r := range res.Sandboxes {
		if r.Check != nil && r.Check.Error != "" {
			u.Warnf("sandbox %q: check not run: %s", r.Name, r.Check.Error)
		}
	}
	if res.From != "" {
		fmt.Fprintf(u.Out, "measured against %s; every sandbox was cloned from %.12s\n", res.Base, res.From)
	} else {
		fmt.Fprintf(u.Out, "measured against %s\n", res.Base)
	}
	return nil
}
