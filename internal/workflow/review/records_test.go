package review

import (
	"slices"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

func TestReviewsShowTheMergeCommitsOfThisBranchOnly(t *testing.T) {
	w := newWorld(t, ".envrc")
	const merge, elsewhere = "5555555555555555555555555555555555555555", "6666666666666666666666666666666666666666"
	rec := "Airlock-Sandbox: x1\nAirlock-Inspected: " + agentCommit + "\n"
	w.repo.notes = map[string]string{
		merge:       rec,                                                           // the merge commit
		agentCommit: rec,                                                           // the commit it landed: shown by the merge
		elsewhere:   "Airlock-Sandbox: x1\nAirlock-Inspected: " + elsewhere + "\n", // merged into another branch
		headCommit:  "a note of the user's own, no record",
	}
	w.repo.ancestors[[2]string{merge, headCommit}] = true
	w.repo.ancestors[[2]string{agentCommit, headCommit}] = true
	if err := w.svc.Reviews(ctx, xec.Streams{}, true); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.repo.shown, []string{merge}) {
		t.Errorf("shown %v, want only the merge commit", w.repo.shown)
	}

	// Nothing recorded: said, with the way to fetch a shared record.
	w = newWorld(t)
	if err := w.svc.Reviews(ctx, xec.Streams{}, false); err != nil || w.did("show-noted") || len(w.ui.Hints) != 1 {
		t.Errorf("err %v, calls %v, hints %q", err, w.repo.calls, w.ui.Hints)
	}
}
