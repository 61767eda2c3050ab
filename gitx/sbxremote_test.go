package gitx

import (
	"context"
	"strings"
	"testing"
)

func TestGuardSbxRemote(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, setup string
		want        string // the sbx remote's guard keys afterwards
		writes      int
	}{
		{"no sbx remote: nothing written", "true", "", 0},
		{"rewritten by sbx: all put back", "git remote add sandbox-box git://127.0.0.1:1/x",
			"remote.sandbox-box.tagopt=--no-tags remote.sandbox-box.prunetags=false remote.sandbox-box.skipfetchall=true", 3},
		{"a tag-following value is replaced", "git remote add sandbox-box git://x && git config remote.sandbox-box.tagOpt --tags && git config remote.sandbox-box.pruneTags false && git config remote.sandbox-box.skipFetchAll true",
			"remote.sandbox-box.tagopt=--no-tags remote.sandbox-box.prunetags=false remote.sandbox-box.skipfetchall=true", 1},
		{"already guarded: no write", "git remote add sandbox-box git://x && git config remote.sandbox-box.tagOpt --no-tags && git config remote.sandbox-box.pruneTags false && git config remote.sandbox-box.skipFetchAll true",
			"remote.sandbox-box.tagopt=--no-tags remote.sandbox-box.prunetags=false remote.sandbox-box.skipfetchall=true", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, trace, sh := tracedRepo(t)
			sh(tc.setup)
			if err := GuardSbxRemote(ctx, r, "box"); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(trace.String(), " config --local "); n != tc.writes {
				t.Errorf("%d config writes, want %d:\n%s", n, tc.writes, trace)
			}
			got := sh("git config --get-regexp '^remote\\.sandbox-box\\.(tagopt|prunetags|skipfetchall)$' | tr ' \\n' '= ' || true")
			if strings.TrimSpace(got) != tc.want {
				t.Errorf("guard keys %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSbxRemoteGuarded(t *testing.T) {
	e := func(k, v string) ConfigEntry { return ConfigEntry{Key: k, Value: v} }
	guarded := []ConfigEntry{e("remote.sandbox-box.url", "git://x"), e("remote.sandbox-box.tagopt", "--no-tags"),
		e("remote.sandbox-box.prunetags", "false"), e("remote.sandbox-box.skipfetchall", "true")}
	for _, tc := range []struct {
		name    string
		entries []ConfigEntry
		want    bool
	}{
		{"no sbx remote", []ConfigEntry{e("remote.airlock-box.url", "airlock://box")}, true},
		{"rewritten by sbx", []ConfigEntry{e("remote.sandbox-box.url", "git://x")}, false},
		{"guarded", guarded, true},
		{"guarded before pruneTags was", []ConfigEntry{e("remote.sandbox-box.url", "git://x"), e("remote.sandbox-box.tagopt", "--no-tags"),
			e("remote.sandbox-box.skipfetchall", "true")}, false},
		{"last value wins", append(guarded[:len(guarded):len(guarded)], e("remote.sandbox-box.tagopt", "--tags")), false},
		{"another sandbox's", []ConfigEntry{e("remote.sandbox-boxer.url", "git://x")}, true},
	} {
		if got := SbxRemoteGuarded(tc.entries, "box"); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
