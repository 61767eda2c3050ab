package seedpolicy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"
)

// Values shaped like the real thing; none is one.
const (
	anthropicKey = "sk-ant-api03-Q1w2E3r4T5y6U7i8O9p0AaSsDdFfGgHh"
	openaiKey    = "sk-proj-4f8Kq2Lz9XvB7nM3wR6tY1uP0oIaSdFg"
	githubPAT    = "ghp_1234567890abcdefghijABCDEFGHIJ123456"
	fineGrained  = "github_pat_11ABCDEFG0123456789_abcdefghijklmnop"
	slackToken   = "xoxb-123456789012-abcdefghijkl"
	awsKeyID     = "AKIAIOSFODNN7EXAMPLE"
	jwt          = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36"
)

var planted = []string{anthropicKey, openaiKey, githubPAT, fineGrained, slackToken, awsKeyID, jwt,
	"hunter2hunter2", "s3cr3t-passw0rd", "BEGIN OPENSSH PRIVATE KEY", "Bearer abc123def456"}

// TestScrubAgentConfigs: the configs the agents really keep, each with a
// credential in it the way users put them there, come out without it,
// with one finding per entry that names the key, and otherwise as the
// tool wrote them.
func TestScrubAgentConfigs(t *testing.T) {
	for _, tc := range []struct {
		name, file, in string
		left           []string // Key: Why
		keep           []string // still in the output
		valid          func([]byte) error
	}{
		{
			name: "Claude Code settings with an env block", file: "settings.json",
			in: `{
  "theme": "dark",
  "apiKeyHelper": "~/bin/get-key.sh",
  "env": {
    "ANTHROPIC_API_KEY": "` + anthropicKey + `",
    "DISABLE_TELEMETRY": "1",
    "ANTHROPIC_AUTH_TOKEN": "opaque-but-named"
  },
  "mcpServers": {
    "github": {
      "command": "docker",
      "args": ["run", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "` + githubPAT + `"}
    },
    "linear": {"type": "http", "url": "https://mcp.linear.app/mcp", "headers": {"Authorization": "Bearer abc123def456"}}
  }
}
`,
			left: []string{
				"env.ANTHROPIC_API_KEY: its value looks like an sk- API key",
				"env.ANTHROPIC_AUTH_TOKEN: named like a credential",
				"mcpServers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN: its value looks like a GitHub token",
				"mcpServers.linear.headers.Authorization: named like a credential",
			},
			keep:  []string{`"theme": "dark"`, `"DISABLE_TELEMETRY": "1"`, `"apiKeyHelper"`, `"GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io`},
			valid: validJSON,
		},
		{
			name: "the last member goes: standard JSON stays standard", file: "settings.json",
			in:    `{"model": "opus", "env": {"X": "1", "OPENAI_API_KEY": "` + openaiKey + `"}, "password": "s3cr3t-passw0rd"}`,
			left:  []string{"env.OPENAI_API_KEY: its value looks like an sk- API key", "password: named like a credential"},
			keep:  []string{`"model": "opus"`, `"X": "1"`},
			valid: validJSON,
		},
		{
			name: "Codex config with an MCP server's token", file: "config.toml",
			in: `# my codex setup
model = "gpt-5-codex"
model_max_output_tokens = 4096

[model_providers.azure]
name = "Azure"
env_key = "AZURE_OPENAI_API_KEY"

[mcp_servers.github]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]

[mcp_servers.github.env]
GITHUB_PERSONAL_ACCESS_TOKEN = "` + githubPAT + `"
LOG_LEVEL = "info"

[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
bearer_token = "figd_abcdefgh12345678"
`,
			left: []string{
				"mcp_servers.figma.bearer_token: named like a credential",
				"mcp_servers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN: its value looks like a GitHub token",
			},
			keep:  []string{`model = "gpt-5-codex"`, `env_key = "AZURE_OPENAI_API_KEY"`, `LOG_LEVEL = "info"`, `model_max_output_tokens = 4096`},
			valid: validTOML,
		},
		{
			name: "OpenCode's JSONC keeps its comments and trailing commas", file: "opencode.jsonc",
			in: `{
  // my providers
  "$schema": "https://opencode.ai/config.json",
  "provider": {
    "anthropic": {
      "options": {
        "apiKey": "{env:ANTHROPIC_API_KEY}", // read from the environment
      },
    },
    "openai": {
      "options": {
        "baseURL": "https://api.openai.com/v1",
        "apiKey": "` + openaiKey + `",
      },
    },
  },
}
`,
			left: []string{"provider.openai.options.apiKey: its value looks like an sk- API key"},
			keep: []string{"// my providers", `"{env:ANTHROPIC_API_KEY}", // read from the environment`, `"baseURL": "https://api.openai.com/v1",` + "\n      },"},
		},
		{
			name: "a token in a JSONC comment drops the comments", file: "opencode.jsonc",
			in:   "{\n  // old key: " + openaiKey + "\n  \"model\": \"gpt-5\",\n}\n",
			left: []string{"comments: one holds what looks like an sk- API key"},
			keep: []string{`"model": "gpt-5"`}, valid: validJSON,
		},
		{
			name: "aider's YAML", file: ".aider.conf.yml",
			in: `# aider settings
model: sonnet
openai-api-key: ` + openaiKey + `
set-env:
  - AWS_REGION=us-east-1
  - AWS_ACCESS_KEY_ID=` + awsKeyID + `
dark-mode: true # always
`,
			left: []string{"openai-api-key: its value looks like an sk- API key", "set-env[1]: its value looks like an AWS access key"},
			keep: []string{"# aider settings", "model: sonnet", "AWS_REGION=us-east-1", "dark-mode: true # always"},
			valid: func(b []byte) error {
				var v any
				return yaml.Unmarshal(b, &v)
			},
		},
		{
			name: "keys that are not credentials stay", file: "keybindings.json",
			in: `[{"key": "ctrl+k", "command": "x"}, {"hotKey": "f1", "sortKey": "a", "max_tokens": 5, "tokens": {"limit": 3},` +
				` "apiKey": "", "password_required": true, "author": "me"}]`,
		},
		{
			name: "an auth block goes whole, and a key shaped like a token is not shown", file: "config.json",
			in:   `{"auth": {"user": "me", "pass": "x"}, "tokens": {"` + githubPAT + `": true}, "jwt": "` + jwt + `"}`,
			left: []string{"auth: named like a credential", "tokens.<redacted>: its name looks like a GitHub token", "jwt: its value looks like a JWT"},
			keep: []string{`"tokens": {}`}, valid: validJSON,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Scrub(tc.file, []byte(tc.in))
			if s.Skip != "" {
				t.Fatalf("skipped: %s", s.Skip)
			}
			var got []string
			for _, f := range s.Left {
				got = append(got, f.Key+": "+f.Why)
			}
			if strings.Join(got, "\n") != strings.Join(tc.left, "\n") {
				t.Errorf("left out:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.left, "\n"))
			}
			if len(tc.left) == 0 && string(s.Content) != tc.in {
				t.Errorf("nothing left out, yet the file changed:\n%s", s.Content)
			}
			for _, k := range tc.keep {
				if !strings.Contains(string(s.Content), k) {
					t.Errorf("lost %q:\n%s", k, s.Content)
				}
			}
			if tc.valid != nil {
				if err := tc.valid(s.Content); err != nil {
					t.Errorf("no longer parses: %v\n%s", err, s.Content)
				}
			}
			noSecret(t, s)
		})
	}
}

// TestScrubSkipsWhatItCannotRewrite: text with a credential in it, a
// YAML file whose credential an alias points at, a binary with a key in
// it: not copied at all, and the reason names the line, never the value.
func TestScrubSkipsWhatItCannotRewrite(t *testing.T) {
	for _, tc := range []struct{ file, in, skip string }{
		{"skills/deploy/SKILL.md", "# Deploy\n\nUse the token\n  GH=" + githubPAT + "\n", "line 4 holds what looks like a GitHub token"},
		{"AGENTS.md", "ask\nslack: " + slackToken + "\n", "line 2 holds what looks like a Slack token"},
		{"agents/db.md", "connect with\nexport DB_PASSWORD=hunter2hunter2\n", "line 2 sets DB_PASSWORD, named like a credential"},
		{"prompts/x.md", "curl https://me:s3cr3t-passw0rd@example.com/\n", "line 1 holds what looks like a URL with a password"},
		{"keys/deploy", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", "line 1 holds what looks like a PEM block"},
		{"bin/tool", "\x7fELF\x00\x00" + fineGrained + "\x00", "it holds what looks like a GitHub token"},
		{"broken.json", "{\"a\": \n\"" + openaiKey + "\"", "line 2 holds what looks like an sk- API key"},
		{"anchors.yaml", "base: &k " + openaiKey + "\nother: *k\n", "it holds base (its value looks like an sk- API key) and uses YAML aliases, so it cannot be rewritten without it safely"},
		{"x-" + githubPAT + ".md", "hello", "its name looks like a GitHub token"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := Scrub(tc.file, []byte(tc.in))
			if s.Skip != tc.skip {
				t.Errorf("skip = %q, want %q", s.Skip, tc.skip)
			}
			if s.Content != nil {
				t.Errorf("content kept: %q", s.Content)
			}
			noSecret(t, s)
		})
	}
}

// TestScrubCopiesPlainTextWhole: instructions that talk about keys
// without holding one are copied byte for byte.
func TestScrubCopiesPlainTextWhole(t *testing.T) {
	in := "# Setup\nSet OPENAI_API_KEY=your-key-here, or run `sbx secret set openai`.\napi_key: <your key>\nUse ${GITHUB_TOKEN}.\nThe task-force-alpha-bravo-charlie met.\n"
	if s := Scrub("CLAUDE.md", []byte(in)); s.Skip != "" || string(s.Content) != in || len(s.Left) > 0 {
		t.Errorf("Scrub = %+v", s)
	}
}

func TestSecretKey(t *testing.T) {
	for name, want := range map[string]bool{
		"ANTHROPIC_API_KEY": true, "apiKey": true, "x-api-key": true, "APIKey": true, "client_secret": true,
		"GITHUB_PERSONAL_ACCESS_TOKEN": true, "accessToken": true, "authtoken": true, "DB_PASSWORD": true,
		"Authorization": true, "auth": true, "private_key": true, "ssh_key": true,
		"key": false, "hotkey": false, "sortKey": false, "max_tokens": false, "tokens": false, "token_limit": false,
		"apiKeyHelper": false, "author": false, "keybindings": false, "env_key": false, "model": false,
	} {
		if got := SecretKey(name, false); got != want {
			t.Errorf("SecretKey(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{"GH_PAT": true, "AWS_SESSION_KEY_ID": true, "MY_AUTH": true, "LOG_LEVEL": false, "PATH": false} {
		if got := SecretKey(name, true); got != want {
			t.Errorf("SecretKey(%q, env) = %v, want %v", name, got, want)
		}
	}
}

func TestTokenShape(t *testing.T) {
	for s, want := range map[string]string{
		anthropicKey: "an sk- API key", "key=" + openaiKey: "an sk- API key", githubPAT: "a GitHub token",
		fineGrained: "a GitHub token", slackToken: "a Slack token", awsKeyID: "an AWS access key", jwt: "a JWT",
		"-----BEGIN RSA PRIVATE KEY-----": "a PEM block", "https://u:pw123@host/": "a URL with a password",
		"sk-learn-the-basics-of-things": "", "task-0123456789abcdefghijk": "", "https://u:${PASS}@host/": "",
		"git@github.com:o/r.git": "", "ghp_short": "", "AKIAshort": "",
	} {
		if got := TokenShape(s); got != want {
			t.Errorf("TokenShape(%q) = %q, want %q", s, got, want)
		}
	}
}

func validJSON(b []byte) error {
	if !json.Valid(b) {
		return fmt.Errorf("not standard JSON")
	}
	return nil
}

func validTOML(b []byte) error {
	var v map[string]any
	_, err := toml.Decode(string(b), &v)
	return err
}

// noSecret fails when anything Scrub returns holds a planted value.
func noSecret(t *testing.T, s Scrubbed) {
	t.Helper()
	text := string(s.Content) + "\n" + s.Skip
	for _, f := range s.Left {
		text += "\n" + f.Key + " " + f.Why
	}
	for _, p := range planted {
		if strings.Contains(text, p) {
			t.Errorf("%q is still there:\n%s", p, text)
		}
	}
	if what := TokenShape(string(s.Content)); what != "" {
		t.Errorf("the content holds %s:\n%s", what, s.Content)
	}
}

// FuzzScrub: whatever a user's file holds, what Scrub lets through holds
// no token, what it says holds none either, and a standard JSON file it
// rewrites stays standard JSON.
func FuzzScrub(f *testing.F) {
	for _, seed := range []string{
		`{"env": {"ANTHROPIC_API_KEY": "` + anthropicKey + `"}, "theme": "dark",}`,
		"[mcp_servers.x.env]\nTOKEN = \"" + githubPAT + "\"\n# " + slackToken + "\n",
		"a: &x " + jwt + "\nb: *x\nc: [1, " + awsKeyID + "]\n",
		"export DB_PASSWORD=hunter2hunter2\n",
		`{"` + fineGrained + `": {"k": [1, "` + openaiKey + `"]}} // x`,
	} {
		for ext := range 5 {
			f.Add(uint8(ext), seed)
		}
	}
	exts := []string{".json", ".jsonc", ".toml", ".yaml", ".md"}
	f.Fuzz(func(t *testing.T, ext uint8, content string) {
		name := "f" + exts[int(ext)%len(exts)]
		s := Scrub(name, []byte(content))
		if s.Skip == "" && TokenShape(string(s.Content)) != "" {
			t.Fatalf("copied a token:\n%s", s.Content)
		}
		said := s.Skip
		for _, l := range s.Left {
			said += "\n" + l.Key + " " + l.Why
		}
		if TokenShape(said) != "" {
			t.Fatalf("said a token: %s", said)
		}
		if name == "f.json" && json.Valid([]byte(content)) && s.Skip == "" && !json.Valid(s.Content) {
			t.Fatalf("standard JSON became:\n%s", s.Content)
		}
	})
}

// BenchmarkScrub: a Claude settings file and a Codex config, each with a
// key to leave out (docs/BENCHMARKS.md).
func BenchmarkScrub(b *testing.B) {
	settings := []byte(`{"theme": "dark", "permissions": {"allow": ["Bash(make:*)", "Read"]}, "env": {"ANTHROPIC_API_KEY": "` + anthropicKey + `", "DISABLE_TELEMETRY": "1"}}`)
	config := []byte("model = \"gpt-5-codex\"\n[mcp_servers.github]\ncommand = \"npx\"\nargs = [\"-y\", \"x\"]\n[mcp_servers.github.env]\nGITHUB_PERSONAL_ACCESS_TOKEN = \"" + githubPAT + "\"\n")
	for b.Loop() {
		Scrub("settings.json", settings)
		Scrub("config.toml", config)
	}
}
