package workflow

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/sbx"
)

// seedLists are the curated, credential-free parts of each agent's
// user-level config, relative to $HOME. Whatever inside them looks like a
// credential, history, session, log or cache is skipped.
var seedLists = map[string][]string{
	"claude":   {".claude/settings.json", ".claude/CLAUDE.md", ".claude/agents", ".claude/commands", ".claude/skills", ".claude/output-styles"},
	"codex":    {".codex/config.toml", ".codex/AGENTS.md", ".codex/prompts"},
	"opencode": {".config/opencode/opencode.json", ".config/opencode/AGENTS.md", ".config/opencode/agent", ".config/opencode/command"},
	"gemini":   {".gemini/settings.json", ".gemini/GEMINI.md"},
}

// secretName reports whether a file or directory name is, or is likely to
// hold, credentials, keys, tokens, histories, sessions, logs or caches.
func secretName(name string) bool {
	n := strings.ToLower(name)
	for _, exact := range []string{".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".netrc", ".git-credentials", ".npmrc",
		".pypirc", ".password-store", "node_modules", "logs", "log", "cache", ".cache", "sessions", "projects", "todos",
		"shell-snapshots", "statsig", "hosts.yml", ".env", "keychain", "keyrings"} {
		if n == exact {
			return true
		}
	}
	for _, part := range []string{"credential", "secret", "token", "password", "passwd", "history", "session", "auth", "cookie",
		"private", "oauth", "apikey", "api_key", "api-key", ".pem", ".key", ".p12", ".pfx", ".kdbx", "id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return strings.HasSuffix(n, ".log") || strings.HasPrefix(n, "cache")
}

// SeedError is a seed path refused for a reason the user must see.
type SeedError struct{ Path, Why string }

func (e *SeedError) Error() string { return fmt.Sprintf("seed path %q refused: %s", e.Path, e.Why) }

// checkSeedPath resolves a user-named seed path and refuses anything that
// is outside $HOME (after `..` and symlinks), names a secret anywhere on
// its way, or is a directory that holds one. It returns the path relative
// to $HOME.
func checkSeedPath(home, p string) (string, error) {
	if strings.ContainsFunc(p, func(r rune) bool { return unicode.IsControl(r) }) {
		return "", &SeedError{Path: p, Why: "the name holds a control character (a newline?)"}
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		p = filepath.Join(home, rest)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(home, p)
	}
	clean := filepath.Clean(p)
	realHome, err := filepath.EvalSymlinks(home)
	if err != nil {
		return "", &SeedError{Path: p, Why: "cannot resolve $HOME"}
	}
	rel, err := filepath.Rel(home, clean)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", &SeedError{Path: p, Why: "it is not under $HOME (" + home + ")"}
	}
	real, err := filepath.EvalSymlinks(clean)
	if err != nil {
		return "", &SeedError{Path: p, Why: "it does not exist"}
	}
	realRel, err := filepath.Rel(realHome, real)
	if err != nil || realRel == "." || strings.HasPrefix(realRel, "..") {
		return "", &SeedError{Path: p, Why: "it resolves to " + real + ", outside $HOME"}
	}
	for _, r := range []string{rel, realRel} {
		for _, part := range strings.Split(r, string(filepath.Separator)) {
			if secretName(part) {
				via := ""
				if r == realRel && realRel != rel {
					via = "it resolves to " + real + ", and "
				}
				return "", &SeedError{Path: p, Why: fmt.Sprintf("%s%q looks like credentials, keys, tokens, history, sessions, logs or a cache", via, part)}
			}
		}
	}
	var found string
	_ = filepath.WalkDir(real, func(q string, d fs.DirEntry, err error) error {
		if err == nil && q != real && secretName(d.Name()) {
			found = q
			return fs.SkipAll
		}
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			found = q + " (a symlink)"
			return fs.SkipAll
		}
		return nil
	})
	if found != "" {
		return "", &SeedError{Path: p, Why: "it contains " + found + ", which is not copied into a sandbox"}
	}
	return rel, nil
}

// seed copies the agent's curated config (airlock.seedConfig) and the
// extra airlock.seedPath entries into a new sandbox's $HOME. Refused paths
// are reported and skipped; nothing of theirs is copied.
func (s *Service) seed(ctx context.Context, name, agentName string) error {
	var candidates []string
	if s.Settings.SeedConfig() {
		for _, rel := range seedLists[agentName] {
			if _, err := os.Stat(filepath.Join(s.Home, rel)); err == nil { // the user may not have it
				candidates = append(candidates, rel)
			}
		}
		if len(seedLists[agentName]) == 0 {
			s.UI.Warnf("no curated config list for %s; nothing seeded (name paths with airlock.seedPath)", agentName)
		}
	}
	var rels []string
	for _, p := range append(candidates, s.Settings.SeedPaths()...) {
		rel, err := checkSeedPath(s.Home, p)
		if err != nil {
			s.UI.Warnf("%v", err)
			continue
		}
		rels = append(rels, rel)
	}
	if len(rels) == 0 {
		return nil
	}
	home := "/sandbox-home"
	if !s.Sbx.DryRun() {
		out, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: name, Argv: []string{"sh", "-c", `printf %s "$HOME"`}})
		if err != nil {
			return sbxError(err)
		}
		home = strings.TrimSpace(out)
		if !path.IsAbs(home) {
			return ui.Errorf(nil, "sandbox %q reports an unusable $HOME %q", name, home)
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
		return sbxError(err)
	}
	for _, rel := range rels {
		dst := path.Join(home, filepath.ToSlash(rel))
		if err := s.Sbx.Copy(ctx, name, filepath.Join(s.Home, rel), path.Dir(dst)+"/"); err != nil {
			return sbxError(err)
		}
		s.UI.Infof("seeded ~/%s", filepath.ToSlash(rel))
	}
	return nil
}
