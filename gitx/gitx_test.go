package gitx

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseConfigZ(t *testing.T) {
	out := []byte("local\x00file:.git/config\x00airlock.allow\na\x00global\x00file:/h/.gitconfig\x00remote.Airlock-X.URL\nairlock://x\x00local\x00file:.git/config\x00airlock.wakeonfetch\x00")
	es, err := parseConfigZ(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 3 || es[0].Value != "a" || es[1].Key != "remote.Airlock-X.url" || !es[2].NoValue {
		t.Fatalf("%+v", es)
	}
	if _, err := parseConfigZ([]byte("local\x00x")); err == nil {
		t.Fatal("short input accepted")
	}
}

func TestParseRawDiff(t *testing.T) {
	out := ":000000 100755 " + zero + " 1111111111111111111111111111111111111111 A\x00new file\x00" +
		":100644 100644 2222222222222222222222222222222222222222 2222222222222222222222222222222222222222 R100\x00old\x00dir/new\x00"
	cs, err := ParseRawDiff([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].NewMode != ModeExec || cs[0].Path != "new file" || cs[1].OldPath != "old" || cs[1].Path != "dir/new" || cs[1].Status != 'R' {
		t.Fatalf("%+v", cs)
	}
}

const zero = "0000000000000000000000000000000000000000"

// FuzzParseConfigZ checks two properties. Round trip: entries built from
// the fuzzed spec (records split by \x1e, fields by \x1f: scope, origin,
// section, name, subsection, value; no value field means no "= value"),
// printed the way `git config --show-scope --show-origin -z` prints them,
// parse back to themselves. And whatever raw bytes it accepts, re-printed,
// parse back to the same entries, with canonical, single-line keys.
func FuzzParseConfigZ(f *testing.F) {
	f.Add("local\x1ffile:.git/config\x1fairlock\x1fallow\x1f\x1fa", []byte("local\x00file:x\x00a.b\nc\x00"))
	f.Add("global\x1ffile:/h/.gitconfig\x1fremote\x1furl\x1fAirlock.X\x1fairlock://x\ny\x1ecommand\x1f\x1fairlock\x1fwakeonfetch", []byte("local\x00x"))
	f.Add("\x1e", []byte("\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, spec string, raw []byte) {
		var want []ConfigEntry
		for _, rec := range strings.Split(spec, "\x1e") {
			want = append(want, configEntry(strings.Split(rec, "\x1f")))
		}
		got, err := parseConfigZ(printConfigZ(want))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip of %q:\n got %+v, %v\nwant %+v", printConfigZ(want), got, err, want)
		}

		es, err := parseConfigZ(raw)
		if err != nil {
			return
		}
		for _, e := range es {
			if e.Key == "" || e.Key != canonicalKey(e.Key) || strings.Contains(e.Key, "\n") {
				t.Fatalf("%q gives the key %q", raw, e.Key)
			}
		}
		again, err := parseConfigZ(printConfigZ(es))
		if err != nil || !reflect.DeepEqual(again, es) {
			t.Fatalf("%q parses to %+v, which re-printed parses to %+v, %v", raw, es, again, err)
		}
	})
}

// configEntry makes a valid entry from fuzzed fields: scope, origin,
// section, name, subsection, value.
func configEntry(fields []string) ConfigEntry {
	field := func(i int) string {
		if i < len(fields) {
			return strings.NewReplacer("\x00", "", "\n", "").Replace(fields[i])
		}
		return ""
	}
	word := func(s, fallback string) string { // what git allows in section and name
		s = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
				return r
			}
			return -1
		}, strings.ToLower(s))
		if s == "" || s[0] < 'a' {
			s = fallback + s
		}
		return s
	}
	scopes := []string{"system", "global", "local", "worktree", "command"}
	e := ConfigEntry{Scope: scopes[len(field(0))%len(scopes)], Origin: field(1)}
	e.Key = word(field(2), "s")
	if sub := field(4); sub != "" {
		e.Key += "." + sub // the subsection keeps its case, dots and all
	}
	e.Key += "." + word(field(3), "k")
	if len(fields) > 5 {
		e.Value = strings.ReplaceAll(fields[5], "\x00", "") // a value may span lines
	} else {
		e.NoValue = true
	}
	return e
}

// printConfigZ prints entries as `git config --show-scope --show-origin -z`
// does: scope NUL origin NUL key [NEWLINE value] NUL.
func printConfigZ(es []ConfigEntry) []byte {
	var b bytes.Buffer
	for _, e := range es {
		b.WriteString(e.Scope + "\x00" + e.Origin + "\x00" + e.Key)
		if !e.NoValue {
			b.WriteString("\n" + e.Value)
		}
		b.WriteByte(0)
	}
	return b.Bytes()
}

// FuzzParseRawDiff checks two properties. Round trip: changes built from
// the fuzzed spec (records split by \x1e, fields by \x1f: path, old path;
// shape bytes pick status, score and modes), printed as `git diff-tree -r
// -z --raw` prints them, parse back to themselves. And whatever raw bytes
// it accepts, re-printed, parse back to the same changes, with old paths
// only for renames and copies.
func FuzzParseRawDiff(f *testing.F) {
	f.Add("p", []byte{1}, []byte(":100644 100644 a b M\x00p\x00"))
	f.Add("new file\x1ede\x1fold", []byte{0, 4, 9}, []byte(":000000 100755 "+zero+" 1 A\x00new file\x00:100644 100644 2 2 R100\x00old\x00dir/new\x00"))
	f.Fuzz(func(t *testing.T, spec string, shape, raw []byte) {
		var want []TreeChange
		for i, rec := range strings.Split(spec, "\x1e") {
			var b byte
			if i < len(shape) {
				b = shape[i]
			}
			want = append(want, treeChange(i, b, strings.Split(rec, "\x1f")))
		}
		got, err := ParseRawDiff(printRawDiff(want, true))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip of %q:\n got %+v, %v\nwant %+v", printRawDiff(want, true), got, err, want)
		}

		cs, err := ParseRawDiff(raw)
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.OldPath != "" && c.Status != 'R' && c.Status != 'C' {
				t.Fatalf("%q gives an old path for status %q", raw, c.Status)
			}
			if c.Path == "" || !strings.ContainsRune("ACDMRTUX", rune(c.Status)) {
				t.Fatalf("%q gives the path %q with status %q", raw, c.Path, c.Status)
			}
		}
		again, err := ParseRawDiff(printRawDiff(cs, false))
		if err != nil || !reflect.DeepEqual(again, cs) {
			t.Fatalf("%q parses to %+v, which re-printed parses to %+v, %v", raw, cs, again, err)
		}
	})
}

// treeChange makes a valid change from fuzzed paths; shape picks the
// status, the modes and a rename score.
func treeChange(i int, shape byte, fields []string) TreeChange {
	path := func(j, fallback string) string {
		s := strings.ReplaceAll(j, "\x00", "")
		if s == "" {
			return fallback
		}
		return s
	}
	modes := []uint32{0, ModeFile, ModeExec, ModeSymlink, ModeGitlink, 0o040000}
	c := TreeChange{
		Status:  "AMDTRCUX"[shape%8],
		Path:    path(fields[0], "p"),
		OldMode: modes[int(shape/8)%len(modes)],
		NewMode: modes[int(shape/48)%len(modes)],
		OldHash: fmt.Sprintf("%040x", i),
		NewHash: fmt.Sprintf("%040x", i+1),
	}
	if c.Status == 'R' || c.Status == 'C' {
		old := ""
		if len(fields) > 1 {
			old = fields[1]
		}
		c.OldPath = path(old, "o")
	}
	return c
}

// printRawDiff prints changes as `git diff-tree -r -z --raw` does, with a
// similarity score after R and C when score is set.
func printRawDiff(cs []TreeChange, score bool) []byte {
	var b bytes.Buffer
	for _, c := range cs {
		fmt.Fprintf(&b, ":%06o %06o %s %s %s", c.OldMode, c.NewMode, c.OldHash, c.NewHash, []byte{c.Status})
		if score && (c.Status == 'R' || c.Status == 'C') {
			b.WriteString("087")
		}
		b.WriteByte(0)
		if c.Status == 'R' || c.Status == 'C' {
			b.WriteString(c.OldPath + "\x00")
		}
		b.WriteString(c.Path + "\x00")
	}
	return b.Bytes()
}
