package sbx

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseList(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"object", `{"sandboxes":[{"name":"a","status":"running","ports":[{"host_ip":"127.0.0.1","host_port":5,"sandbox_port":9418,"protocol":"tcp4"}]}]}`, []string{"a:running"}},
		{"bare array", `[{"name":"a","status":"stopped"},{"name":"b","status":"running","extra":{"x":1}}]`, []string{"a:stopped", "b:running"}},
		{"leading text", "Update available: v0.47.0 [run brew upgrade]\n{\"sandboxes\":[{\"name\":\"a\",\"status\":\"running\"}]}", []string{"a:running"}},
		{"empty", "", nil},
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
	if _, err := ParseList([]byte("Error: daemon not running")); err == nil {
		t.Fatal("text without JSON accepted")
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
	for _, in := range []string{`[{"service":"anthropic","scope":"global"}]`, `{"secrets":[{"service":"anthropic","scope":"global"}]}`} {
		list, err := parseSecrets([]byte(in))
		if err != nil || len(list) != 1 || list[0].Service != "anthropic" {
			t.Errorf("%s: %v %v", in, list, err)
		}
	}
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
	f.Fuzz(func(t *testing.T, lead, spec string, raw []byte) {
		// Not covered: a text line that itself starts with "[" or "{"
		// ("[warn] x\n[]" is an error), and JSON indented as a whole.
		lead = strings.TrimLeft(strings.ReplaceAll(lead, "\n", " "), "[{ \t\r")
		var want []Sandbox
		for i, rec := range strings.Split(spec, "\x1e") {
			want = append(want, sandboxRow(i, strings.Split(strings.ToValidUTF8(rec, ""), "\x1f")))
		}
		for _, shape := range []any{want, map[string]any{"sandboxes": want}} {
			compact, _ := json.Marshal(shape)
			indented, _ := json.MarshalIndent(shape, "", "  ")
			for _, js := range [][]byte{compact, indented} {
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
