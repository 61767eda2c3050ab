package lifecycle_test

import (
	"errors"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
)

// twoRemovals: box removed twice, the first with a record.
func twoRemovals(t *testing.T) *world {
	w := newWorld(t, nil)
	w.repo.refs["refs/airlock/removed/box@1/agent/x"] = hash("one")
	w.repo.refs["refs/airlock/removed/box@1/main"] = hash("m")
	w.repo.refs["refs/airlock/removed/box@2/agent/x"] = hash("two")
	rec := sandboxref.RemovalRecord{Removal: "box@1", Time: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), Agent: "codex", Base: "main"}
	w.svc.Entries = append(w.svc.Entries, gitx.ConfigEntry{Key: sandboxref.RemovalRecordKey("box@1"), Value: rec.String()})
	return w
}

func TestRemovalsCarryTheRecord(t *testing.T) {
	w := twoRemovals(t)
	list, err := w.svc.Removals()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Removal != "box@1" || list[1].Removal != "box@2" {
		t.Fatalf("removals %+v", list)
	}
	if at := list[0].RemovedAt; at == nil || at.Hour() != 12 || list[0].Agent != "codex" || list[0].Base != "main" {
		t.Errorf("box@1 record: %+v", list[0])
	}
	if list[1].RemovedAt != nil {
		t.Errorf("box@2 has no record, got %v", list[1].RemovedAt)
	}
}

func TestRestoreNeverMovesABranch(t *testing.T) {
	w := twoRemovals(t)
	w.repo.refs["refs/heads/agent/x"] = hash("mine")
	if _, err := w.svc.Restore(ctx, lifecycle.RestoreRequest{Removal: "box@1", Branch: "agent/x"}); err == nil {
		t.Fatal("restored over an existing branch")
	}
	if len(w.repo.updates) != 0 {
		t.Fatalf("updates %v", w.repo.updates)
	}
	r, err := w.svc.Restore(ctx, lifecycle.RestoreRequest{Removal: "box@1", Branch: "agent/x", As: "old-x"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Commit != hash("one") || len(w.repo.updates) != 1 || w.repo.updates[0][0] != (gitx.RefUpdate{Name: "refs/heads/old-x", Hash: hash("one")}) {
		t.Errorf("restored %+v with %v", r, w.repo.updates)
	}
	for _, as := range []string{"HEAD", "-x", "refs/heads/y"} {
		if _, err := w.svc.Restore(ctx, lifecycle.RestoreRequest{Removal: "box@1", Branch: "agent/x", As: as}); err == nil {
			t.Errorf("--as %q accepted", as)
		}
	}
}

func TestPruneDeletesOnlyWhatIsNamed(t *testing.T) {
	w := twoRemovals(t)
	if _, err := w.svc.Prune(ctx, lifecycle.PruneRequest{}); err == nil {
		t.Error("pruned without a name")
	}
	var nf *lifecycle.RemovalNotFoundError
	if _, err := w.svc.Prune(ctx, lifecycle.PruneRequest{Removals: []string{"box@1", "box@9"}}); !errors.As(err, &nf) || nf.Removal != "box@9" {
		t.Errorf("unknown removal: %v", err)
	}
	if _, err := w.svc.Prune(ctx, lifecycle.PruneRequest{Removals: []string{"box"}}); !errors.As(err, &nf) {
		t.Errorf("a sandbox name is not a removal: %v", err)
	}
	if len(w.repo.updates) != 0 {
		t.Fatalf("a refused prune deleted %v", w.repo.updates)
	}
	pruned, err := w.svc.Prune(ctx, lifecycle.PruneRequest{Removals: []string{"box@1", "box@1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []lifecycle.Pruned{{Ref: "refs/airlock/removed/box@1/agent/x", Commit: hash("one")}, {Ref: "refs/airlock/removed/box@1/main", Commit: hash("m")}}
	if len(pruned) != 2 || pruned[0] != want[0] || pruned[1] != want[1] {
		t.Errorf("pruned %+v", pruned)
	}
	if len(w.repo.updates) != 1 || len(w.repo.updates[0]) != 2 {
		t.Fatalf("updates %v", w.repo.updates)
	}
	for _, u := range w.repo.updates[0] {
		if u.Hash != "" {
			t.Errorf("not a deletion: %+v", u)
		}
	}
	// The removal's record goes with its refs.
	if !w.repo.called("ConfigUnset airlock.removed/box@1.at") {
		t.Errorf("record not dropped:\n%s", w.repo.log())
	}
}
