package sandboxref

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

func TestParseURL(t *testing.T) {
	good := map[string]Target{
		"airlock://box":                        {Sandbox: "box"},
		"airlock://box/":                       {Sandbox: "box"},
		"airlock://box/home/u/repo":            {Sandbox: "box", Path: "/home/u/repo"},
		"airlock://box/home/u/my%20repo":       {Sandbox: "box", Path: "/home/u/my repo"},
		"airlock://claude-x.y/d%C3%A9p%C3%B4t": {Sandbox: "claude-x.y", Path: "/dépôt"},
	}
	for in, want := range good {
		got, err := ParseURL(in)
		if err != nil || got != want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParseURL(got.URL()); err != nil || back != got {
			t.Errorf("round trip of %q: %+v %v", in, back, err)
		}
	}
	for _, bad := range []string{"airlock://-rf/x", "airlock://a/x", "airlock://box/../etc", "airlock://box/a/../b",
		"http://box/x", "airlock:box", "airlock://@box/x", "airlock://box:22/x", "airlock://box/x?y", "airlock://box/a%0Ab", "airlock://bo%20x/a"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
}

func TestOwns(t *testing.T) {
	if _, ok := Owns("airlock-box", "airlock://box/r"); !ok {
		t.Error("own remote not recognised")
	}
	for _, c := range [][2]string{{"airlock-other", "airlock://box/r"}, {"origin", "airlock://box/r"}, {"airlock-box", "https://example.com/r"}} {
		if _, ok := Owns(c[0], c[1]); ok {
			t.Errorf("Owns(%q, %q)", c[0], c[1])
		}
	}
}

func TestRemovedRefs(t *testing.T) {
	ref := Removed(Removal("box", 2), "agent/work")
	if ref != "refs/airlock/removed/box@2/agent/work" {
		t.Fatal(ref)
	}
	if sb, rm, br, ok := ParseRemoved(ref); !ok || sb != "box" || rm != "box@2" || br != "agent/work" {
		t.Fatalf("ParseRemoved(%q) = %q %q %q %v", ref, sb, rm, br, ok)
	}
	// Refs kept before removals were numbered still parse.
	if sb, rm, br, ok := ParseRemoved("refs/airlock/removed/box/agent/work"); !ok || sb != "box" || rm != "box" || br != "agent/work" {
		t.Fatalf("legacy = %q %q %q %v", sb, rm, br, ok)
	}
	if got := Superseded("box@1", strings.Repeat("ab", 20)); got != "refs/airlock/removed/box@1/superseded/abababababab" {
		t.Fatal(got)
	}
	for _, bad := range []string{"refs/remotes/airlock-box/main", "refs/airlock/removed/box", "refs/airlock/removed//x",
		"refs/airlock/removed/@1/x", "refs/airlock/removed/box@/x", "refs/airlock/removed/box@0/x", "refs/airlock/removed/box@01/x"} {
		if _, _, _, ok := ParseRemoved(bad); ok {
			t.Errorf("ParseRemoved(%q) accepted", bad)
		}
	}
}

// The user's cycle: run, rm, run, rm with one default name. Each removal
// takes a new id, whatever else is kept.
func TestNextRemoval(t *testing.T) {
	kept := map[string]string{}
	if got := NextRemoval("box", kept); got != "box@1" {
		t.Fatal(got)
	}
	kept[Removed("box@1", "main")] = "x"
	kept[Removed("box", "legacy")] = "x"
	kept[Removed("box@9", "main")] = "x"
	kept[Removed("other@12", "main")] = "x"
	if got := NextRemoval("box", kept); got != "box@10" {
		t.Fatal(got)
	}
}

func TestDefaultName(t *testing.T) {
	a, b := DefaultName("claude", "/home/u/repo"), DefaultName("claude", "/srv/repo")
	if a == b || !strings.HasPrefix(a, "claude-repo-") || len(a) != len("claude-repo-")+6 {
		t.Fatalf("%q %q", a, b)
	}
	long := DefaultName("docker-agent", "/x/"+strings.Repeat("Very Long Folder ", 10))
	if err := sbxspec.ValidateName(long); err != nil {
		t.Fatalf("%q: %v", long, err)
	}
	if n := DefaultName("codex", "/"); sbxspec.ValidateName(n) != nil {
		t.Fatalf("root folder: %q", n)
	}
}

func TestAcceptance(t *testing.T) {
	a := Acceptance{Sandbox: "box", Commit: strings.Repeat("c", 40), Time: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), Count: 2, Rules: []string{"ci", "symlink"}}
	s := a.String()
	if s != "box "+a.Commit+" 2026-11-27T12:00:00Z 2 ci,symlink" {
		t.Fatal(s)
	}
	back, ok := ParseAcceptance(s)
	if !ok || back.String() != s {
		t.Fatalf("round trip: %+v %v", back, ok)
	}
	if a.Detail() != a.Commit+" 2026-11-27T12:00:00Z 2 ci,symlink" {
		t.Fatal(a.Detail())
	}
	for _, bad := range []string{"", "box c", "box c notatime 2 ci", "box c 2026-11-27T12:00:00Z x ci"} {
		if _, ok := ParseAcceptance(bad); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

// FuzzParseURL: whatever is accepted is safe to hand to sbx and git, and
// renders back to a URL that parses to the same target.
func FuzzParseURL(f *testing.F) {
	f.Add("airlock://box/home/u/repo")
	f.Add("airlock://box/")
	f.Add("airlock://claude-x.y/d%C3%A9p%C3%B4t")
	f.Add("airlock://box@me@server:2222/home/u/repo")
	f.Add("airlock://box@[::1]:22")
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseURL(s)
		if err != nil {
			return
		}
		if sbxspec.ValidateName(tg.Sandbox) != nil {
			t.Fatalf("%q accepted an invalid sandbox name %q", s, tg.Sandbox)
		}
		if tg.Path != "" && (!path.IsAbs(tg.Path) || path.Clean(tg.Path) != tg.Path) {
			t.Fatalf("%q accepted an unclean path %q", s, tg.Path)
		}
		if strings.ContainsFunc(tg.Path, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("%q accepted a control character in %q", s, tg.Path)
		}
		back, err := ParseURL(tg.URL())
		if err != nil || back != tg {
			t.Fatalf("%q: %+v renders as %q, which parses to %+v, %v", s, tg, tg.URL(), back, err)
		}
		if own, ok := Owns(Remote(tg.Sandbox), tg.URL()); !ok || own != tg {
			t.Fatalf("%q: not owned by its own remote", s)
		}
	})
}

func TestRemovalRecord(t *testing.T) {
	at := time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC)
	rec := RemovalRecord{Removal: "box@2", Time: at, Agent: "claude", Base: "main"}
	key := RemovalRecordKey(rec.Removal)
	if key != "airlock.removed/box@2.at" {
		t.Fatalf("key = %q", key)
	}
	got, ok := ParseRemovalRecord(key, rec.String())
	if !ok || got != rec {
		t.Fatalf("round trip: %+v %v", got, ok)
	}
	for _, bad := range []struct{ key, value string }{
		{"airlock.acceptedRisk", rec.String()},
		{"airlock.removed/.at", rec.String()},
		{key, "yesterday claude main"},
		{key, "2026-11-27T13:00:00Z claude"},
	} {
		if _, ok := ParseRemovalRecord(bad.key, bad.value); ok {
			t.Errorf("ParseRemovalRecord(%q, %q) accepted", bad.key, bad.value)
		}
	}
	unknown, ok := ParseRemovalRecord(key, RemovalRecord{Time: at}.String())
	if !ok || unknown.Agent != "" || unknown.Base != "" {
		t.Errorf("dashes: %+v %v", unknown, ok)
	}
}

func FuzzParseRemovalRecord(f *testing.F) {
	f.Add("airlock.removed/box@1.at", "2026-11-27T13:00:00Z claude main")
	f.Fuzz(func(t *testing.T, key, value string) {
		r, ok := ParseRemovalRecord(key, value)
		if !ok {
			return
		}
		again, ok := ParseRemovalRecord(RemovalRecordKey(r.Removal), r.String())
		if !ok || !again.Time.Equal(r.Time) || again.Agent != r.Agent || again.Base != r.Base {
			t.Errorf("%q %q: round trip %+v != %+v", key, value, again, r)
		}
	})
}

func TestHostURL(t *testing.T) {
	for _, tc := range []struct {
		t   Target
		url string
	}{
		{Target{Sandbox: "box", Host: "server"}, "airlock://box@server"},
		{Target{Sandbox: "box", Host: "me@server:2222", Path: "/home/agent/my repo"}, "airlock://box@me@server:2222/home/agent/my%20repo"},
		{Target{Sandbox: "box", Host: "[::1]:22", Path: "/w"}, "airlock://box@[::1]:22/w"},
		{Target{Sandbox: "box", Path: "/w"}, "airlock://box/w"},
	} {
		if got := tc.t.URL(); got != tc.url {
			t.Errorf("%+v.URL() = %q, want %q", tc.t, got, tc.url)
		}
		back, err := ParseURL(tc.url)
		if err != nil || back != tc.t {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.url, back, err, tc.t)
		}
	}
	for _, bad := range []string{"airlock://box@-oProxyCommand=x/w", "airlock://box@ser%20ver/w", "airlock://box@/w",
		"airlock://box@server:0/w", "airlock://-box@server/w", "airlock://box@server;id/w", "airlock://box@server/rel/../x"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
}

// TestDefaultGroupBase: a default sandbox name without its agent, cut so
// that the longest agent and count still fit sbx's 63 bytes.
func TestDefaultGroupBase(t *testing.T) {
	short := "/home/u/my-repo"
	if got, want := DefaultGroupBase(short), strings.TrimPrefix(DefaultName("x", short), "x-"); got != want {
		t.Errorf("DefaultGroupBase(%q) = %q, want %q", short, got, want)
	}
	long := "/home/u/" + strings.Repeat("very-long-folder-name", 5)
	got := DefaultGroupBase(long)
	if len(got) > 63-24 || !strings.HasPrefix(got, "very-long-folder-name") || !strings.HasSuffix(got, DefaultName("x", long)[len(DefaultName("x", long))-7:]) {
		t.Errorf("DefaultGroupBase(long) = %q", got)
	}
}
