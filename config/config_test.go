package config

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
)

func entry(scope, key, value string) gitx.ConfigEntry {
	return gitx.ConfigEntry{Scope: scope, Origin: "file:" + scope, Key: key, Value: value}
}

func TestPrecedence(t *testing.T) {
	toml := []byte("agent = \"codex\"\nallow = [\"file.example.com\"]\n")
	trusted := FileInput{Content: toml, TrustedHash: Hash(toml)}
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	tests := []struct {
		name       string
		in         Inputs
		key, want  string
		wantOrigin string
	}{
		{"default", Inputs{}, "agent", "claude", "default"},
		{"untrusted file ignored", Inputs{File: FileInput{Content: toml}}, "agent", "claude", "default"},
		{"changed file ignored", Inputs{File: FileInput{Content: toml, TrustedHash: "sha256:old"}}, "agent", "claude", "default"},
		{"trusted file", Inputs{File: trusted}, "agent", "codex", ".airlock.toml"},
		{"global beats file", Inputs{File: trusted, Git: []gitx.ConfigEntry{entry("global", "airlock.agent", "gemini")}}, "agent", "gemini", "git config --global (global)"},
		{"local beats global", Inputs{Git: []gitx.ConfigEntry{entry("global", "airlock.agent", "gemini"), entry("local", "airlock.agent", "opencode")}}, "agent", "opencode", "git config --local (local)"},
		{"worktree beats local", Inputs{Git: []gitx.ConfigEntry{entry("local", "airlock.agent", "opencode"), entry("worktree", "airlock.agent", "kiro")}}, "agent", "kiro", "git config --worktree (worktree)"},
		{"env beats git", Inputs{Git: []gitx.ConfigEntry{entry("local", "airlock.agent", "opencode")}, Env: env(map[string]string{"AGENT": "codex"})}, "agent", "codex", "env AGENT"},
		{"empty env ignored", Inputs{Git: []gitx.ConfigEntry{entry("local", "airlock.agent", "opencode")}, Env: env(map[string]string{"AGENT": ""})}, "agent", "opencode", "git config --local (local)"},
		{"flag beats env", Inputs{Env: env(map[string]string{"AGENT": "codex"}), Flags: map[string][]string{"agent": {"shell"}}}, "agent", "shell", "flag --agent"},
		{"list from file", Inputs{File: trusted}, "allow", "file.example.com", ".airlock.toml"},
		{"list git replaces file", Inputs{File: trusted, Git: []gitx.ConfigEntry{entry("local", "airlock.allow", "a.example.com")}}, "allow", "a.example.com", "git config --local (local)"},
		{"list accumulates scopes", Inputs{Git: []gitx.ConfigEntry{entry("global", "airlock.allow", "a.example.com"), entry("local", "airlock.allow", "b.example.com")}}, "allow", "a.example.com,b.example.com", "git config --local (local)"},
		{"empty value clears list", Inputs{Git: []gitx.ConfigEntry{entry("global", "airlock.allow", "a.example.com"), entry("local", "airlock.allow", ""), entry("local", "airlock.allow", "c.example.com")}}, "allow", "c.example.com", "git config --local (local)"},
		{"env list is comma separated", Inputs{Env: env(map[string]string{"ALLOW": " x.example.com ,y.example.com,"})}, "allow", "x.example.com,y.example.com", "env ALLOW"},
		{"bool without value", Inputs{Git: []gitx.ConfigEntry{{Scope: "local", Key: "airlock.wakeonfetch", NoValue: true}}}, "wakeOnFetch", "true", "git config --local ()"},
		{"case-insensitive key", Inputs{Git: []gitx.ConfigEntry{entry("local", "airlock.networkpolicy", "deny-all")}}, "networkPolicy", "deny-all", "git config --local (local)"},
		{"subsection keys are not settings", Inputs{Git: []gitx.ConfigEntry{entry("local", "airlock.x.agent", "codex")}}, "agent", "claude", "default"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			v := s.Get(tc.key)
			if got := strings.Join(v.Values, ","); got != tc.want {
				t.Errorf("value = %q, want %q", got, tc.want)
			}
			if got := v.Origin.String(); got != tc.wantOrigin {
				t.Errorf("origin = %q, want %q", got, tc.wantOrigin)
			}
		})
	}
}

func TestValidationNamesKeyValueOrigin(t *testing.T) {
	_, err := Load(Inputs{Git: []gitx.ConfigEntry{entry("global", "airlock.agent", "robot")}})
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("want InvalidError, got %v", err)
	}
	if want := `invalid airlock.agent from git config --global (global): unknown agent "robot"`; !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %q, want prefix %q", err, want)
	}
	for _, bad := range []string{"*", "**", "a b", "-x", "a,b"} {
		if err := Must("allow").Validate(bad); err == nil {
			t.Errorf("allow %q accepted", bad)
		}
	}
	for _, bad := range []string{"-rf", "a", "a/b", "default", "x y", "ü-box", strings.Repeat("a", 64), "box-"} {
		if err := Must("name").Validate(bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

func TestFileAllowlist(t *testing.T) {
	values, warnings, err := ParseFile([]byte("agent = \"codex\"\nreviewTool = \"evil\"\ntimeout = \"1s\"\nname = \"x1\"\nnope = 1\nallow = \"not-a-list\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != 1 || values["agent"][0] != "codex" {
		t.Fatalf("values = %v", values)
	}
	joined := strings.Join(warnings, "\n")
	for _, want := range []string{`"reviewTool" may only be set in git config`, `"timeout" may only`, `"name" may only`, `unknown key "nope"`, "allow: want an array"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
	if _, _, err := ParseFile([]byte("agent = ")); err == nil {
		t.Fatal("broken TOML accepted")
	}
}

func TestTrustOnlyFromLocalScope(t *testing.T) {
	h := Hash([]byte("x"))
	if got := TrustedHash([]gitx.ConfigEntry{entry("global", TrustKey, h)}); got != "" {
		t.Fatalf("global trust honoured: %q", got)
	}
	if got := TrustedHash([]gitx.ConfigEntry{entry("local", TrustKey, h)}); got != h {
		t.Fatalf("local trust ignored: %q", got)
	}
}

func FuzzParseFile(f *testing.F) {
	f.Add([]byte("agent = \"codex\"\nallow = [\"a\"]\n"))
	f.Add([]byte("[x]\ny=1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		values, _, err := ParseFile(b)
		if err != nil {
			return
		}
		for k := range values {
			if key, ok := Lookup(k); !ok || !key.InFile {
				t.Fatalf("key %q let through", k)
			}
		}
	})
}

func FuzzParseSandboxConf(f *testing.F) {
	f.Add([]byte("AGENT=codex\nALLOW='a.example.com,b'\n# c\n"))
	f.Add([]byte("export SANDBOX_NAME=\"x1\" # note"))
	f.Fuzz(func(t *testing.T, b []byte) {
		values, _, err := ParseSandboxConf(b)
		if err != nil {
			return
		}
		for _, v := range values {
			for _, val := range v.Values {
				if v.Key.Validate(val) != nil {
					t.Fatalf("invalid %s=%q let through", v.Key.Name, val)
				}
			}
		}
	})
}

// TestKeysDocumented: every setting has help and a row in the settings
// table of docs/settings.md, with its environment variable.
func TestKeysDocumented(t *testing.T) {
	readme, err := os.ReadFile("../docs/settings.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys {
		if k.Help == "" {
			t.Errorf("airlock.%s has no help", k.Name)
		}
		row := "| `" + k.Name + "`"
		i := strings.Index(string(readme), row)
		if i < 0 {
			t.Errorf("docs/settings.md lacks airlock.%s", k.Name)
			continue
		}
		line, _, _ := strings.Cut(string(readme[i:]), "\n")
		if k.Env != "" && !strings.Contains(line, "`"+k.Env+"`") {
			t.Errorf("docs/settings.md row of airlock.%s lacks its variable %s: %s", k.Name, k.Env, line)
		}
		if inFile := strings.Contains(line, "| yes |"); inFile != k.InFile {
			t.Errorf("docs/settings.md row of airlock.%s says .airlock.toml=%v, the key says %v", k.Name, inFile, k.InFile)
		}
	}
}

// TestParseSandboxConfCodeAirlock: code-airlock's own example values
// import; what has no setting here is named with what to do instead.
func TestParseSandboxConfCodeAirlock(t *testing.T) {
	conf := `SEED_PATHS="$HOME/.config/gh/config.yml,~/.ssh/known_hosts,${HOME}/notes"
REPO_DIR=/work/app
TMUX_ATTACH=1
FOO=bar
REVIEW_TOOL=vscode
`
	values, notes, err := ParseSandboxConf([]byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, v := range values {
		got[v.Key.Name] = v.Values
	}
	if want := []string{"~/.config/gh/config.yml", "~/.ssh/known_hosts", "~/notes"}; !slices.Equal(got["seedPath"], want) {
		t.Errorf("seedPath = %q; want %q", got["seedPath"], want)
	}
	if !slices.Equal(got["reviewTool"], []string{"vscode"}) {
		t.Errorf("reviewTool = %q", got["reviewTool"])
	}
	want := []string{
		"line 2: REPO_DIR is not imported: git-airlock works on the repository it runs in (cd /work/app)",
		"line 3: TMUX_ATTACH is not imported: give up and run --tmux to attach to the session, or --tmux-detached to leave it in the background",
		"line 4: FOO has no git-airlock setting; skipped",
	}
	if !slices.Equal(notes, want) {
		t.Errorf("notes:\n%s", strings.Join(notes, "\n"))
	}
	for _, bad := range []string{"SEED_PATHS=$PWD/x", "SEED_PATHS=~user/x", "AGENT=$(whoami)", "ALLOW=`id`.example.com"} {
		if _, _, err := ParseSandboxConf([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
