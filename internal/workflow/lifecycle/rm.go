package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

// RemoveRequest removes a sandbox.
type RemoveRequest struct {
	Name  string
	Force bool // remove even with unfetched or uncommitted work
}

// Remove fetches everything, refuses while the sandbox holds work that
// would be lost, removes the sandbox, and keeps every fetched branch under
// refs/airlock/removed/<name>@<n>/, a namespace of its own per removal.
func (s *Service) Remove(ctx context.Context, req RemoveRequest) error {
	sb, err := s.mustRegistered(req.Name)
	if err != nil {
		return err
	}
	_, err = s.Sbx.Get(ctx, sb.Name)
	var nf *sbx.NotFoundError
	gone := errors.As(err, &nf)
	if s.Sbx.DryRun() {
		gone, err = false, nil // dry-run reads see no sandbox; show the whole removal
	}
	if err != nil && !gone {
		return workflow.SbxError(err)
	}
	if gone {
		s.UI.Warnf("sandbox %q no longer exists in sbx; keeping what was fetched from it", sb.Name)
	} else {
		if err := s.fetch(ctx, sb); err != nil && !req.Force {
			return hint.With(err, "nothing was removed; use --force to remove it anyway")
		}
		problems, err := s.unsaved(ctx, sb)
		if err != nil && !req.Force {
			return hint.With(fmt.Errorf("check sandbox %q for unsaved work: %w", sb.Name, err), "nothing was removed; use --force to remove it anyway")
		}
		if len(problems) > 0 && !req.Force {
			return hint.Errorf([]string{"commit or discard it in the sandbox ('git airlock shell'), fetch, then remove; or use --force to lose it"},
				"sandbox %q holds work that would be lost:\n  %s", sb.Name, strings.Join(problems, "\n  "))
		}
		if err := s.Sbx.Remove(ctx, sb.Name); err != nil {
			return workflow.SbxError(err)
		}
	}
	removal, kept, err := s.archive(ctx, sb)
	if err != nil {
		return err
	}
	if err := s.Repo.RemoveRemote(ctx, sb.Remote); err != nil {
		return err
	}
	_ = s.Tmux.Kill(ctx, s.SessionName(sb.Name))
	s.UI.Infof("removed sandbox %q", sb.Name)
	if kept > 0 {
		s.UI.Infof("its %s are kept under %s", workflow.Plural(kept, "fetched branch", "fetched branches"), sandboxref.RemovedPrefixOf(removal))
		s.UI.Hint("restore one with: git branch <name> %s<branch>", sandboxref.RemovedPrefixOf(removal))
	}
	return nil
}

// unsaved lists what only the sandbox has: uncommitted changes, and refs
// (branches, tags, stash, a detached HEAD) whose commits were not fetched.
func (s *Service) unsaved(ctx context.Context, sb workflow.Sandbox) ([]string, error) {
	if s.Sbx.DryRun() {
		return nil, nil
	}
	var problems []string
	status, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: sb.Name, Argv: gitx.WorkStatusArgv(sb.Path)})
	if err != nil {
		return nil, err
	}
	if n := gitx.CountChanged(status); n > 0 {
		problems = append(problems, fmt.Sprintf("%s not committed", workflow.Plural(n, "changed file", "changed files")))
	}
	refs, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: sb.Name, Argv: gitx.VMRefsArgv(sb.Path)})
	if err != nil {
		return nil, err
	}
	head, _ := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: sb.Name, Argv: gitx.VMHeadArgv(sb.Path)})
	if h := strings.TrimSpace(head); h != "" {
		refs += "\n" + h + "  HEAD"
	}
	fetched, err := s.Repo.Refs(sandboxref.TrackingPrefix(sb.Remote))
	if err != nil {
		return nil, err
	}
	tips := make([]string, 0, len(fetched))
	for _, h := range fetched {
		tips = append(tips, h)
	}
	sort.Strings(tips)
	for _, ref := range gitx.ParseVMRefs(refs) {
		if !s.reachable(ref.Commit, tips) {
			problems = append(problems, fmt.Sprintf("%s (%s) was not fetched", ref.Name, ref.Commit[:12]))
		}
	}
	return problems, nil
}

func (s *Service) reachable(commit string, tips []string) bool {
	if !s.Repo.HasCommit(commit) {
		return false
	}
	for _, t := range tips {
		if ok, _ := s.Repo.IsAncestor(commit, t); ok {
			return true
		}
	}
	return false
}

// archive copies refs/remotes/<remote>/* to
// refs/airlock/removed/<name>@<n>/* in one transaction, before the remote
// (and its tracking refs) goes. n is one more than any earlier removal of
// the same name, so a name removed again never overwrites what an earlier
// removal kept.
func (s *Service) archive(ctx context.Context, sb workflow.Sandbox) (string, int, error) {
	prefix := sandboxref.TrackingPrefix(sb.Remote)
	refs, err := s.Repo.Refs(prefix)
	if err != nil {
		return "", 0, err
	}
	kept, err := s.Repo.Refs(sandboxref.RemovedPrefix)
	if err != nil {
		return "", 0, err
	}
	removal := sandboxref.NextRemoval(sb.Name, kept)
	var updates []gitx.RefUpdate
	tips := make([]string, 0, len(refs))
	for name, hash := range refs {
		updates = append(updates, gitx.RefUpdate{Name: sandboxref.Removed(removal, strings.TrimPrefix(name, prefix)), Hash: hash})
		tips = append(tips, hash)
	}
	// History the agent rewrote lives on only in the remote-tracking
	// reflogs, which go with the remote: keep each old tip that no kept
	// branch contains as superseded/<commit>.
	if !s.Sbx.DryRun() {
		seen := map[string]bool{}
		for name := range refs {
			old, err := s.Repo.ReflogCommits(ctx, name)
			if err != nil {
				continue // a ref without a reflog has nothing more to keep
			}
			for _, h := range old {
				if seen[h] || s.reachable(h, tips) {
					continue
				}
				seen[h] = true
				tips = append(tips, h)
				updates = append(updates, gitx.RefUpdate{Name: sandboxref.Superseded(removal, h), Hash: h})
			}
		}
	}
	sort.Slice(updates, func(i, j int) bool { return updates[i].Name < updates[j].Name })
	if err := s.Repo.UpdateRefs(ctx, updates); err != nil {
		return "", 0, fmt.Errorf("keep the branches of sandbox %q: %w", sb.Name, err)
	}
	return removal, len(updates), nil
}
