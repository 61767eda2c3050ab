package gitx

import (
	"context"
	"strings"
	"testing"
)

func TestParseNumstatZ(t *testing.T) {
	in := "3\t1\tsrc/a.go\x00-\t-\tlogo.png\x000\t7\tname\twith\ttabs\x00\n12\t0\tnew file\x00"
	got, err := parseNumstatZ(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := (DiffStat{Files: 4, Added: 15, Deleted: 8}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"x\t1\ta\x00", "1\ta\x00", "1\t-\ta\x00", "-1\t2\ta\x00"} {
		if _, err := parseNumstatZ(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s, err := parseNumstatZ(""); err != nil || s != (DiffStat{}) {
		t.Errorf("empty: %+v %v", s, err)
	}
}

func FuzzParseNumstatZ(f *testing.F) {
	f.Add("3\t1\ta\x00-\t-\tb\x00")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := parseNumstatZ(in)
		if err != nil {
			return
		}
		if s.Files < 0 || s.Added < 0 || s.Deleted < 0 || s.Files > strings.Count(in, "\x00")+1 {
			t.Errorf("%q: %d files", in, s.Files)
		}
	})
}

// Notes written by AppendNote read back in process, also once git splits
// the notes tree into fan-out directories (hundreds of notes).
func TestNotesReadBackThroughFanout(t *testing.T) {
	ctx := context.Background()
	r, _, sh := tracedRepo(t)
	sh("git config user.name a && git config user.email a@example.com")
	head := sh("git rev-parse HEAD")
	if err := r.AppendNote(ctx, "refs/notes/airlock", head, "first\n"); err != nil {
		t.Fatal(err)
	}
	if err := r.AppendNote(ctx, "refs/notes/airlock", "HEAD", "second\n"); err != nil {
		t.Fatal(err)
	}
	notes, err := r.Notes("refs/notes/airlock")
	if err != nil || notes[head] != "first\n\nsecond\n" {
		t.Fatalf("notes %q, %v", notes, err)
	}
	if none, err := r.Notes("refs/notes/other"); err != nil || len(none) != 0 {
		t.Errorf("a missing notes ref: %v, %v", none, err)
	}
	sh(`for i in $(seq 300); do git notes --ref airlock add -m "n$i" $(git commit-tree -m c$i HEAD^{tree}) || exit 1; done`)
	if fanned := sh("git ls-tree --name-only refs/notes/airlock | awk 'length($0) == 2' | wc -l"); fanned == "0" {
		t.Fatalf("git did not fan the notes out; the test needs more notes")
	}
	notes, err = r.Notes("refs/notes/airlock")
	if err != nil || len(notes) != 301 || notes[head] != "first\n\nsecond\n" {
		t.Fatalf("%d notes, %v; head's %q", len(notes), err, notes[head])
	}
}
