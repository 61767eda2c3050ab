package gitx

import "testing"

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

func FuzzParseConfigZ(f *testing.F) {
	f.Add([]byte("local\x00file:x\x00a.b\nc\x00"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseConfigZ(b) })
}

func FuzzParseRawDiff(f *testing.F) {
	f.Add([]byte(":100644 100644 a b M\x00p\x00"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseRawDiff(b) })
}
