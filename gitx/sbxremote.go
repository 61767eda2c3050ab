package gitx

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// SbxRemoteConfig is the git config a guard of sbx's remote reads and
// writes (*Repo, or a use case's fake).
type SbxRemoteConfig interface {
	ConfigRead(ctx context.Context, pattern string) ([]ConfigEntry, error)
	ConfigSet(ctx context.Context, key, value string) error
}

// SbxRemoteGuard is what sbx's own sandbox-<name> remote must carry: no
// tags, neither followed nor pruned (an agent must not plant a tag in the
// host repository, nor make a host tag disappear by deleting its copy in
// the VM, as airlock-<name> has always refused), and no part in `git fetch
// --all` (it fails while the sandbox is stopped, and its branches
// duplicate airlock-<name>'s).
var SbxRemoteGuard = [][2]string{{"tagOpt", "--no-tags"}, {"pruneTags", "false"}, {"skipFetchAll", "true"}}

// GuardSbxRemote re-asserts SbxRemoteGuard on sandbox's sandbox-<name>
// remote, if sbx added one. sbx writes that remote afresh whenever it
// starts the sandbox (0.45+), dropping keys it did not write, so every use
// case that may have started a sandbox (fetch, exec, attach, shell, run),
// and the remote helper after a tunnel, calls this after its sbx calls.
// One git read of the remote's section, fresh (never a kept answer), when
// nothing needs writing.
func GuardSbxRemote(ctx context.Context, repo SbxRemoteConfig, sandbox string) error {
	own := sandboxref.SbxRemote(sandbox)
	entries, err := repo.ConfigRead(ctx, `^remote\.`+regexp.QuoteMeta(own)+`\.`)
	if err != nil {
		return err
	}
	for _, kv := range sbxRemoteUnguarded(entries, sandbox) {
		if err := repo.ConfigSet(ctx, "remote."+own+"."+kv[0], kv[1]); err != nil {
			return fmt.Errorf("guard sbx's remote %q: %w", own, err)
		}
	}
	return nil
}

// SbxRemoteGuarded reports, from config entries read by this command,
// whether sandbox's sandbox-<name> remote needs nothing from the guard
// (absent, or carrying SbxRemoteGuard already): a read-only command that
// started no sandbox since it read them decides without a git call.
func SbxRemoteGuarded(entries []ConfigEntry, sandbox string) bool {
	return len(sbxRemoteUnguarded(entries, sandbox)) == 0
}

// sbxRemoteUnguarded is what of SbxRemoteGuard sandbox's sandbox-<name>
// remote lacks, by the entries (canonical keys); nothing when sbx added
// no such remote.
func sbxRemoteUnguarded(entries []ConfigEntry, sandbox string) [][2]string {
	section := "remote." + sandboxref.SbxRemote(sandbox) + "."
	last := map[string]string{}
	for _, e := range entries {
		if k, ok := strings.CutPrefix(e.Key, section); ok {
			last[k] = e.Value
		}
	}
	if _, ok := last["url"]; !ok {
		return nil
	}
	var missing [][2]string
	for _, kv := range SbxRemoteGuard {
		if last[strings.ToLower(kv[0])] != kv[1] {
			missing = append(missing, kv)
		}
	}
	return missing
}
