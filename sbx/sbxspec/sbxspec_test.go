package sbxspec

import (
	"strings"
	"testing"
)

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

// FuzzValidateName: an accepted name can never be read as a flag or a
// path and is made of sbx's characters only; a sanitized folder name of a
// valid length is always accepted, and sanitizing is idempotent.
func FuzzValidateName(f *testing.F) {
	f.Add("claude-x")
	f.Add("My Repo (v2)!")
	f.Add("--")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateName(s) == nil {
			if len(s) < 2 || len(s) > 63 || !alnum(s[0]) || !alnum(s[len(s)-1]) || strings.ContainsAny(s, "/ \n\x00") {
				t.Fatalf("%q accepted", s)
			}
		}
		n := SanitizeName(s)
		if SanitizeName(n) != n {
			t.Fatalf("SanitizeName not idempotent: %q -> %q -> %q", s, n, SanitizeName(n))
		}
		if len(n) >= 2 && len(n) <= 63 && n != "default" {
			if err := ValidateName(n); err != nil {
				t.Fatalf("SanitizeName(%q) = %q, rejected: %v", s, n, err)
			}
		}
	})
}
