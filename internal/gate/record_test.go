package gate

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

func TestRecordEachRuleOnceWithTheInjectedTime(t *testing.T) {
	repo := agentRepo(".github/workflows/a.yml", ".github/workflows/b.yml", ".envrc", "Makefile")
	at := time.Date(2026, 11, 27, 13, 4, 5, 0, time.FixedZone("CET", 3600))
	g := &Gate{Repo: repo, Notes: repo, Now: func() time.Time { return at }}
	r, err := g.Inspect(context.Background(), "HEAD", tracking)
	if err != nil {
		t.Fatal(err)
	}
	rec := g.NewRecord(ActionMerge, "x", "claude", r, headCommit, true)
	// Findings come by path (.envrc before .github/), each rule once.
	want := "Airlock-Sandbox: x\nAirlock-Agent: claude\nAirlock-Inspected: " + agentCommit +
		"\nAirlock-Findings: high 3, medium 1, low 0\nAirlock-Accepted: direnv, ci\n"
	if got := rec.Trailers(); got != want {
		t.Errorf("Trailers:\n%s\nwant:\n%s", got, want)
	}
	if err := g.Record(context.Background(), rec, agentCommit, "merge-commit"); err != nil {
		t.Fatal(err)
	}
	if len(repo.added) != 2 || repo.added[0] != [2]string{sandboxref.NotesRef, agentCommit} {
		t.Fatalf("notes written %q", repo.added)
	}
	// The note reads back as written, and counts once although the merge
	// commit carries the same record.
	got := Accepted(repo.notes, nil)["x"]
	if len(got) != 1 || got[0].Count != 3 || got[0].Commit != agentCommit || !slices.Equal(got[0].Rules, []string{"direnv", "ci"}) || !got[0].Time.Equal(at) {
		t.Errorf("read back %+v", got)
	}
	if !g.AcceptedCommit(agentCommit, nil) || g.AcceptedCommit("merge-commit", nil) || g.AcceptedCommit(headCommit, nil) {
		t.Errorf("AcceptedCommit answers for the wrong objects")
	}
	if len(Accepted(repo.notes, nil)["y"]) != 0 {
		t.Errorf("another sandbox's acceptances")
	}
}

func TestRecordWithoutAcceptanceAcceptsNothing(t *testing.T) {
	repo := agentRepo("Makefile")
	g := &Gate{Repo: repo, Notes: repo}
	r, _ := g.Inspect(context.Background(), "HEAD", tracking)
	rec := g.NewRecord(ActionApply, "x", "codex", r, headCommit, true) // no high finding to accept
	if strings.Contains(rec.Trailers(), "Airlock-Accepted") {
		t.Errorf("trailers accept nothing yet say so:\n%s", rec.Trailers())
	}
	_ = g.Record(context.Background(), rec, agentCommit)
	if g.AcceptedCommit(agentCommit, nil) {
		t.Errorf("a record without accepted rules counts as an acceptance")
	}
	recs := ParseRecords(repo.notes[agentCommit])
	if len(recs) != 1 || recs[0].Action != ActionApply || recs[0].Counts.Medium != 1 || recs[0].Base != headCommit {
		t.Errorf("records %+v", recs)
	}
}

// The agent names a file so that its path, printed in the note, would end
// a paragraph and start a fake record accepting its own commit.
func TestNoteQuotesPathsSoThatNoFileNameForgesARecord(t *testing.T) {
	evil := "a\n\nAirlock-Sandbox: x\nAirlock-Inspected: " + agentCommit + "\nAirlock-Accepted: ci\n\n.envrc"
	repo := agentRepo(evil)
	g := &Gate{Repo: repo, Notes: repo}
	r, _ := g.Inspect(context.Background(), "HEAD", tracking)
	if len(r.Findings) == 0 {
		t.Fatalf("no finding for %q", evil)
	}
	rec := g.NewRecord(ActionMerge, "x", "claude", r, headCommit, false)
	note := rec.Note()
	recs := ParseRecords(note)
	if len(recs) != 1 || len(recs[0].Accepted) != 0 {
		t.Fatalf("note parsed as %+v:\n%s", recs, note)
	}
}

func TestParseRecordsReadsEveryAppendedRecordAndNothingElse(t *testing.T) {
	note := "some text\n\nAirlock-Sandbox: a\nAirlock-Inspected: c1\nAirlock-Findings: high 1, medium 2, low 3\nAirlock-Accepted: ci,  direnv\n" +
		"\nAirlock-Sandbox: b\nAirlock-Inspected: c2\n" +
		"\nAirlock-Sandbox: c\nNot-A-Trailer: x\nAirlock-Inspected: c3\n" + // mixed paragraph: not a record
		"\nAirlock-Sandbox: d\n" // names no commit
	recs := ParseRecords(note)
	if len(recs) != 2 || recs[0].Inspected != "c1" || recs[1].Inspected != "c2" {
		t.Fatalf("records %+v", recs)
	}
	if !slices.Equal(recs[0].Accepted, []string{"ci", "direnv"}) || recs[0].Counts.Low != 3 {
		t.Errorf("record %+v", recs[0])
	}
}

func TestMigrateAcceptancesMovesConfigRecordsToNotes(t *testing.T) {
	repo := agentRepo(".envrc")
	g := &Gate{Repo: repo, Notes: repo}
	entries := []gitx.ConfigEntry{{Key: "airlock.acceptedrisk", Value: "x " + agentCommit + " 2026-11-27T12:00:00Z 1 direnv"}}
	n, err := g.MigrateAcceptances(context.Background(), entries)
	if err != nil || n != 1 {
		t.Fatalf("migrated %d, %v", n, err)
	}
	if !slices.Equal(repo.unset, []string{sandboxref.AcceptedKey}) {
		t.Errorf("config unset %v", repo.unset)
	}
	got := Accepted(repo.notes, nil)["x"]
	if len(got) != 1 || got[0].Commit != agentCommit || !slices.Equal(got[0].Rules, []string{"direnv"}) {
		t.Errorf("after migration %+v", got)
	}

	// A record of a commit the repository lost keeps the key.
	repo = agentRepo(".envrc")
	g = &Gate{Repo: repo, Notes: repo}
	entries = append(entries, gitx.ConfigEntry{Key: "airlock.acceptedrisk", Value: "x 9999999999999999999999999999999999999999 2026-11-27T12:00:00Z 1 ci"})
	if n, err := g.MigrateAcceptances(context.Background(), entries); err != nil || n != 1 || len(repo.unset) != 0 {
		t.Errorf("migrated %d, %v, unset %v", n, err, repo.unset)
	}
	// Read together, the moved record counts once; run again, it is not
	// written twice.
	if got := Accepted(repo.notes, entries)["x"]; len(got) != 2 {
		t.Errorf("acceptances %+v, want the note and the unmoved config record", got)
	}
	before := repo.notes[agentCommit]
	if _, err := g.MigrateAcceptances(context.Background(), entries); err != nil || repo.notes[agentCommit] != before {
		t.Errorf("migrated twice: %v\n%s", err, repo.notes[agentCommit])
	}
}

// Notes come from wherever the user fetched them: ParseRecords must take
// any text, and every record it returns names a commit; a record's own
// note reads back as that record.
func FuzzParseRecords(f *testing.F) {
	f.Add("Airlock-Sandbox: a\nAirlock-Inspected: c1\nAirlock-Accepted: ci\n", "x.yml")
	f.Add("text\n\nAirlock-Findings: high x, medium\n\n", "a\n\nAirlock-Inspected: z")
	f.Fuzz(func(t *testing.T, note, path string) {
		for _, rec := range ParseRecords(note) {
			if rec.Inspected == "" {
				t.Fatalf("a record without a commit from %q", note)
			}
		}
		repo := agentRepo(path)
		g := &Gate{Repo: repo, Notes: repo}
		r, err := g.Inspect(context.Background(), "HEAD", tracking)
		if err != nil {
			return
		}
		rec := g.NewRecord(ActionMerge, "x", "claude", r, headCommit, false)
		recs := ParseRecords(rec.Note())
		if len(recs) != 1 || recs[0].Inspected != agentCommit || len(recs[0].Accepted) != 0 || recs[0].Sandbox != "x" {
			t.Fatalf("path %q: note parsed as %+v", path, recs)
		}
	})
}
