package machine

import (
	"context"

	"github.com/git-airlock/git-airlock/sbx"
)

// ProbeRequest checks the installed sbx against what git-airlock relies on.
type ProbeRequest = sbx.BehaviourRequest

// Probe runs `doctor --probe`: each behaviour git-airlock relies on is
// checked on the installed sbx with a throwaway sandbox, and comes back as
// an OK or MISMATCH line. Unlike Doctor, it changes the machine (for the
// length of the probe) and needs a working sbx login.
func (s *Service) Probe(ctx context.Context, req ProbeRequest) []Check {
	var checks []Check
	for _, f := range s.Sbx.ProbeBehaviour(ctx, req) {
		level := "OK"
		if !f.OK {
			level = "MISMATCH"
		}
		checks = append(checks, Check{Name: f.Name, Level: level, Detail: f.Detail})
	}
	return checks
}
