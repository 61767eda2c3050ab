package seedpolicy

import (
	"slices"
	"strings"
	"unicode"
)

// curated are the parts of each agent's user-level config that are
// settings and instructions rather than state, relative to $HOME: a
// superset of code-airlock's table. Whatever inside them looks like a
// credential, history, session, log or cache is still refused by Check,
// and every file's content goes through Scrub.
var curated = map[string][]string{
	"claude": {".claude/settings.json", ".claude/CLAUDE.md", ".claude/agents", ".claude/commands", ".claude/skills", ".claude/output-styles"},
	"codex": {".codex/config.toml", ".codex/AGENTS.md", ".codex/AGENT.md", ".codex/prompts", ".codex/skills",
		".codex/agents"},
	// OpenCode reads both spellings of its directories (agent and
	// agents, ...) and both config files.
	"opencode": {".config/opencode/opencode.json", ".config/opencode/opencode.jsonc", ".config/opencode/AGENTS.md",
		".config/opencode/agent", ".config/opencode/agents", ".config/opencode/command", ".config/opencode/commands",
		".config/opencode/skill", ".config/opencode/skills"},
	"gemini": {".gemini/settings.json", ".gemini/GEMINI.md"},
}

// Curated returns the curated seed paths of an agent, relative to $HOME
// and slash-separated, or nil for an agent without a list. The caller owns
// the returned slice.
func Curated(agent string) []string {
	return slices.Clone(curated[agent])
}

var (
	secretExact = []string{".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".netrc", ".git-credentials", ".npmrc",
		".pypirc", ".password-store", "node_modules", "logs", "log", "cache", ".cache", "sessions", "projects", "todos",
		"shell-snapshots", "statsig", "hosts.yml", ".env", "keychain", "keyrings"}
	secretParts = []string{"credential", "secret", "token", "password", "passwd", "history", "session", "auth", "cookie",
		"private", "oauth", "apikey", "api_key", "api-key", ".pem", ".key", ".p12", ".pfx", ".kdbx", "id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"}
)

// SecretName reports whether a file or directory name is, or is likely to
// hold, credentials, keys, tokens, histories, sessions, logs or caches.
//
// The name is compared lower-cased, and also in the form a case-insensitive
// or Windows file system would open: ".ſsh" (long s), ".s\u200csh" (an
// ignorable joiner) and ".ssh." (a trailing dot) all name ".ssh" there.
func SecretName(name string) bool {
	return secretLower(strings.ToLower(name)) || secretLower(fold(name))
}

func secretLower(n string) bool {
	if slices.Contains(secretExact, n) {
		return true
	}
	for _, part := range secretParts {
		if strings.Contains(n, part) {
			return true
		}
	}
	return strings.HasSuffix(n, ".log") || strings.HasPrefix(n, "cache")
}

// fold maps every rune to the lower case of the smallest rune it
// case-folds with (ſ and S to s, the Kelvin sign and K to k), drops
// invisible format characters, and trims trailing dots and spaces.
func fold(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.Is(unicode.Cf, r) {
			continue
		}
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(unicode.ToLower(least))
	}
	return strings.TrimRight(b.String(), ". ")
}
