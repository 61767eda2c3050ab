package workflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"

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
// case that may have started a sandbox (fetch, exec, attach, shell, run)
// calls this after its sbx calls; Fetch does it for every fetch. Three git
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

// SbxRemoteGuarded reports, from config entries read by this command,
// whether sandbox's sandbox-<name> remote needs nothing from the guard
// (absent, or carrying SbxRemoteGuard already): a read-only command that
// started no sandbox since it read them decides without a git call.
func SbxRemoteGuarded(entries []gitx.ConfigEntry, sandbox string) bool {
	section := "remote." + sandboxref.SbxRemote(sandbox) + "."
	last := map[string]string{}
	for _, e := range entries {
		if k, ok := strings.CutPrefix(e.Key, section); ok {
			last[k] = e.Value
		}
	}
	if _, ok := last["url"]; !ok {
		return true
	}
	for _, kv := range SbxRemoteGuard {
		if last[strings.ToLower(kv[0])] != kv[1] {
			return false
		}
	}
	return true
}

// GuardSbxRemotes is GuardSbxRemote for each sandbox after a use case that
// may have started them: a failure is a warning with the command that
// repairs it, since the use case itself succeeded.
func GuardSbxRemotes(ctx context.Context, repo SbxRemoteConfig, ui UI, sandboxes ...Sandbox) {
	for _, sb := range sandboxes {
		if err := GuardSbxRemote(ctx, repo, sb.Name); err != nil {
			ui.Warnf("%v", err)
			ui.Hint("git config remote.%s.tagOpt --no-tags && git config remote.%[1]s.skipFetchAll true", sandboxref.SbxRemote(sb.Name))
		}
	}
}
