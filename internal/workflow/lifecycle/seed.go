package lifecycle

import (
	"context"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/seedpolicy"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

// seed copies the agent's curated config (airlock.seedConfig) and the
// extra airlock.seedPath entries into a new sandbox's $HOME. Refused paths
// are reported and skipped; nothing of theirs is copied.
func (s *Service) seed(ctx context.Context, name, agentName string) error {
	files := s.Files
	if files == nil {
		files = seedpolicy.OS{}
	}
	var candidates []string
	if s.Settings.SeedConfig() {
		curated := seedpolicy.Curated(agentName)
		for _, rel := range curated {
			if _, err := files.Lstat(filepath.Join(s.Home, rel)); err == nil { // the user may not have it
				candidates = append(candidates, rel)
			}
		}
		if len(curated) == 0 {
			s.UI.Warnf("no curated config list for %s; nothing seeded (name paths with airlock.seedPath)", agentName)
		}
	}
	var rels []string
	for _, p := range append(candidates, s.Settings.SeedPaths()...) {
		rel, err := seedpolicy.Check(files, s.Home, p)
		if err != nil {
			s.UI.Warnf("%v", err)
			continue
		}
		rels = append(rels, rel)
	}
	if len(rels) == 0 {
		return nil
	}
	if s.Server != nil {
		// Seeding copies this machine's files; a sandbox on another
		// machine gets nothing of this one's (its sbx cp would read the
		// server's disk at these paths anyway).
		s.UI.Warnf("not seeded: sandbox %q is on %s, and git-airlock copies nothing of this machine's files there (%s); put them on the server and seed from there", name, s.Server.Host(), strings.Join(rels, ", "))
		return nil
	}
	home := "/sandbox-home"
	if !s.Sbx.DryRun() {
		out, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: name, Argv: []string{"sh", "-c", `printf %s "$HOME"`}})
		if err != nil {
			return workflow.SbxError(err)
		}
		home = strings.TrimSpace(out)
		if !path.IsAbs(home) {
			return hint.Errorf(nil, "sandbox %q reports an unusable $HOME %q", name, home)
		}
	}
	// sbx cp needs the parents to exist: create them all in one exec.
	mkdir := []string{"mkdir", "-p"}
	for _, rel := range rels {
		if dir := path.Dir(path.Join(home, filepath.ToSlash(rel))); !slices.Contains(mkdir, dir) {
			mkdir = append(mkdir, dir)
		}
	}
	if err := s.Sbx.Exec(ctx, sbx.ExecRequest{Name: name, Argv: mkdir, Mutates: true}); err != nil {
		return workflow.SbxError(err)
	}
	for _, rel := range rels {
		dst := path.Join(home, filepath.ToSlash(rel))
		if err := s.Sbx.Copy(ctx, name, filepath.Join(s.Home, rel), path.Dir(dst)+"/"); err != nil {
			return workflow.SbxError(err)
		}
		s.UI.Infof("seeded ~/%s", filepath.ToSlash(rel))
	}
	return nil
}

// applyLockdown gives a new sandbox the allowlist when deny-all is the
// configured policy and may be the one in force (inForce, "" when not
// known): under a policy known to be another, an allowlist changes
// nothing, and ensurePolicy said so.
func (s *Service) applyLockdown(ctx context.Context, name, inForce string) error {
	if s.Settings.NetworkPolicy() != "deny-all" || inForce != "" && inForce != "deny-all" {
		return nil
	}
	allow := s.Settings.Allow()
	if len(allow) == 0 {
		s.UI.Warnf("airlock.allow is empty: sandbox %q can reach no host under deny-all", name)
		return nil
	}
	if err := s.Sbx.PolicyAllow(ctx, name, allow); err != nil {
		return workflow.SbxError(err)
	}
	// Not "may reach only": sbx's agent kits still allow each agent's own
	// model API under deny-all (0.45 and later).
	if inForce == "" {
		s.UI.Infof("sandbox %q allowed: %s, for deny-all (if it is sbx's default; and its agent's own model API, which sbx's kits allow)", name, strings.Join(allow, ", "))
		return nil
	}
	s.UI.Infof("deny-all: sandbox %q allowed: %s (and its agent's own model API, which sbx's kits allow)", name, strings.Join(allow, ", "))
	return nil
}
