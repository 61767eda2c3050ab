package quote

import (
	"strings"
	"testing"
)

// TestPathAsGitQuotes: git's quote_c_style, as `git ls-files` prints names
// with core.quotePath=false, plus unprintable code points escaped.
func TestPathAsGitQuotes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"src/main.go", "src/main.go"},
		{"with space.txt", "with space.txt"},
		{"café/ünï.md", "café/ünï.md"},
		{"日本語", "日本語"},
		{"tab\there", `"tab\there"`},
		{"new\nline", `"new\nline"`},
		{`back\slash`, `"back\\slash"`},
		{`dq"uote`, `"dq\"uote"`},
		{"\x1b]0;title\x07", `"\033]0;title\a"`},
		{"\x1b[2J", `"\033[2J"`},
		{"a\rb\bc", `"a\rb\bc"`},
		{"del\x7f", `"del\177"`},
		{"csi\u009b2J", `"csi\302\2332J"`},
		{"rlo\u202etxt.exe", `"rlo\342\200\256txt.exe"`},
		{"zw\u200bj", `"zw\342\200\213j"`},
		{"ls\u2028x", `"ls\342\200\250x"`},
		{"bad\xffutf8", `"bad\377utf8"`},
		{"nbsp\u00a0ok", "nbsp\u00a0ok"},
	}
	for _, tc := range tests {
		if got := Path(tc.in); got != tc.want {
			t.Errorf("Path(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`error: "x" at C:\path`, `error: "x" at C:\path`},
		{"col1\tcol2\n", "col1\tcol2\n"},
		{"\x1b]0;owned\x07\x1b[2Jhi\r\b", `\033]0;owned\a\033[2Jhi\r\b`},
		{"bidi \u202e", `bidi \342\200\256`},
	}
	for _, tc := range tests {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzNoControlReachesTheTerminal: whatever the input, the output holds no
// control character (but Text's tabs and newlines) and no unprintable code
// point, and Path's output is one line.
func FuzzNoControlReachesTheTerminal(f *testing.F) {
	for _, s := range []string{"", "a", "\x1b[2J", "é\u202e", "\xff\xfe", "\u009b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(name, out string, allowed string) {
			for _, r := range out {
				if strings.ContainsRune(allowed, r) {
					continue
				}
				if r < 0x20 || r == 0x7f || r >= 0x80 && !printable(r) {
					t.Fatalf("%s(%q) = %q holds %U", name, s, out, r)
				}
			}
		}
		check("Path", Path(s), "")
		check("Text", Text(s), "\t\n")
	})
}

func TestWriterJudgesSplitCharactersWhole(t *testing.T) {
	var b strings.Builder
	w := &Writer{W: &b}
	in := "é\u202e\x1b[2J ok\n"
	for i := 0; i < len(in); i++ {
		if _, err := w.Write([]byte{in[i]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := Text(in); b.String() != want {
		t.Fatalf("byte by byte: %q, want %q", b.String(), want)
	}
	b.Reset()
	_, _ = w.Write([]byte("x\xc3"))
	_ = w.Flush()
	if b.String() != `x\303` {
		t.Fatalf("a dangling lead byte: %q", b.String())
	}
}
