package remote

import (
	"errors"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
)

func TestHelperConfig(t *testing.T) {
	e := func(k, v string) gitx.ConfigEntry { return gitx.ConfigEntry{Key: k, Value: v} }
	tests := []struct {
		name    string
		entries []gitx.ConfigEntry
		err     error
		want    helperConfig
	}{
		{"unset", nil, nil, helperConfig{v2: true, wakeOnFetch: true, limits: DefaultLimits, sshShare: true}},
		{"unreadable", nil, errors.New("boom"), helperConfig{wakeOnFetch: true, limits: DefaultLimits, sshShare: true}},
		{"last wins", []gitx.ConfigEntry{e("protocol.version", "2"), e("protocol.version", "1"),
			e("airlock.timeout", "5s"), e("airlock.timeout", "nonsense"),
			e("airlock.wakeonfetch", "false"), e("remote.airlock-box.airlocksbx", "/opt/sbx")},
			nil, helperConfig{v2: false, wakeOnFetch: false, sbxPath: "/opt/sbx", limits: DefaultLimits, sshShare: true}},
		{"timeout", []gitx.ConfigEntry{e("airlock.timeout", "90s"), e("airlock.wakeonfetch", "maybe")},
			nil, helperConfig{v2: true, wakeOnFetch: true, timeout: 90 * time.Second, limits: DefaultLimits, sshShare: true}},
		{"no value is true", []gitx.ConfigEntry{{Key: "airlock.wakeonfetch", NoValue: true}},
			nil, helperConfig{v2: true, wakeOnFetch: true, limits: DefaultLimits, sshShare: true}},
		{"other remote", []gitx.ConfigEntry{e("remote.airlock-other.airlocksbx", "/x")},
			nil, helperConfig{v2: true, wakeOnFetch: true, limits: DefaultLimits, sshShare: true}},
		{"limits and names", []gitx.ConfigEntry{e("airlock.maxrefs", "10k"), e("airlock.maxrefbytes", "-1"),
			e("remote.origin.url", "https://x"), e("remote.a.b.url", "airlock://b"), e("core.ignorecase", "true")},
			nil, helperConfig{v2: true, wakeOnFetch: true, limits: Limits{Refs: 10 << 10, Bytes: DefaultLimits.Bytes},
				remotes: []string{"origin", "a.b"}, foldCase: true, sshShare: true}},
		{"pruneTags from fetch", []gitx.ConfigEntry{e("fetch.prunetags", "true"), e("remote.airlock-other.prunetags", "false")},
			nil, helperConfig{v2: true, wakeOnFetch: true, limits: DefaultLimits, sshShare: true, fetchPrune: true}},
		{"the remote's pruneTags wins", []gitx.ConfigEntry{e("fetch.prunetags", "true"), e("remote.airlock-box.prunetags", "false")},
			nil, helperConfig{v2: true, wakeOnFetch: true, limits: DefaultLimits, sshShare: true, fetchPrune: true, remotePrune: new(false)}},
		{"ssh", []gitx.ConfigEntry{e("airlock.sshcommand", "ssh -F /cfg"), e("airlock.sshshare", "false")},
			nil, helperConfig{v2: true, wakeOnFetch: true, sshCommand: "ssh -F /cfg", limits: DefaultLimits}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newHelperConfig("airlock-box", tt.entries, tt.err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHelperConfigPruneTags(t *testing.T) {
	for _, tc := range []struct {
		c    helperConfig
		want PruneTags
	}{
		{helperConfig{}, PruneTags{}},
		{helperConfig{fetchPrune: true}, PruneTags{On: true}},
		{helperConfig{fetchPrune: true, remotePrune: new(false)}, PruneTags{RemoteSet: true}},
		{helperConfig{remotePrune: new(true)}, PruneTags{On: true, RemoteSet: true}},
	} {
		if got := tc.c.pruneTags(); got != tc.want {
			t.Errorf("%+v: got %+v, want %+v", tc.c, got, tc.want)
		}
	}
}

func TestHelperConfigPattern(t *testing.T) {
	checkPattern(t, helperConfigPattern("airlock-a.b"), map[string]bool{
		"protocol.version":                    true,
		"airlock.timeout":                     true,
		"airlock.wakeonfetch":                 true,
		"airlock.sshcommand":                  true,
		"airlock.sshshare":                    true,
		"remote.airlock-a.b.airlocksbx":       true,
		"remote.airlock-a.b.fetch":            true,
		"remote.airlock-a.b.followremotehead": true,
		"remote.airlock-aXb.fetch":            false,
		"airlock.agent":                       false,
		"remote.origin.url":                   true,
		"core.ignorecase":                     true,
		"airlock.maxrefs":                     true,
		"airlock.maxrefbytes":                 true,
		"remote.origin.pushurl":               false,
		"fetch.prunetags":                     true,
		"remote.airlock-a.b.prunetags":        true,
		"remote.origin.prunetags":             false,
	})
}

// Outside a repository (git ls-remote airlock://box@server) the helper
// reads the user's settings for reaching the server and bounding the
// advertisement too, not only protocol.version.
func TestUserConfigPattern(t *testing.T) {
	checkPattern(t, userConfigPattern, map[string]bool{
		"protocol.version":    true,
		"airlock.sshcommand":  true,
		"airlock.sshshare":    true,
		"airlock.maxrefs":     true,
		"airlock.maxrefbytes": true,
		"airlock.timeout":     false,
		"remote.origin.url":   false,
		"xprotocol.version":   false,
		"airlock.sshcommandx": false,
	})
}

// checkPattern asserts which config keys pattern matches.
func checkPattern(t *testing.T, pattern string, keys map[string]bool) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for key, want := range keys {
		if got := re.MatchString(key); got != want {
			t.Errorf("%s: got %v, want %v", key, got, want)
		}
	}
}
