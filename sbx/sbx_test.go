package sbx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
)

func TestParseList(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"object", `{"sandboxes":[{"name":"a","status":"running","ports":[{"host_ip":"127.0.0.1","host_port":5,"sandbox_port":9418,"protocol":"tcp4"}]}]}`, []string{"a:running"}},
		{"bare array", `[{"name":"a","status":"stopped"},{"name":"b","status":"running","extra":{"x":1}}]`, []string{"a:stopped", "b:running"}},
		{"leading text", "Update available: v0.47.0 [run brew upgrade]\n{\"sandboxes\":[{\"name\":\"a\",\"status\":\"running\"}]}", []string{"a:running"}},
		{"leading lines like JSON", "[warn] update available\n{sic}\n[] and more\n{\"sandboxes\":[{\"name\":\"a\",\"status\":\"running\"}]}", []string{"a:running"}},
		{"indented", "  {\n    \"sandboxes\": [\n      {\"name\": \"a\", \"status\": \"unresponsive\"}\n    ]\n  }\n", []string{"a:unresponsive"}},
		{"0.45 row", `{"sandboxes":[{"name":"a","agent":"claude","status":"running","created_at":"2026-10-01T00:00:00Z","last_used_at":1759276800,"cpus":"4","memory":{"mb":8192},"workspaces":"/w","ports":[{"host_ip":"127.0.0.1","host_port":"8080","sandbox_port":9418,"protocol":"tcp4"}]}]}`, []string{"a:running"}},
		{"empty object", `{"sandboxes":[]}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := ParseList([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range list {
				got = append(got, s.Name+":"+s.Status)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	for _, bad := range []string{"Error: daemon not running", `{"error":"daemon down"}`, `[1,2]`, `{"sandboxes":3}`} {
		if _, err := ParseList([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	list, err := ParseList([]byte(`{"sandboxes":[{"name":"a","workspaces":"/w","ports":[{"host_ip":"127.0.0.1","host_port":"8080","sandbox_port":9418}]}]}`))
	want := []Sandbox{{Name: "a", Workspaces: []string{"/w"}, Ports: []Port{{HostIP: "127.0.0.1", HostPort: 8080, SandboxPort: 9418}}}}
	if err != nil || !reflect.DeepEqual(list, want) {
		t.Errorf("numbers as strings: got %+v, %v; want %+v", list, err, want)
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]Version{
		"sbx version: v0.46.0\n":                             {0, 46, 0},
		"sbx version: v0.31.1\nUpdate available → v0.47.2\n": {0, 31, 1},
		"0.40.3": {0, 40, 3},
	} {
		got, ok := ParseVersion(in)
		if !ok || got != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := ParseVersion("no digits"); ok {
		t.Error("no version accepted")
	}
	if !(Version{0, 30, 9}).Less(MinVersion) || MinVersion.Less(Version{0, 31, 1}) {
		t.Error("ordering")
	}
}

func TestParseSecrets(t *testing.T) {
	tests := []struct{ in, want string }{
		{`[{"service":"anthropic","scope":"global"}]`, "anthropic@global"},
		{`{"secrets":[{"service":"anthropic","scope":"sandbox:box"}]}`, "anthropic@sandbox:box"},
		// 0.42+: name, type, and the bare sandbox name as scope.
		{`{"secrets":[{"scope":"global","type":"api-key","name":"anthropic"},{"scope":"box","type":"oauth","name":"openai"}],"custom_secrets":[]}`,
			"anthropic@global openai@sandbox:box"},
		{"Update available: v0.48.0\n{\n  \"secrets\": [],\n  \"custom_secrets\": [{\"name\": \"X\"}]\n}", ""},
		{"", ""},
	}
	for _, tc := range tests {
		list, err := parseSecrets([]byte(tc.in))
		var got []string
		for _, s := range list {
			got = append(got, s.Service+"@"+s.Scope)
		}
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%s: got %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseSecrets([]byte("ERROR: unknown flag: --json")); err == nil {
		t.Error("an error text accepted as an empty list")
	}
}

// FuzzParseSecrets: rows built from the fuzzed spec (records split by
// \x1e: service \x1f scope kind: g global, s sandbox, anything else none)
// printed in the 0.42+ shape and in the older one, after a text line,
// parse back to the same services with normalised scopes.
func FuzzParseSecrets(f *testing.F) {
	f.Add("Update available", "anthropic\x1fg\x1eopenai\x1fs")
	f.Add("[warn] x", "\x1f")
	f.Fuzz(func(t *testing.T, lead, spec string) {
		lead = strings.ReplaceAll(lead, "\n", " ")
		if json.Valid([]byte(lead)) {
			lead = "x" + lead // a line that is itself an answer would be one
		}
		var want []Secret
		var rowsNew, rowsOld []map[string]string
		for i, rec := range strings.Split(strings.ToValidUTF8(spec, ""), "\x1e") {
			service, kind, _ := strings.Cut(rec, "\x1f")
			scopeNew, scope := "", ""
			switch kind {
			case "g":
				scopeNew, scope = "global", "global"
			case "s":
				name := fmt.Sprintf("box%d", i)
				scopeNew, scope = name, "sandbox:"+name
			}
			want = append(want, Secret{Service: service, Scope: scope})
			rowsNew = append(rowsNew, map[string]string{"scope": scopeNew, "type": "api-key", "name": service})
			rowsOld = append(rowsOld, map[string]string{"service": service, "scope": scope})
		}
		for _, shape := range []any{map[string]any{"secrets": rowsNew, "custom_secrets": []any{}}, rowsOld, map[string]any{"secrets": rowsOld}} {
			compact, _ := json.Marshal(shape)
			indented, _ := json.MarshalIndent(shape, "  ", "  ")
			for _, js := range [][]byte{compact, indented} {
				out := append([]byte(lead+"\n"), js...)
				got, err := parseSecrets(out)
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("round trip of %q:\n got %+v, %v\nwant %+v", out, got, err, want)
				}
			}
		}
	})
}

// FuzzParseList checks two properties. Round trip: rows built from the
// fuzzed spec (records split by \x1e, fields by \x1f: name, agent,
// status, workspaces split by \x1d), marshalled in both shapes sbx may
// print, compact and indented, after a non-JSON text line, parse back to
// themselves. And whatever it accepts, marshalled again, parses back to
// the same rows.
func FuzzParseList(f *testing.F) {
	f.Add("Update available: v0.47.0 [run brew upgrade]", "a\x1fclaude\x1frunning\x1f/w\x1db", []byte(`{"sandboxes":[{"name":"a"}]}`))
	f.Add("", "b\x1ecodex-2", []byte("x\n[{\"name\":\"b\"}]"))
	f.Add("warning: {sic}", "\x1e", []byte(`[{}]`))
	f.Add("[warn] x", "a", []byte("[] x\n{\"sandboxes\":[{\"name\":\"a\",\"ports\":[{\"host_port\":\"80\"}]}]}"))
	f.Add("{sic}", "a\x1fclaude\x1funresponsive", []byte("  [\n    {\"name\": 5}\n  ]"))
	f.Fuzz(func(t *testing.T, lead, spec string, raw []byte) {
		// A text line that is itself a whole JSON value would be the
		// answer; sbx's text lines are not.
		lead = strings.ReplaceAll(lead, "\n", " ")
		if json.Valid([]byte(lead)) {
			lead = "x" + lead
		}
		var want []Sandbox
		for i, rec := range strings.Split(spec, "\x1e") {
			want = append(want, sandboxRow(i, strings.Split(strings.ToValidUTF8(rec, ""), "\x1f")))
		}
		for _, shape := range []any{want, map[string]any{"sandboxes": want}} {
			compact, _ := json.Marshal(shape)
			indented, _ := json.MarshalIndent(shape, "  ", "  ")
			for _, js := range [][]byte{compact, indented, append([]byte("  "), indented...)} {
				out := js
				if lead != "" {
					out = append([]byte(lead+"\n"), js...)
				}
				got, err := ParseList(out)
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("round trip of %q:\n got %+v, %v\nwant %+v", out, got, err, want)
				}
			}
		}

		list, err := ParseList(raw)
		if err != nil || len(list) == 0 {
			return
		}
		// Not asserted: a non-empty Name. `[{}]` gives one row named "".
		js, _ := json.Marshal(list)
		again, err := ParseList(js)
		if err != nil || !reflect.DeepEqual(again, list) {
			t.Fatalf("%q parses to %+v, which marshalled parses to %+v, %v", raw, list, again, err)
		}
	})
}

// sandboxRow makes a row from fuzzed fields: name, agent, status,
// workspaces; the row's index sets its port.
func sandboxRow(i int, fields []string) Sandbox {
	field := func(j int) string {
		if j < len(fields) {
			return fields[j]
		}
		return ""
	}
	s := Sandbox{Name: field(0), Agent: field(1), Status: field(2)}
	if ws := field(3); ws != "" {
		s.Workspaces = strings.Split(ws, "\x1d")
	}
	if i%2 == 1 {
		s.Ports = []Port{{HostIP: "127.0.0.1", HostPort: 1000 + i, SandboxPort: 9418, Protocol: "tcp"}}
	}
	return s
}

// fakePolicySbx logs every call to $FAKE_LOG and answers from
// $FAKE_STATE: "set" when a default policy exists. Its version and help
// are the newest CLI's.
const fakePolicySbx = `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1 $2" in
"version "*) echo "sbx version 0.47.0" ;;
"create --help") echo "--clone" ;;
"run --help") echo "--detached" ;;
"policy --help") echo "  init" ;;
"secret set") echo "--sandbox" ;;
"policy ls")
	if [ "$(cat "$FAKE_STATE" 2>/dev/null)" = set ]; then echo "default local all balanced"; exit 0; fi
	echo "network policy has not been initialized; run 'sbx policy init <preset>'" >&2; exit 1 ;;
"policy init") echo set > "$FAKE_STATE" ;;
"policy reset") rm -f "$FAKE_STATE" ;;
"create --clone")
	if [ "$(cat "$FAKE_STATE" 2>/dev/null)" = set ]; then exit 0; fi
	echo "network policy has not been initialized" >&2; exit 1 ;;
esac
`

// The record of a chosen default policy: written when sbx says one
// exists or git-airlock sets one, believed after that without a call,
// dropped by a reset, by a call that fails for want of a policy, and by
// another sbx binary (an upgrade in place changes size and time).
// fakeSbx writes script as an sbx program in a new directory, with
// FAKE_LOG naming a file beside it for the script to log its calls to.
func fakeSbx(t *testing.T, script string) (fake, dir, log string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake sbx is a shell script")
	}
	dir = t.TempDir()
	fake, log = filepath.Join(dir, "sbx"), filepath.Join(dir, "calls")
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_LOG", log)
	return fake, dir, log
}

func TestPolicyRecord(t *testing.T) {
	ctx := context.Background()
	fake, dir, log := fakeSbx(t, fakePolicySbx)
	state := filepath.Join(dir, "state")
	t.Setenv("FAKE_STATE", state)
	c := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 10 * time.Second, CacheDir: filepath.Join(dir, "cache")}
	policyCalls := func() int {
		b, _ := os.ReadFile(log)
		_ = os.Remove(log)
		return strings.Count(string(b), "policy ls")
	}
	known := func(want bool, calls int, when string) {
		t.Helper()
		ok, err := c.PolicyKnownInitialised(ctx)
		if err != nil || ok != want {
			t.Fatalf("%s: PolicyKnownInitialised = %v, %v; want %v", when, ok, err, want)
		}
		if n := policyCalls(); n != calls {
			t.Errorf("%s: %d `policy ls`, want %d", when, n, calls)
		}
	}

	known(false, 1, "nothing chosen")
	known(false, 1, "still nothing: a false answer is never kept")
	if err := c.PolicyInit(ctx, "balanced"); err != nil {
		t.Fatal(err)
	}
	known(true, 0, "after PolicyInit")
	if err := c.PolicyReset(ctx); err != nil {
		t.Fatal(err)
	}
	known(false, 1, "after PolicyReset")

	// Set behind git-airlock's back: asked once, then believed.
	_ = os.WriteFile(state, []byte("set\n"), 0o644)
	known(true, 1, "set outside")
	known(true, 0, "the record")

	// Another binary at the same path: asked again.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(fake, later, later); err != nil {
		t.Fatal(err)
	}
	known(true, 1, "after an upgrade")

	// Reset behind git-airlock's back: the record is stale until a call
	// fails for want of a policy, which drops it.
	_ = os.Remove(state)
	known(true, 0, "a stale record")
	err := c.Create(ctx, CreateRequest{Name: "box", Agent: "claude", Path: dir})
	if !errors.Is(err, ErrPolicyNotInitialised) {
		t.Fatalf("create without a policy: %v", err)
	}
	known(false, 1, "after the failed create")
}

// An empty answer (exit 0) is no list: "no sandboxes" would make rm take
// a sandbox for gone.
func TestParseListEmptyIsAnError(t *testing.T) {
	for _, in := range []string{"", "\n  \n"} {
		if list, err := ParseList([]byte(in)); err == nil {
			t.Errorf("ParseList(%q) = %v, nil; want an error", in, list)
		}
	}
}

func TestAttaches(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want bool
	}{
		{[]string{"/usr/bin/sbx", "run", "--name", "box"}, true},
		{[]string{"sbx", "--no-input", "run", "--name=box", "--", "-p"}, true},
		{[]string{"sbx", "attach", "box"}, true},
		{[]string{"sbx", "exec", "-it", "box", "bash"}, true},
		{[]string{"sbx", "exec", "-i", "box", "git-upload-pack", "/w"}, false},
		{[]string{"sbx", "run", "--name", "boxer"}, false},
		{[]string{"sbx", "ls", "box"}, false},
		{[]string{"git", "run", "box"}, false},
	} {
		if got := attaches(tc.argv, "sbx", "box"); got != tc.want {
			t.Errorf("attaches(%q) = %v, want %v", tc.argv, got, tc.want)
		}
	}
}

// stop's missing-sandbox answer is sbx's own word that the sandbox is
// gone: a *NotFoundError, in every wording the release table knows.
func TestMissingFor(t *testing.T) {
	for _, said := range []string{"ERROR: no sandbox named 'box'", `sandbox "box" not found`} {
		err := missingFor("box", &CommandError{Subject: "stop", Err: &xec.ExitError{Argv: []string{"sbx"}, Code: 1, Stderr: said}})
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Errorf("%q: got %v, want a *NotFoundError", said, err)
		}
	}
	other := &CommandError{Subject: "stop", Err: &xec.ExitError{Argv: []string{"sbx"}, Code: 1, Stderr: "daemon busy"}}
	if err := missingFor("box", other); err != other {
		t.Errorf("another failure became %v", err)
	}
}
