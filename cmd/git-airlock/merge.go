package main

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
)

type mergeCmd struct {
	compareFlags
	AcceptRisk bool `help:"Merge even when inspection finds high-risk changes."`
}

func (c *mergeCmd) Run(ctx context.Context, svc *review.Lander, t target, u *ui.UI) error {
	return svc.Merge(ctx, review.MergeRequest{CompareRequest: c.request(t, u), AcceptRisk: c.AcceptRisk})
}

// confirmRisk shows the high-severity findings that stop a merge, apply or
// pr and, on a terminal, asks whether to go on.
func confirmRisk(u *ui.UI) func(gate.Report) bool {
	return func(r gate.Report) bool {
		u.Notef("this change can run code or widen access on your machine:")
		printReport(u.Err, r)
		return u.CanAsk() && u.Confirm("accept these risks and go on?")
	}
}
