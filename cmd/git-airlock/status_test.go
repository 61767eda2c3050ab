package main

import (
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/agentrun"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

func TestSessionLine(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	ended, three := ago(90*time.Minute), 3
	for _, tc := range []struct {
		s    lifecycle.SessionStatus
		want string
	}{
		{lifecycle.SessionStatus{Mode: "run", State: agentrun.Running, Started: ago(59 * time.Second)}, "run, running for less than a minute"},
		{lifecycle.SessionStatus{Mode: "up", State: agentrun.Running, Started: ago(61 * time.Minute)}, "up, running for 1 h 1 min"},
		{lifecycle.SessionStatus{Mode: "run", State: agentrun.Ended, Started: ago(2 * time.Hour), Ended: &ended, Exit: &three}, "run, ended 1 h 30 min ago, status 3"},
		{lifecycle.SessionStatus{Mode: "run", State: agentrun.Running, Started: ago(5 * time.Minute), Host: "me@server"}, "run on me@server, started 5 min ago (git airlock wait asks the server whether it still runs)"},
		{lifecycle.SessionStatus{Mode: "up", State: agentrun.Lost, Started: ago(72 * time.Hour)}, "up, started 3 days ago; its process is gone without an end (killed, or its terminal closed)"},
	} {
		if got := sessionLine(tc.s, now); got != tc.want {
			t.Errorf("sessionLine(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}
