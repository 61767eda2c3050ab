package remote

import (
	"bytes"
	"strings"
	"testing"
)

func TestFarErrorCutsTheServiceErrorOff(t *testing.T) {
	marker := "git-airlock-exec-0123456789abcdef01234567"
	proto := pkt("packfile\n") + "\x01PACK\x7f\x7fdata"
	for _, tc := range []struct {
		name, stream, git, text string
	}{
		{"success: byte for byte, DEL bytes included", proto + "\x7f", proto + "\x7f", ""},
		{"failure", proto + "\x7f" + marker + "\nfatal: no commits selected for shallow requests\n",
			proto, `"fatal: no commits selected for shallow requests"`},
		{"several lines, quoted", "\x7f" + marker + "\nerror: one\n\x1b[31mfatal: two\n", "", `"error: one"; "\x1b[31mfatal: two"`},
		{"a near miss is protocol", proto + "\x7f" + marker[:10] + "x", proto + "\x7f" + marker[:10] + "x", ""},
	} {
		for _, step := range []int{1, 3, 7, 1 << 10} {
			var git bytes.Buffer
			f := newFarError(&git, marker)
			for i := 0; i < len(tc.stream); i += step {
				if _, err := f.Write([]byte(tc.stream[i:min(i+step, len(tc.stream))])); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.flush(); err != nil {
				t.Fatal(err)
			}
			if git.String() != tc.git {
				t.Errorf("%s, step %d: git got %q, want %q", tc.name, step, git.String(), tc.git)
			}
			if f.Text() != strings.ReplaceAll(tc.text, "\x1b", `\x1b`) {
				t.Errorf("%s, step %d: text %s, want %s", tc.name, step, f.Text(), tc.text)
			}
		}
	}
}

// Bytes held back as a possible start of the marker wait only for the
// next write: a write that cannot be the marker's start is passed on whole.
func TestFarErrorHoldsOnlyAPossibleMarkerStart(t *testing.T) {
	var git bytes.Buffer
	f := newFarError(&git, "git-airlock-exec-00")
	_, _ = f.Write([]byte("0008NAK\n"))
	if git.String() != "0008NAK\n" {
		t.Fatalf("git got %q", git.String())
	}
	_, _ = f.Write([]byte("0000\x7fgit-"))
	if git.String() != "0008NAK\n0000" {
		t.Fatalf("git got %q", git.String())
	}
	_, _ = f.Write([]byte("x"))
	if git.String() != "0008NAK\n0000\x7fgit-x" {
		t.Fatalf("git got %q", git.String())
	}
}

func TestFarErrorKeepsABoundedText(t *testing.T) {
	f := newFarError(&bytes.Buffer{}, "m")
	_, _ = f.Write([]byte("\x7fm\n"))
	for range 100 {
		_, _ = f.Write(bytes.Repeat([]byte("x"), 1<<10))
	}
	if f.text.Len() != farErrorMax {
		t.Fatalf("kept %d bytes", f.text.Len())
	}
}
