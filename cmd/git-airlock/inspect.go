package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

// inspectCmd takes its words as diff, log and merge do: [base] is the host
// branch the merge would go into, -b the sandbox branch (or any ref with a
// slash, such as airlock-x/main).
type inspectCmd struct {
	compareFlags
	JSON      bool   `name:"json" help:"Print the report as JSON."`
	Threshold string `default:"medium" enum:"high,medium,low" help:"Lowest severity that makes the exit status 3."`
	Rules     bool   `help:"List every rule inspect applies (id, severity, family, paths, why, source) and exit."`
}

func (c *inspectCmd) Help() string {
	return `Reports what a merge of the sandbox branch into the base would land that
something on your machine acts on before you decide to run the agent's code,
grouped by that trigger: git itself (hooks, config your git config includes,
attributes, submodules), your shell on cd (direnv and what .envrc loads,
mise), your editor on open (tasks and settings at any depth, build import,
extensions that load JavaScript config), the package manager or build tool
(install scripts, lockfile entries, registries), the language runtime (.pth,
env files), CI, your next agent session, and files added where your ignore
rules keep your own copies. Configuration no rule knows is reported too.
Extra paths come from airlock.protect; --rules lists every rule with the
documentation behind it.

Exit status: 0 nothing at or above --threshold, 3 findings at or above it,
1 an error.`
}

// Run resolves the sandbox itself: --rules needs no repository.
func (c *inspectCmd) Run(ctx context.Context, l *Loaded, u *ui.UI) error {
	if c.Rules {
		return printRules(u, c.JSON)
	}
	if err := l.valid(); err != nil {
		return err
	}
	t, err := l.target()
	if err != nil {
		return err
	}
	svc := l.Reviewer
	r, err := svc.Inspect(ctx, c.request(t, u))
	if err != nil {
		return err
	}
	if c.JSON {
		if err := u.JSON(r); err != nil {
			return err
		}
	} else {
		printReport(u.Out, r)
	}
	threshold, _ := inspect.ParseSeverity(c.Threshold)
	if review.Exceeds(r.Findings, threshold) {
		return &hint.ExitError{Code: review.InspectExitCode}
	}
	return nil
}

// ruleView is one row of `inspect --rules --json`.
type ruleView struct {
	ID       string   `json:"id"`
	Severity string   `json:"severity"`
	Trigger  string   `json:"trigger"`
	Family   string   `json:"family"`
	Paths    []string `json:"paths"`
	Why      string   `json:"why"`
	Source   string   `json:"source"`
	Sources  []string `json:"sources"`
}

// printRules lists the rule catalogue by trigger, the same data
// docs/inspect.md's table is checked against.
func printRules(u *ui.UI, asJSON bool) error {
	var rows []ruleView
	for _, r := range inspect.Catalogue() {
		rows = append(rows, ruleView{ID: r.ID, Severity: r.Severity.String(), Trigger: r.Trigger.String(), Family: r.Family,
			Paths: append([]string{}, r.Patterns...), Why: r.Why, Source: r.Sources[0], Sources: r.Sources})
	}
	if asJSON {
		return u.JSON(rows)
	}
	for _, t := range inspect.Triggers {
		fmt.Fprintf(u.Out, "%s — %s\n", t, t.Title())
		for _, r := range rows {
			if r.Trigger != t.String() {
				continue
			}
			fmt.Fprintf(u.Out, "  %-6s %-24s %s\n", r.Severity, r.ID, r.Why)
			if len(r.Paths) > 0 {
				fmt.Fprintf(u.Out, "         paths: %s\n", strings.Join(r.Paths, " "))
			}
			for _, src := range r.Sources {
				fmt.Fprintf(u.Out, "         source: %s\n", src)
			}
		}
	}
	return nil
}

// printReport renders an inspection by trigger — a heading for what acts
// on the files, then each finding under it — and one summary line. The
// trigger with the most severe finding comes first.
func printReport(w io.Writer, r gate.Report) {
	for _, group := range byTrigger(r.Findings) {
		fmt.Fprintf(w, "%s — %s\n", group[0].Trigger, group[0].Trigger.Title())
		for _, f := range group {
			name := quote.Path(f.Path)
			if f.OldPath != "" {
				name = quote.Path(f.OldPath) + " -> " + name
			}
			fmt.Fprintf(w, "%-6s %-22s %s\n       %s\n", f.Level, f.Rule, name, quote.Text(f.Why))
		}
	}
	c := r.Counts
	scope := quote.Path(r.Ref) + ", base " + quote.Path(r.Base)
	if r.Sandbox != "" {
		scope = review.Scope(r.Sandbox, strings.TrimPrefix(r.Ref, sandboxref.Remote(r.Sandbox)+"/"), r.Base)
	}
	fmt.Fprintf(w, "%s (%d high, %d medium, %d low) in %s: %s\n",
		workflow.Plural(c.Total(), "finding", "findings"), c.High, c.Medium, c.Low,
		workflow.Plural(r.ChangedFiles, "changed file", "changed files"), scope)
}

// byTrigger groups findings (already most severe first) by trigger, the
// groups in the order of their first finding.
func byTrigger(fs []inspect.Finding) [][]inspect.Finding {
	var groups [][]inspect.Finding
	at := map[inspect.Trigger]int{}
	for _, f := range fs {
		i, ok := at[f.Trigger]
		if !ok {
			i = len(groups)
			at[f.Trigger] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], f)
	}
	return groups
}
