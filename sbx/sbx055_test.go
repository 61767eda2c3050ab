package sbx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// cobra's root help, as the 0.53 reference pages render it, with a
// command whose description speaks of the host fetch.
const rootHelp055 = `Docker Sandboxes

Usage:
  sbx [command]

Available Commands:
  create      Create a sandbox
  daemon      Manage the sandbox daemon
  hostsync    Fetch commits from your host into a clone-mode sandbox
  ls          List sandboxes
  settings    Manage Docker Sandboxes settings

Flags:
      --cloud      Dispatch to Docker Cloud Sandboxes API instead of local sandboxd
  -D, --debug      Enable debug logging
  -h, --help       help for sbx
      --no-input   Do not prompt for input; fail and print the command to run instead

Use "sbx [command] --help" for more information about a command.
`

func TestParseRootHelp(t *testing.T) {
	h := ParseRootHelp(rootHelp055)
	if !h.Flags["--no-input"] || !h.Flags["--debug"] || !h.Flags["--cloud"] || len(h.Flags) != 4 {
		t.Errorf("flags = %v", h.Flags)
	}
	if _, ok := h.Commands["settings"]; !ok || len(h.Commands) != 5 {
		t.Errorf("commands = %v", h.Commands)
	}
	if got := h.HostFetch(); got != "hostsync" {
		t.Errorf("HostFetch = %q", got)
	}
	// A mention in prose is not a flag; a command that fetches something
	// else is not the host fetch.
	old := ParseRootHelp("Usage:\n  sbx [command]\n\nAvailable Commands:\n  ls   List sandboxes\n  pull   Fetch an image\n\nUse --no-input in scripts.\n")
	if old.Flags["--no-input"] || old.HostFetch() != "" {
		t.Errorf("0.47-like help: %+v, host fetch %q", old, old.HostFetch())
	}
}

// The cache key holds the shape of Capabilities: a cache written for
// another shape is not read (its new fields would read as zero).
func TestCapsCacheSchema(t *testing.T) {
	if !strings.Contains(capsSchema(), "NoInput bool no_input") || !strings.HasPrefix(capsSchema(), "caps/") {
		t.Fatalf("schema %q", capsSchema())
	}
	bin := filepath.Join(t.TempDir(), "sbx")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if cacheKey(bin) == capsKey(bin) || capsKey(bin) == "" {
		t.Fatal("the capability key ignores the schema")
	}
	c := &Client{CacheDir: t.TempDir()}
	old := `{"version":[0,55,0],"clone":true,"detach_flag":"--detached","policy_init":"init","secret_dialect":"sandbox-flag"}`
	if err := os.WriteFile(filepath.Join(c.CacheDir, "sbx-"+cacheKey(bin)+".json"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.readCache(capsKey(bin)); ok {
		t.Fatal("a cache of the old shape was read")
	}
	c.writeCache(capsKey(bin), Capabilities{Version: Version{0, 55, 0}, NoInput: true})
	if caps, ok := c.readCache(capsKey(bin)); !ok || !caps.NoInput {
		t.Fatalf("the new cache: %+v, %v", caps, ok)
	}
}

// --no-input goes before the verb of every non-interactive call once the
// sbx is known to have it (probed, or in the cache), never on a terminal.
func TestNoInputPlacement(t *testing.T) {
	fake, dir, log := fakeSbx(t, `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$*" in
version) echo "sbx version: v0.55.0" ;;
--help) printf 'Available Commands:\n  ls    List sandboxes\n\nFlags:\n      --no-input   Never prompt\n' ;;
"create --help") echo "  --clone" ;;
"ls --json --no-input") echo '{"sandboxes":[]}' ;;
esac
`)
	ctx := context.Background()
	cache := filepath.Join(dir, "cache")
	c := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 10 * time.Second, CacheDir: cache}
	_, _ = c.List(ctx) // before the probe nothing is known: no --no-input
	if _, err := c.Probe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 10 * time.Second, CacheDir: cache}
	_ = fresh.Stop(ctx, "box") // known from the cache: no probe
	_ = fresh.Tunnel(ctx, ExecRequest{Name: "box", Argv: []string{"true"}})
	_ = fresh.Exec(ctx, ExecRequest{Name: "box", Argv: []string{"true"}, TTY: true})
	_ = fresh.Attach(ctx, "box", []string{"-c"}, xec.Streams{})
	calls, _ := os.ReadFile(log)
	want := "ls --json\nversion\n--help\ncreate --help\nrun --help\npolicy --help\nsecret set --help\nls --json --no-input\n" +
		"stop box --no-input\nexec --no-input -i box true\nexec -t box true\nrun --name box -- -c\n"
	if string(calls) != want {
		t.Errorf("calls:\n%s\nwant:\n%s", calls, want)
	}
}

func TestNeedsAnswer(t *testing.T) {
	ee := func(stderr string) error { return &xec.ExitError{Code: 1, Stderr: stderr} }
	tests := []struct {
		name, stderr, stdout, next string
		policy                     bool
	}{
		{"one line", "ERROR: removing box needs an answer, and --no-input is set; run 'sbx rm --force box'", "", "sbx rm --force box", false},
		{"block", "Error: cannot prompt (--no-input is set): resetting\nTo go on without the prompt, run:\n  sbx policy reset --force\n", "", "sbx policy reset --force", false},
		{"on stdout", "", "ERROR: host port 8080 is in use; needs an answer; run `sbx ports box --publish 3000`.", "sbx ports box --publish 3000", false},
		{"the policy", "ERROR: choosing a default network policy needs an answer; run 'sbx policy init <allow-all|balanced|deny-all>'", "", "sbx policy init <allow-all|balanced|deny-all>", true},
		{"no command", "Error: cannot prompt for the sandbox name", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := classifyText("remove sandbox \"box\"", ee(tc.stderr), tc.stdout)
			var na *NeedsAnswerError
			if !errors.As(err, &na) || na.Next != tc.next {
				t.Fatalf("got %#v (%v)", err, err)
			}
			if errors.Is(err, ErrPolicyNotInitialised) != tc.policy {
				t.Errorf("policy: %v", errors.Is(err, ErrPolicyNotInitialised))
			}
			if h := hint.Of(err); len(h) != 1 || (tc.next != "" && h[0] != "sbx's next step: "+tc.next) {
				t.Errorf("hint %q", h)
			}
		})
	}
	for _, other := range []string{"ERROR: unknown flag: --no-input", "ERROR: stdin is not a terminal; use --force to skip confirmation"} {
		var na *NeedsAnswerError
		if errors.As(classifyText("x", ee(other), ""), &na) {
			t.Errorf("%q read as a question under --no-input", other)
		}
	}
	// An error on stdout (the 0.48 migration's open question) is read.
	if err := classifyText("x", ee(""), "ERROR: You are not authenticated to Docker"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("not logged in on stdout: %v", err)
	}
}

func TestRetiredAgent(t *testing.T) {
	c055 := Capabilities{Version: Version{0, 55, 0}}
	var re *RetiredAgentError
	if err := c055.RequireAgent("gemini"); !errors.As(err, &re) || err.Error() != "sbx 0.55.0 no longer runs the gemini agent (retired in sbx 0.53.0)" {
		t.Errorf("0.55 gemini: %v", err)
	}
	for _, ok := range []error{c055.RequireAgent("claude"), Capabilities{Version: Version{0, 52, 9}}.RequireAgent("gemini")} {
		if ok != nil {
			t.Errorf("refused: %v", ok)
		}
	}
	for text, want := range map[string]bool{
		"ERROR: the gemini agent has been retired; choose another agent: claude": true,
		`ERROR: unknown agent "gemini"`:                                          true,
		"Error: agent gemini is no longer available":                             true,
		`ERROR: unknown agent "claude"`:                                          false,
		"ERROR: gemini: network policy has not been initialized":                 false,
	} {
		if refusesAgent(text, "gemini") != want {
			t.Errorf("refusesAgent(%q) = %v", text, !want)
		}
	}
}

func TestArgRule(t *testing.T) {
	if (Capabilities{Version: Version{0, 52, 0}}).ArgRule() != sbxspec.ArgsWordReplaces ||
		(Capabilities{Version: Version{0, 53, 0}}).ArgRule() != sbxspec.ArgsEntrypointKept {
		t.Error("the rule changes at 0.53")
	}
	def := []string{"chat", "--trust-all-tools"}
	for _, tc := range []struct {
		rule sbxspec.ArgRule
		args []string
		want []string
	}{
		{sbxspec.ArgsWordReplaces, nil, def},
		{sbxspec.ArgsWordReplaces, []string{"-v"}, []string{"chat", "--trust-all-tools", "-v"}},
		{sbxspec.ArgsWordReplaces, []string{"explain", "-v"}, []string{"explain", "-v"}},
		{sbxspec.ArgsEntrypointKept, []string{"explain"}, []string{"chat", "--trust-all-tools", "explain"}},
	} {
		if got := tc.rule.Merge(def, tc.args); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v.Merge(%q) = %q, want %q", tc.rule, tc.args, got, tc.want)
		}
	}
}

func TestParseSettings(t *testing.T) {
	for in, want := range map[string]map[string]Setting{
		`[{"key":"proxy","value":"http://p:3128","type":"string","source":"override","default":""},{"key":"ssh.agentForwardingEnabled","value":true,"source":"default"}]`: {
			"proxy": {Key: "proxy", Value: "http://p:3128", Source: "override"}, "ssh.agentForwardingEnabled": {Key: "ssh.agentForwardingEnabled", Value: "true", Source: "default"}},
		"notice: update available\n{\"settings\": [{\"name\": \"proxy\", \"effective\": null}]}": {"proxy": {Key: "proxy"}},
		`[]`: {},
	} {
		got, err := ParseSettings([]byte(in))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseSettings(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{`[{"value":1}]`, "ERROR: boom", `{"settings":3}`} {
		if _, err := ParseSettings([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for v, want := range map[string][2]bool{"true": {true, true}, "False": {false, true}, "1": {false, false}} {
		if b, ok := (Setting{Value: v}).Bool(); b != want[0] || ok != want[1] {
			t.Errorf("Bool(%q) = %v, %v", v, b, ok)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://user:secret@proxy.corp:3128": "http://…@proxy.corp:3128",
		"socks5h://a@b@p:1080/x":             "socks5h://…@p:1080/x",
		"user:secret@proxy:3128":             "…@proxy:3128",
		"http://proxy.corp:3128":             "http://proxy.corp:3128",
		"pac+https://h/proxy.pac?u=a@b":      "pac+https://h/proxy.pac?u=a@b",
		"system":                             "system",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A cache that says --no-input where the sbx behind the same path refuses
// it (a shim whose target changed): the command runs again without it,
// and the cache is corrected.
func TestNoInputStaleCache(t *testing.T) {
	fake, dir, log := fakeSbx(t, `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
for a in "$@"; do [ "$a" = --no-input ] && { echo "ERROR: unknown flag: --no-input" >&2; exit 1; }; done
echo stopped
`)
	c := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 10 * time.Second, CacheDir: filepath.Join(dir, "cache")}
	c.writeCache(capsKey(fake), Capabilities{Version: Version{0, 55, 0}, Clone: true, NoInput: true})
	for range 2 {
		if err := c.Stop(context.Background(), "box"); err != nil {
			t.Fatal(err)
		}
	}
	calls, _ := os.ReadFile(log)
	if string(calls) != "stop box --no-input\nstop box\nstop box\n" {
		t.Errorf("calls:\n%s", calls)
	}
	if caps, ok := c.readCache(capsKey(fake)); !ok || caps.NoInput || !caps.Clone {
		t.Errorf("cache %+v, %v", caps, ok)
	}
}
