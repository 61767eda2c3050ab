package workflow

import (
	"context"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// SbxRemoteGuarded is gitx.SbxRemoteGuarded, under the name status calls.
func SbxRemoteGuarded(entries []gitx.ConfigEntry, sandbox string) bool {
	return gitx.SbxRemoteGuarded(entries, sandbox)
}

// GuardSbxRemotes is gitx.GuardSbxRemote for each sandbox after a use case
// that may have started them: a failure is a warning with the command that
// repairs it, since the use case itself succeeded.
//
// An interrupted command skips the guard and says nothing of it: the
// command itself reports "interrupted" once, and the next command guards
// the remote again.
func GuardSbxRemotes(ctx context.Context, repo gitx.SbxRemoteConfig, ui UI, sandboxes ...Sandbox) {
	if ctx.Err() != nil {
		return
	}
	for _, sb := range sandboxes {
		if err := gitx.GuardSbxRemote(ctx, repo, sb.Name); err != nil && ctx.Err() == nil {
			ui.Warnf("%v", err)
			ui.Hint("git config remote.%s.tagOpt --no-tags && git config remote.%[1]s.pruneTags false && git config remote.%[1]s.skipFetchAll true", sandboxref.SbxRemote(sb.Name))
		}
	}
}
