package seedpolicy

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// A token shape is how a credential's value looks, whatever it is called:
// the prefixes the issuers publish so that scanners can find them
// (OpenAI's and Anthropic's sk-, GitHub's ghp_ and github_pat_, Slack's
// xox?-, AWS's AKIA), JWTs, PEM blocks and passwords inside URLs. They
// are compiled on first use: every git-airlock start would pay for them.
var tokenShapes = sync.OnceValue(func() []tokenShape {
	var out []tokenShape
	for _, t := range []struct{ re, what, literal string }{
		{`-----BEGIN [A-Z0-9 ]{1,40}-----`, "a PEM block", "-----BEGIN "},
		{`\bsk-[A-Za-z0-9_-]{20,}`, "an sk- API key", "sk-"},
		{`\bgh[pousr]_[A-Za-z0-9]{30,}`, "a GitHub token", "_"},
		{`\bgithub_pat_[A-Za-z0-9_]{20,}`, "a GitHub token", "github_pat_"},
		{`\bglpat-[A-Za-z0-9_-]{20,}`, "a GitLab token", "glpat-"},
		{`\bxox[abeoprs]-[A-Za-z0-9-]{10,}`, "a Slack token", "xox"},
		{`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`, "an AWS access key", "IA"},
		{`\bAIza[0-9A-Za-z_-]{35}`, "a Google API key", "AIza"},
		{`\bhf_[A-Za-z0-9]{30,}`, "a Hugging Face token", "hf_"},
		{`\bnpm_[A-Za-z0-9]{36}`, "an npm token", "npm_"},
		{`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, "a JWT", "eyJ"},
		{`[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@"'<>]+:([^/\s@"'<>]+)@`, "a URL with a password", "://"},
	} {
		out = append(out, tokenShape{regexp.MustCompile(t.re), t.what, t.literal})
	}
	return out
})

// tokenShape is a pattern, what it finds, and a literal every match holds
// (a cheap test that spares the pattern most strings).
type tokenShape struct {
	re            *regexp.Regexp
	what, literal string
}

// TokenShape returns what s holds that looks like a credential's value
// ("a GitHub token"), or "" when nothing does. It never returns the value.
func TokenShape(s string) string {
	for _, t := range tokenShapes() {
		if !strings.Contains(s, t.literal) {
			continue
		}
		for _, m := range t.re.FindAllStringSubmatch(s, -1) {
			if plausible(t.what, m) {
				return t.what
			}
		}
	}
	return ""
}

// plausible drops matches that are words rather than keys (an sk- run of
// letters only: "sk-learn-the-basics-of-things") and URLs whose password
// is a reference (${PASSWORD}, {env:X}).
func plausible(what string, m []string) bool {
	switch what {
	case "an sk- API key":
		return strings.ContainsFunc(m[0][3:], unicode.IsDigit)
	case "a URL with a password":
		return !strings.HasPrefix(m[1], "$") && !strings.HasPrefix(m[1], "{") && !strings.HasPrefix(m[1], "%")
	}
	return true
}

// words splits a key into lower-case words at punctuation and at case
// changes: GITHUB_PERSONAL_ACCESS_TOKEN, apiKey, x-api-key, APIKey.
func words(name string) []string {
	var out []string
	var cur []rune
	rs := []rune(name)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if i > 0 && unicode.IsUpper(r) && len(cur) > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

var (
	// credentialParts anywhere in a key's joined words name a credential
	// (client_secret, DB_PASSWORD); credentialEnds at its end (x-api-key,
	// privateKey, but not apiKeyHelper, a program that prints one).
	credentialParts = []string{"secret", "password", "passwd", "passphrase", "credential", "authorization"}
	credentialEnds  = []string{"apikey", "privatekey", "accesskey", "cookie", "cookies"}
	// authNames are keys whose whole value is a credential or a block of
	// them ("auth": {...}).
	authNames = []string{"auth", "oauth", "oauth2", "authentication", "bearer", "pat", "creds"}
	// harmlessKeys are "<word> key" names that are not keys to anything.
	harmlessKeys = []string{"hot", "sort", "shortcut", "primary", "foreign", "partition", "env", "cache", "group", "lookup"}
	// envWords in a variable's name, in an environment block, make it a
	// credential: ANTHROPIC_AUTH_TOKEN, GH_PAT, AWS_SECRET_ACCESS_KEY.
	envWords = []string{"key", "token", "secret", "password", "passwd", "pass", "pat", "auth", "credential", "credentials", "apikey"}
)

// SecretKey reports whether a config key names a credential: *_KEY,
// *_TOKEN, *SECRET*, *PASSWORD*, auth blocks. In an environment block
// (inEnv) any word of the variable's name that says key, token, secret,
// password or auth is enough.
func SecretKey(name string, inEnv bool) bool {
	w := words(name)
	if len(w) == 0 {
		return false
	}
	joined := strings.Join(w, "")
	for _, p := range credentialParts {
		if strings.Contains(joined, p) {
			return true
		}
	}
	for _, p := range credentialEnds {
		if strings.HasSuffix(joined, p) {
			return true
		}
	}
	if slices.Contains(authNames, joined) {
		return true
	}
	last := w[len(w)-1]
	switch {
	case last == "token", len(w) == 1 && strings.HasSuffix(last, "token"):
		return true
	case last == "key" && len(w) > 1 && !slices.Contains(harmlessKeys, w[len(w)-2]):
		return true
	}
	if inEnv {
		for _, x := range w {
			if slices.Contains(envWords, x) {
				return true
			}
		}
	}
	return false
}

// EnvBlock reports whether a key holds environment variables for a
// program (Claude Code's "env", an MCP server's env, Codex's
// [mcp_servers.x.env]).
func EnvBlock(name string) bool {
	switch strings.ToLower(name) {
	case "env", "environment", "envs", "env_vars", "envvars", "variables":
		return true
	}
	return false
}

var envRef = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$|^\{(?:env|file):[^}]+\}$|^env:[A-Za-z_][A-Za-z0-9_]*$`)
})

// Reference reports whether a value under a credential's name is not the
// credential but where to find it: "" , ${OPENAI_API_KEY}, {env:X},
// {file:~/.key} (OpenCode), or the name of the variable that holds it
// (Codex's env_key = "OPENAI_API_KEY").
func Reference(v string) bool {
	v = strings.TrimSpace(v)
	return v == "" || envRef().MatchString(v) || envName(v) && SecretKey(v, true)
}

// envName reports whether v is an environment variable's name in the
// usual form: upper case, digits and at least one underscore.
func envName(v string) bool {
	return v != "" && v[0] >= 'A' && v[0] <= 'Z' && strings.Contains(v, "_") &&
		!strings.ContainsFunc(v, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') })
}

// literalSecret reports whether a text assignment's value looks like a
// credential's rather than a placeholder: at least 8 characters, letters
// and digits, not a reference.
func literalSecret(v string) bool {
	return len(v) >= 8 && strings.ContainsFunc(v, unicode.IsLetter) && strings.ContainsFunc(v, unicode.IsDigit) &&
		!strings.ContainsAny(v[:1], "$<{%") && !Reference(v)
}
