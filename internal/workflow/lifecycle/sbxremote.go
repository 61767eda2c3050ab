package lifecycle

import (
	"context"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

// guardSbxRemote is workflow.GuardSbxRemotes for a lifecycle use case
// (nothing outside a repository).
func (s *Common) guardSbxRemote(ctx context.Context, sandbox string) {
	if s.Registry == nil {
		return
	}
	workflow.GuardSbxRemotes(ctx, s.Registry, s.UI, workflow.Sandbox{Name: sandbox})
}

// guardNewSbxRemote lists, under dry-run, the guard's writes on the
// sandbox-<name> remote that the printed `sbx create --clone` would add.
func (s *Starter) guardNewSbxRemote(ctx context.Context, sandbox string) {
	if s.Registry == nil {
		return
	}
	section := "remote." + sandboxref.SbxRemote(sandbox) + "."
	for _, kv := range gitx.SbxRemoteGuard {
		_ = s.Registry.ConfigSet(ctx, section+kv[0], kv[1]) // printed, not run
	}
}
