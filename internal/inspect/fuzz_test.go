package inspect

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
)

// FuzzParseNpmManifest: whatever the bytes, reading them as npm does
// does not panic, and a manifest it accepts yields a script table.
func FuzzParseNpmManifest(f *testing.F) {
	f.Add([]byte(`{"scripts":{"postinstall":"x"},"Scripts":{}}`))
	f.Add([]byte("\xef\xbb\xbf{\"scripts\":{\"a\":1,\"a\":2}}"))
	f.Add([]byte(`{"scripts":[1,2],"scripts":{"prepare":"y"}} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := parseNpmManifest(b); err == nil && m.scripts == nil {
			t.Fatalf("%q: accepted without a script table", b)
		}
		_ = packageScripts(nil, b)
	})
}

// FuzzResolveLinks: resolution ends (no loop runs forever), and what it
// calls inside never climbs above the top level.
func FuzzResolveLinks(f *testing.F) {
	f.Add("a/b", "..", "up", "a/b/../..", "up/x")
	f.Add("a", "b", "b", "a", "a/c")
	f.Add(".vscode", "cfg", "x", "/etc", ".vscode/tasks.json")
	f.Fuzz(func(t *testing.T, l1, t1, l2, t2, p string) {
		l := &links{target: map[string]string{l1: t1, l2: t2}}
		resolved, why := l.resolve(p)
		if why == "" && (resolved == ".." || strings.HasPrefix(resolved, "../") || strings.HasPrefix(resolved, "/")) {
			t.Fatalf("resolve(%q) = %q, inside", p, resolved)
		}
	})
}

// FuzzInspectManifests: content checks on any bytes neither fail nor panic.
func FuzzInspectManifests(f *testing.F) {
	f.Add("package.json", []byte(`{"scripts":{"postinstall":"x"}}`))
	f.Add("pyproject.toml", []byte("build-system = {build-backend = 'x'}"))
	f.Add("Cargo.toml", []byte("[package]\nbuild = 'x'"))
	f.Add(".vscode/settings.json", []byte(`{"git.path": "x"}`))
	f.Fuzz(func(t *testing.T, p string, b []byte) {
		m := memBlobs{}
		c := gitx.TreeChange{Status: 'A', Path: p, NewMode: gitx.ModeFile, OldHash: zeroHash, NewHash: m.put(string(b))}
		if p == "" || strings.EqualFold(p, ".gitmodules") {
			return // needs git; covered by TestParserDifferences
		}
		if _, err := Inspect([]gitx.TreeChange{c}, m, Options{}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzHostsMatchesTheRegexp: the byte scan finds every host the regular
// expression it replaced found (that one was too slow on lockfiles of
// MiBs); it may find more, where one URL's text holds another
// ("ssh://http://x").
func FuzzHostsMatchesTheRegexp(f *testing.F) {
	ref := regexp.MustCompile(`(?:https?|git\+https?|git\+ssh|ssh|git)://(?:[^@/\s"']+@)?([A-Za-z0-9.-]+)`)
	f.Add([]byte(`"resolved": "https://registry.npmjs.org/a/-/a-1.tgz" source = "registry+https://github.com/rust-lang/crates.io-index"`))
	f.Add([]byte(`git+ssh://git@github.com:x/y.git ssh://u@h/x ftp://x.example "git://Evil.Example/x" https://a@b@c/`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if bytes.ContainsAny(b, "\f\v") {
			return // \s in the regexp; lockfiles do not use them in URLs
		}
		want := map[string]bool{}
		for _, sub := range ref.FindAllSubmatch(b, -1) {
			want[strings.ToLower(string(sub[1]))] = true
		}
		got := hosts(b)
		for h := range want {
			if !got[h] {
				t.Fatalf("%q: hosts %v, the regexp %v", b, got, want)
			}
		}
	})
}

// FuzzAttributeProbes: any .gitattributes yields probes inside the file's
// directory, one per pattern line at most, and Key never panics on them.
func FuzzAttributeProbes(f *testing.F) {
	f.Add([]byte("*.bin filter=x\n\"a b\" diff=y\n[attr]m merge=z\n[!a]*.c m\n"))
	f.Add([]byte("\"unterminated\n\\\n[\n**/\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		probes := AttributeProbes("sub/.gitattributes", b)
		if len(probes) > bytes.Count(b, []byte("\n"))+1 {
			t.Fatalf("%d probes from %d lines", len(probes), bytes.Count(b, []byte("\n"))+1)
		}
		for p := range probes {
			if !strings.HasPrefix(p, "sub/") {
				t.Fatalf("probe %q outside the file's directory", p)
			}
			_ = Key(p)
		}
	})
}

// FuzzKey: Key is idempotent (a key is its own key), so both sides of a
// match can be keyed in any order.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"Package.json.", ".git\u200chub/x", "cafe\u0301", "GITHUB~1", "a\\b:c", "Ma\u212aefile", "\ufb01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if k := Key(s); Key(k) != k {
			t.Fatalf("Key(%q) = %q, Key of that = %q", s, k, Key(k))
		}
	})
}
