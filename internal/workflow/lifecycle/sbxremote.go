package lifecycle

import (
	"context"
	"fmt"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// SbxRemoteConfig is the git config a guard of sbx's remote reads and
// writes.
type SbxRemoteConfig interface {
	ConfigGet(ctx context.Context, key string) (string, bool, error)
	ConfigSet(ctx context.Context, key, value string) error
}

// SbxRemoteGuard is what sbx's own sandbox-<name> remote must carry: no
// tags (an agent must not plant a tag in the host repository, as
// airlock-<name> has always refused) and no part in `git fetch --all` (it
// fails while the sandbox is stopped, and its branches duplicate
// airlock-<name>'s).
var SbxRemoteGuard = [][2]string{{"tagOpt", "--no-tags"}, {"skipFetchAll", "true"}}

// GuardSbxRemote re-asserts SbxRemoteGuard on sandbox's sandbox-<name>
// remote, if sbx added one. sbx writes that remote afresh whenever it
// starts the sandbox (0.45+), dropping keys it did not write, so every use
// case that touches a sandbox calls this after its sbx calls. Three git
// reads when nothing needs writing.
func GuardSbxRemote(ctx context.Context, repo SbxRemoteConfig, sandbox string) error {
	own := sandboxref.SbxRemote(sandbox)
	section := "remote." + own + "."
	if _, ok, err := repo.ConfigGet(ctx, section+"url"); err != nil || !ok {
		return err
	}
	for _, kv := range SbxRemoteGuard {
		if v, ok, err := repo.ConfigGet(ctx, section+kv[0]); err != nil {
			return err
		} else if ok && v == kv[1] {
			continue
		}
		if err := repo.ConfigSet(ctx, section+kv[0], kv[1]); err != nil {
			return fmt.Errorf("guard sbx's remote %q: %w", own, err)
		}
	}
	return nil
}

// guardSbxRemote is GuardSbxRemote for a lifecycle use case: a failure is
// a warning, since the use case itself succeeded.
func (s *Service) guardSbxRemote(ctx context.Context, sandbox string) {
	if s.Repo == nil {
		return
	}
	if err := GuardSbxRemote(ctx, s.Repo, sandbox); err != nil {
		s.UI.Warnf("%v", err)
		s.UI.Hint("git config remote.%s.tagOpt --no-tags", sandboxref.SbxRemote(sandbox))
	}
}

// guardNewSbxRemote lists, under dry-run, the guard's writes on the
// sandbox-<name> remote that the printed `sbx create --clone` would add.
func (s *Service) guardNewSbxRemote(ctx context.Context, sandbox string) {
	if s.Repo == nil {
		return
	}
	section := "remote." + sandboxref.SbxRemote(sandbox) + "."
	for _, kv := range SbxRemoteGuard {
		_ = s.Repo.ConfigSet(ctx, section+kv[0], kv[1]) // printed, not run
	}
}
