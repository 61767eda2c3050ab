package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
)

func TestCheckHost(t *testing.T) {
	const (
		ok         = ""
		everything = "every"
		url        = "url"
		bad        = "bad"
	)
	for _, tc := range []struct {
		pattern string
		want    string
		host    string // for url
	}{
		{"api.example.com", ok, ""},
		{"*.example.com", ok, ""},
		{"**.example.com", ok, ""},
		{"api.example.com:443", ok, ""},
		{"api.example.com:*", ok, ""},
		{"10.0.0.0/8", ok, ""},
		{"192.168.1.7", ok, ""},
		{"fd00::/16", ok, ""},
		{"::1", ok, ""},
		{"[::1]:8080", ok, ""},
		{"*.com", ok, ""}, // wide, but not every host
		// Every host, however spelled.
		{"**", everything, ""},
		{"**:443", everything, ""},
		{"**.*", everything, ""},
		{"*.*", everything, ""},
		{"?*", everything, ""},
		{"*?", everything, ""},
		{"*:443", everything, ""},
		{"*.*.*", everything, ""},
		{"0.0.0.0/0", everything, ""},
		{"::/0", everything, ""},
		{"0.0.0.0/1", everything, ""},
		{"128.0.0.0/7", everything, ""},
		{"::/15", everything, ""},
		{"::ffff:0.0.0.0/96", everything, ""},
		// URLs and paths name their host.
		{"http://foo.com/x", url, "foo.com"},
		{"https://foo.com:8443/", url, "foo.com:8443"},
		{"foo.com/x", url, "foo.com"},
		// Not host patterns at all.
		{"*", bad, ""},
		{"", bad, ""},
		{"--all", bad, ""},
		{"a b", bad, ""},
		{"a.example.com,b.example.com", bad, ""},
		{`a".example.com`, bad, ""},
		{"user@example.com", bad, ""},
		{"example.com:0", bad, ""},
		{"example.com:99999", bad, ""},
		{"example.com:443:1", bad, ""},
		{":443", bad, ""},
		{"10.0.0.1/99", bad, ""},
		{"[nope]:1", bad, ""},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			err := CheckHost(tc.pattern, false)
			var he *HostError
			if err != nil && !errors.As(err, &he) {
				t.Fatalf("error %v is not a *HostError", err)
			}
			switch tc.want {
			case ok:
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if MatchesEveryHost(tc.pattern) {
					t.Errorf("MatchesEveryHost")
				}
			case everything:
				if err == nil || !he.Everything {
					t.Fatalf("error %v, want every-host refusal", err)
				}
				if err := CheckHost(tc.pattern, true); err != nil {
					t.Errorf("with --everything: %v", err)
				}
				if !MatchesEveryHost(tc.pattern) {
					t.Errorf("MatchesEveryHost false")
				}
			case url:
				if err == nil || he.Host != tc.host {
					t.Fatalf("error %v, want a URL refusal naming %q", err, tc.host)
				}
				if !strings.Contains(err.Error(), "give its host: "+tc.host) {
					t.Errorf("message %q lacks the host", err)
				}
				if CheckHost(tc.pattern, true) == nil {
					t.Errorf("accepted with --everything")
				}
			case bad:
				if err == nil || he.Everything || he.Host != "" {
					t.Fatalf("error %v, want a plain refusal", err)
				}
				if CheckHost(tc.pattern, true) == nil {
					t.Errorf("accepted with --everything")
				}
			}
		})
	}
}

// Every source of airlock.allow goes through the same check: a pattern
// that matches every host, or a URL, fails the load with its origin.
func TestHostPatternsFromEverySource(t *testing.T) {
	env := func(k, v string) func(string) (string, bool) {
		return func(name string) (string, bool) {
			if name == k {
				return v, true
			}
			return "", false
		}
	}
	file := func(v string) FileInput {
		c := []byte("allow = [\"" + v + "\"]\n")
		return FileInput{Content: c, TrustedHash: Hash(c)}
	}
	for _, p := range []string{"**", "**:443", "*.*", "?*", "0.0.0.0/0", "::/0", "http://foo.com/x"} {
		for _, tc := range []struct {
			source string
			in     Inputs
			origin string
		}{
			{"file", Inputs{File: file(p)}, "from .airlock.toml"},
			{"git config", Inputs{Git: []gitx.ConfigEntry{entry("local", "airlock.allow", p)}}, "from git config --local"},
			{"env", Inputs{Env: env("ALLOW", "ok.example.com,"+p)}, "from env ALLOW"},
		} {
			t.Run(tc.source+" "+p, func(t *testing.T) {
				_, err := Load(tc.in)
				var inv *InvalidError
				if !errors.As(err, &inv) {
					t.Fatalf("loaded: %v", err)
				}
				if !strings.Contains(err.Error(), "invalid airlock.allow "+tc.origin) || !strings.Contains(err.Error(), p) {
					t.Errorf("error %q", err)
				}
			})
		}
	}
}

func TestEnvWideningIsAnnounced(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	for _, tc := range []struct {
		name string
		in   Inputs
		want []string
	}{
		{"no env", Inputs{}, nil},
		{"ALLOW adds hosts", Inputs{Env: env(map[string]string{"ALLOW": "github.com,evil.example.com"})},
			[]string{"ALLOW from the environment widens the network allowlist: adds evil.example.com"}},
		{"ALLOW narrows", Inputs{Env: env(map[string]string{"ALLOW": "github.com"})}, nil},
		{"allow-all from env", Inputs{Env: env(map[string]string{"GLOBAL_NETWORK_POLICY": "allow-all"})},
			[]string{"GLOBAL_NETWORK_POLICY=allow-all from the environment widens sbx's default network policy (instead of balanced)"}},
		{"balanced over deny-all", Inputs{Git: []gitx.ConfigEntry{entry("local", "airlock.networkPolicy", "deny-all")},
			Env: env(map[string]string{"GLOBAL_NETWORK_POLICY": "balanced"})},
			[]string{"GLOBAL_NETWORK_POLICY=balanced from the environment widens sbx's default network policy (instead of deny-all)"}},
		{"deny-all from env", Inputs{Env: env(map[string]string{"GLOBAL_NETWORK_POLICY": "deny-all"})}, nil},
		{"allow-all already in git config", Inputs{Git: []gitx.ConfigEntry{entry("local", "airlock.networkPolicy", "allow-all")},
			Env: env(map[string]string{"GLOBAL_NETWORK_POLICY": "allow-all"})}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range s.Warnings {
				got = append(got, w.Text)
				if strings.Contains(w.Text, "\n") || w.Hint != "" {
					t.Errorf("more than one line: %+v", w)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("warnings %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzCheckHost: whatever arrives from a file or the environment, an
// accepted setting is one sbx argument that matches fewer than every host.
func FuzzCheckHost(f *testing.F) {
	for _, s := range []string{"api.example.com", "**", "**:443", "*.*", "?*", "0.0.0.0/0", "::/0", "http://foo.com/x", "[::1]:80", "::ffff:0.0.0.0/96"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		err := CheckHost(v, false)
		if err == nil {
			if MatchesEveryHost(v) || v == "" || strings.HasPrefix(v, "-") || strings.ContainsAny(v, " \t\n,;\"'@") {
				t.Errorf("accepted %q", v)
			}
		}
		if err != nil && CheckHost(v, true) == nil && !MatchesEveryHost(v) {
			t.Errorf("%q: --everything accepted a pattern refused for another reason: %v", v, err)
		}
	})
}
