package lifecycle

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

// RemovalNotFoundError says that no removal with that id keeps refs.
type RemovalNotFoundError struct {
	Removal string
	Known   []string // every removal id that does keep refs
}

func (e *RemovalNotFoundError) Error() string {
	return fmt.Sprintf("no removed sandbox %q keeps branches", e.Removal)
}

// removal finds one removal's row by its id (<name>@<n>, or the bare name
// of a removal kept before removals were numbered).
func (s *Restorer) removal(id string) (SandboxStatus, error) {
	if s.Repo == nil {
		return SandboxStatus{}, workflow.ErrNotRepository
	}
	all, err := s.Removals()
	if err != nil {
		return SandboxStatus{}, err
	}
	known := make([]string, 0, len(all))
	for _, st := range all {
		if st.Removal == id {
			return st, nil
		}
		known = append(known, st.Removal)
	}
	return SandboxStatus{}, &RemovalNotFoundError{Removal: id, Known: known}
}

// RestoreRequest brings a removed sandbox's kept branch back as a local
// branch.
type RestoreRequest struct {
	Removal string // <name>@<n>, as ls lists it
	Branch  string // the kept branch; "" lists them
	As      string // the local branch to create; Branch when ""
}

// Restored is what Restore did, or (without a branch) what it could do.
type Restored struct {
	Removal SandboxStatus
	Branch  string // the local branch created; "" when listing
	Commit  string
	Listing bool
}

// Restore creates refs/heads/<As> at the commit the removal kept for
// Branch. It never moves an existing branch: restoring over one would
// drop the user's commits from it. Without a branch it returns the
// removal for listing.
func (s *Restorer) Restore(ctx context.Context, req RestoreRequest) (Restored, error) {
	st, err := s.removal(req.Removal)
	if err != nil {
		return Restored{}, err
	}
	if req.Branch == "" {
		return Restored{Removal: st, Listing: true}, nil
	}
	commit := ""
	for _, b := range st.Branches {
		if b.Name == req.Branch {
			commit = b.Commit
		}
	}
	if commit == "" {
		names := make([]string, 0, len(st.Branches))
		for _, b := range st.Branches {
			names = append(names, b.Name)
		}
		return Restored{}, hint.Errorf([]string{"kept branches: " + strings.Join(names, ", ")},
			"removed sandbox %q kept no branch %q", req.Removal, req.Branch)
	}
	local := req.As
	if local == "" {
		local = req.Branch
	}
	if local == "HEAD" || strings.HasPrefix(local, "-") || strings.HasPrefix(local, "refs/") {
		return Restored{}, fmt.Errorf("invalid branch name %q", local)
	}
	ref := "refs/heads/" + local
	existing, err := s.Repo.Refs(ref)
	if err != nil {
		return Restored{}, err
	}
	if _, ok := existing[ref]; ok {
		return Restored{}, hint.Errorf([]string{"choose another name with --as <name>"}, "branch %q already exists", local)
	}
	if err := s.Repo.UpdateRefs(ctx, []gitx.RefUpdate{{Name: ref, Hash: commit}}); err != nil {
		return Restored{}, fmt.Errorf("restore branch %q of %q: %w", req.Branch, req.Removal, err)
	}
	return Restored{Removal: st, Branch: local, Commit: commit}, nil
}

// PruneRequest deletes what removals kept.
type PruneRequest struct {
	Removals []string // removal ids, each exactly as ls lists it
}

// Pruned is one ref prune deleted (or, with --dry-run, would delete).
type Pruned struct {
	Ref    string `json:"ref"`
	Commit string `json:"commit"`
}

// Prune deletes every ref the named removals kept, in one transaction,
// and their records. Every id must name a removal that keeps refs:
// nothing is deleted when one does not. Commits only those refs reached
// become unreachable and are left to git gc.
func (s *Restorer) Prune(ctx context.Context, req PruneRequest) ([]Pruned, error) {
	if len(req.Removals) == 0 {
		return nil, hint.Errorf([]string{"list them with 'git airlock ls'"}, "name the removals to prune")
	}
	var out []Pruned
	var updates []gitx.RefUpdate
	seen := map[string]bool{}
	for _, id := range req.Removals {
		if seen[id] {
			continue
		}
		seen[id] = true
		st, err := s.removal(id)
		if err != nil {
			return nil, err
		}
		for _, b := range st.Branches {
			ref := sandboxref.Removed(st.Removal, b.Name)
			out = append(out, Pruned{Ref: ref, Commit: b.Commit})
			updates = append(updates, gitx.RefUpdate{Name: ref})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	if err := s.Repo.UpdateRefs(ctx, updates); err != nil {
		return nil, fmt.Errorf("prune removed sandboxes: %w", err)
	}
	for id := range seen {
		if err := s.Store.DropRemoval(id); err != nil {
			return out, err
		}
		if s.legacyRemovalRecord(id) {
			if err := s.Repo.ConfigUnset(ctx, sandboxref.RemovalRecordKey(id)); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// legacyRemovalRecord reports whether an older git-airlock recorded the
// removal in git config (sandboxref.RemovalRecordKey) rather than in the
// store.
func (s *Common) legacyRemovalRecord(id string) bool {
	for _, e := range s.Entries {
		if rec, ok := sandboxref.ParseRemovalRecord(e.Key, e.Value); ok && rec.Removal == id {
			return true
		}
	}
	return false
}

// moveLegacyRemovals moves the removal records an older git-airlock kept
// in git config into the store (rm, which writes one, holds the lock):
// each is written to the store before its key is unset.
func (s *Remover) moveLegacyRemovals(ctx context.Context) error {
	for _, e := range s.Entries {
		rec, ok := sandboxref.ParseRemovalRecord(e.Key, e.Value)
		if !ok {
			continue
		}
		if err := s.Store.PutRemoval(rec); err != nil {
			return err
		}
		if err := s.Repo.ConfigUnset(ctx, sandboxref.RemovalRecordKey(rec.Removal)); err != nil {
			return err
		}
	}
	return nil
}
