package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type netCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (c *netCmd) Run(ctx context.Context, svc *machine.Warden, t target, u *ui.UI) error {
	entries, raw, err := svc.Net(ctx, string(t))
	if err != nil {
		return err
	}
	if c.JSON {
		if entries == nil {
			entries = []machine.NetEntry{}
		}
		return u.JSON(entries)
	}
	printNet(u, entries, raw)
	return nil
}

// printNet renders the network log, or sbx's own text when it has no
// table we can read.
func printNet(u *ui.UI, entries []machine.NetEntry, raw string) {
	if len(entries) == 0 {
		if strings.TrimSpace(raw) != "" && !strings.Contains(raw, "SANDBOX") {
			fmt.Fprint(u.Out, raw)
			return
		}
		u.Infof("no network requests logged for this sandbox yet")
		return
	}
	// Columns as wide as the longest host, not a fixed 40: the allow
	// command then fits a terminal line for ordinary host names.
	w := u.Table()
	for _, e := range entries {
		if e.Blocked {
			fmt.Fprintf(w, "blocked\t%s\t%s\tallow: %s\n", e.Host, e.Count, e.Allow)
		} else {
			fmt.Fprintf(w, "allowed\t%s\t%s\n", e.Host, e.Count)
		}
	}
	w.Flush()
}
