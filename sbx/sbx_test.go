package sbx

import (
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

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"ab", "claude-repo-1a2b3c", "A.b-9", "x1"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "-rf", "a/b", "a b", "default", "a-", ".a", "naïve", "a\nb"} {
		if ValidateName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := SanitizeName("My Repo (v2)!"); got != "my-repo-v2" {
		t.Errorf("SanitizeName = %q", got)
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

func FuzzParseList(f *testing.F) {
	f.Add([]byte(`{"sandboxes":[{"name":"a"}]}`))
	f.Add([]byte("x\n[{\"name\":\"b\"}]"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseList(b) })
}

func FuzzValidateName(f *testing.F) {
	f.Add("claude-x")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateName(s) == nil && (s[0] == '-' || len(s) < 2) {
			t.Fatalf("%q accepted", s)
		}
	})
}
