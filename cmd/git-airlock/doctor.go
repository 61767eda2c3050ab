package main

import (
	"context"
	"fmt"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
)

type doctorCmd struct {
	JSON bool `name:"json" help:"Print the checks as JSON."`
}

func (c *doctorCmd) Run(ctx context.Context, svc *machine.Service, l *Loaded, u *ui.UI) error {
	sandbox, _ := l.target() // the credential check is about it, when there is one
	checks := svc.Doctor(ctx, machine.HostPlatform(), string(sandbox))
	if c.JSON {
		if err := u.JSON(checks); err != nil {
			return err
		}
	} else {
		printChecks(u, checks)
	}
	return machine.Failed(checks)
}

func printChecks(u *ui.UI, checks []machine.Check) {
	for _, c := range checks {
		fmt.Fprintf(u.Out, "%s %-13s %s\n", u.Status(c.Level), c.Name, c.Detail)
		if c.Hint != "" && c.Level != "OK" {
			fmt.Fprintf(u.Out, "     %-13s hint: %s\n", "", c.Hint)
		}
	}
}
