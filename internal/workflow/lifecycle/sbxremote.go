package lifecycle

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/workflow"
)

// guardSbxRemote is workflow.GuardSbxRemotes for a lifecycle use case
// (nothing outside a repository).
func (s *Service) guardSbxRemote(ctx context.Context, sandbox string) {
	if s.Repo == nil {
		return
	}
	workflow.GuardSbxRemotes(ctx, s.Repo, s.UI, workflow.Sandbox{Name: sandbox})
}
