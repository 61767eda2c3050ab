package review

import (
	"context"

	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// Reviews shows the review records of sandbox work that reached the
// checked-out branch: every commit in HEAD's history with a record under
// sandboxref.NotesRef, newest first, with its note. A sandbox commit whose
// merge commit carries the same record is left out (the merge shows it).
// Records are read from the host's notes only, never from commit messages.
func (s *Reviewer) Reviews(ctx context.Context, st xec.Streams, oneline bool) error {
	if s.Repo == nil {
		return workflow.ErrNotRepository
	}
	notes, err := s.Notes.Notes(sandboxref.NotesRef)
	if err != nil {
		return err
	}
	head, err := s.Host.ResolveCommit("HEAD")
	if err != nil {
		return hint.Errorf([]string{"commit first"}, "this branch has no commits")
	}
	records := make(map[string][]gate.Record, len(notes)) // each note parsed once
	landedBy := map[string]bool{}                         // inspected commits some merge commit records
	for object, text := range notes {
		records[object] = gate.ParseRecords(text)
		for _, rec := range records[object] {
			if rec.Inspected != object {
				landedBy[rec.Inspected] = true
			}
		}
	}
	var commits []string
	for object, recs := range records {
		if landedBy[object] || len(recs) == 0 {
			continue
		}
		if ok, _ := s.Repo.IsAncestor(object, head); ok {
			commits = append(commits, object)
		}
	}
	if len(commits) == 0 {
		s.UI.Infof("no review records in this branch's history (%s)", sandboxref.NotesRef)
		s.UI.Hint("merge, apply and pr record them; fetch a shared record with: git fetch origin %s:%s", sandboxref.NotesRef, sandboxref.NotesRef)
		return nil
	}
	return workflow.Shown("git log", s.Repo.ShowNoted(ctx, st, sandboxref.NotesRef, commits, oneline))
}
