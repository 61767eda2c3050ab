package lifecycle

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// RemoveRequest removes a sandbox.
type RemoveRequest struct {
	Name string
	// Force removes even with unfetched or uncommitted work, or an open
	// session (which sbx then ends).
	Force bool
	// At is when the removal is recorded as done (the caller's clock);
	// time.Now when zero.
	At time.Time
}

// removal is what decideRemoval found, for actRemoval and reportRemoval.
type removal struct {
	gone        bool                  // sbx said it has no sandbox of that name
	unreachable *sbx.UnreachableError // its server cannot be reached (--force forgets it)
	pending     int                   // under dry-run: refs the printed fetch would add to what rm keeps
}

// Remove removes a sandbox in three steps (docs/rm.md): decide (the
// repository lock, open sessions, stop, fetch, survey), act (sbx rm) and
// report (keep every fetched branch under refs/airlock/removed/<name>@<n>/,
// a namespace of its own per removal, and drop the remote). The real run
// holds the repository lock from its first step to its last, so that a
// second rm of the same sandbox waits, then finds it removed. A dry run
// takes no lock and decides from reads.
func (s *Remover) Remove(ctx context.Context, req RemoveRequest) error {
	sb, err := s.mustRegistered(req.Name)
	if err != nil {
		return err
	}
	if !s.Sbx.DryRun() {
		unlock, err := s.Repo.Lock(ctx, gitx.LockWait{Waiting: func(h gitx.LockHolder) {
			s.UI.Infof("waiting for %s, which holds the repository lock", h)
		}})
		if err != nil {
			return err
		}
		defer unlock()
		if removed, err := s.removedMeanwhile(ctx, sb); removed || err != nil {
			return err
		}
	}
	plan, err := s.decideRemoval(ctx, sb, req)
	if err != nil {
		return err
	}
	if err := s.actRemoval(ctx, sb, req, plan); err != nil {
		return err
	}
	return s.reportRemoval(ctx, sb, req, plan)
}

// removedMeanwhile re-reads the registered sandboxes once the lock is
// held: another rm of the same sandbox that held it first has removed it,
// which is what was asked.
func (s *Remover) removedMeanwhile(ctx context.Context, sb workflow.Sandbox) (bool, error) {
	if err := s.reloadEntries(ctx); err != nil {
		return false, err
	}
	if _, err := workflow.MustFind(s.sandboxes(), sb.Name); err == nil {
		return false, nil
	}
	s.UI.Infof("sandbox %q was removed by another git-airlock rm while this one waited for the repository lock", sb.Name)
	return true, nil
}

// decideRemoval refuses while a session is open, stops the sandbox (every
// writer in it ends; sbx answers for the name), fetches, surveys what
// would be lost, and refuses over it; --force goes on, naming what it
// discards.
func (s *Remover) decideRemoval(ctx context.Context, sb workflow.Sandbox, req RemoveRequest) (removal, error) {
	if err := s.refuseOpenSessions(ctx, sb, req.Force); err != nil {
		return removal{}, err
	}
	plan, running, err := s.removalState(ctx, sb, req.Force)
	if err != nil || plan.gone {
		return plan, err
	}
	// A fetch that fails (a limit on the ref advertisement, an odd name)
	// never hides the survey: what the host lacks is named below and
	// refused, and with nothing missing the removal goes on.
	if err := s.fetchLocked(ctx, sb); err != nil {
		s.UI.Warnf("could not fetch sandbox %q (git's message is above); checking what it holds that the host lacks", sb.Name)
	}
	work, err := s.Survey.unsaved(ctx, sb, running)
	// The fetch and the survey started the sandbox, and sbx rewrites its
	// remote on start; rm may still refuse below.
	s.guardSbxRemote(ctx, sb.Name)
	plan.pending = work.pending
	switch {
	case errors.Is(err, errNotSurveyed):
		s.UI.Warnf("sandbox %q is not running and a dry run starts none: whether it holds work that would be lost is checked when rm runs, which refuses then", sb.Name)
	case err != nil && !req.Force:
		return plan, hint.With(err, append([]string{"nothing was removed; use --force to remove it anyway"}, hint.Of(workflow.SbxError(err))...)...)
	case err != nil:
		s.UI.Warnf("--force: %v; whatever it held that was not fetched is lost", err)
	}
	if len(work.notes) > 0 {
		s.UI.Infof("not kept (ignored files in the sandbox):\n  %s", strings.Join(work.notes, "\n  "))
	}
	problems := work.report()
	if len(problems) > 0 && !req.Force {
		return plan, hint.Errorf([]string{"commit or discard it in the sandbox ('" + workflow.Suggest(s.Entries, sb.Name, "shell") + "'), fetch, then remove; or use --force to lose it"},
			"sandbox %q holds work that would be lost:\n  %s", sb.Name, strings.Join(problems, "\n  "))
	}
	if len(problems) > 0 {
		s.UI.Warnf("--force: discarding what sandbox %q held that was not fetched:\n  %s", sb.Name, strings.Join(problems, "\n  "))
	}
	return plan, nil
}

// removalState asks sbx about the sandbox. It is gone only on sbx's own
// answer for that name (its missing-sandbox error), never because a list
// lacks it: the real run stops it, which ends every session and writer in
// it before the survey, and takes stop's answer. A list that cannot be
// read is an error that changes nothing. A dry run stops nothing (it
// prints the stop) and goes by the list; running is the list's state.
func (s *Remover) removalState(ctx context.Context, sb workflow.Sandbox, force bool) (plan removal, running bool, err error) {
	state, err := s.Sbx.Get(ctx, sb.Name)
	var nf *sbx.NotFoundError
	var unreachable *sbx.UnreachableError
	listedGone := errors.As(err, &nf)
	if errors.As(err, &unreachable) {
		// A server that is down, or gone for good: nothing there can be
		// checked or removed. Only --force forgets the sandbox here.
		if !force {
			return removal{}, false, hint.With(err, append(hint.Of(workflow.SbxError(err)), "nothing was removed; once the server is back, rm checks and removes the sandbox; '"+workflow.Suggest(s.Entries, sb.Name, "rm --force")+"' forgets it here now, keeping what was fetched (the sandbox, and whatever it held that was not fetched, stay on "+unreachable.Host+")")...)
		}
		s.UI.Warnf("--force: %s cannot be reached; forgetting sandbox %q here without checking it: it stays on %s with whatever it held that was not fetched, as does git-airlock's copy of the repository there", unreachable.Host, sb.Name, unreachable.Host)
		return removal{gone: true, unreachable: unreachable}, false, nil
	}
	if _, perr := s.Sbx.Program(); perr != nil && s.Sbx.DryRun() {
		// Without sbx a dry run's read sees no sandbox: show the whole
		// removal. With sbx the read ran, as in the real run.
		listedGone, err = false, nil
	}
	if err != nil && !listedGone {
		return removal{}, false, hint.With(workflow.SbxError(err), "nothing was removed")
	}
	if s.Sbx.DryRun() && listedGone {
		_ = s.Sbx.Stop(ctx, sb.Name) // printed: the real run learns it from stop's answer
		s.UI.Warnf("sandbox %q no longer exists in sbx; keeping what was fetched from it", sb.Name)
		return removal{gone: true}, false, nil
	}
	err = s.Sbx.Stop(ctx, sb.Name) // printed under dry-run
	if errors.As(err, &nf) {
		s.UI.Warnf("sandbox %q no longer exists in sbx; keeping what was fetched from it", sb.Name)
		return removal{gone: true}, false, nil
	}
	if err != nil {
		return removal{}, false, hint.With(fmt.Errorf("stop sandbox %q before surveying it: %w", sb.Name, workflow.SbxError(err)), "nothing was removed")
	}
	return removal{}, state.Running() || !s.Sbx.DryRun(), nil
}

// fetchLocked fetches the sandbox under the lock rm holds.
func (s *Remover) fetchLocked(ctx context.Context, sb workflow.Sandbox) error {
	return workflow.FetchLocked(ctx, s.Fetcher, s.Store, s.UI, xec.Streams{Err: s.Progress}, s.Sbx.DryRun(), sb)
}

// actRemoval removes the sandbox in sbx, with --force (sbx asks
// otherwise, and cannot without a terminal): only after decideRemoval
// found nothing that would be lost, and no session opened since.
func (s *Remover) actRemoval(ctx context.Context, sb workflow.Sandbox, req RemoveRequest, plan removal) error {
	if plan.gone {
		return nil
	}
	if !req.Force {
		if err := s.refuseOpenSessions(ctx, sb, false); err != nil {
			return err
		}
	}
	if err := s.Sbx.Remove(ctx, sb.Name); err != nil {
		return workflow.SbxError(err)
	}
	return nil
}

// reportRemoval keeps what was fetched, records the removal, drops the
// remote and the sandbox's sessions, and says where the branches are.
func (s *Remover) reportRemoval(ctx context.Context, sb workflow.Sandbox, req RemoveRequest, plan removal) error {
	name, kept, err := s.archive(ctx, sb)
	if err != nil {
		return err
	}
	kept.branches += plan.pending
	if kept.refs+plan.pending > 0 {
		rec := sandboxref.RemovalRecord{Removal: name, Time: cmp.Or(req.At, time.Now()), Agent: sb.Agent, Base: sb.Base}
		if err := s.Store.PutRemoval(rec); err != nil {
			return err
		}
	}
	if err := s.moveLegacyRemovals(ctx); err != nil {
		return err
	}
	// git remote remove takes the keys an older git-airlock kept in the
	// remote's section with it; the record in the store goes after it.
	if err := s.Repo.RemoveRemote(ctx, sb.Remote); err != nil {
		return err
	}
	if err := s.Store.DropSandbox(sb.Name); err != nil {
		return err
	}
	_ = s.Tmux.Kill(ctx, s.SessionName(sb.Name))
	if s.Sessions != nil && !s.Sbx.DryRun() {
		_ = s.Sessions.Remove(sb.Name) // a wait on it ends, saying so
	}
	s.UI.Infof("removed sandbox %q", sb.Name)
	if plan.unreachable == nil {
		s.dropServerCopy(ctx, sb)
	}
	if kept.branches > 0 {
		s.UI.Infof("its %s are kept under %s", workflow.Plural(kept.branches, "fetched branch", "fetched branches"), sandboxref.RemovedPrefixOf(name))
		s.UI.Hint("restore one with: git airlock restore %s <branch>", name)
	}
	return nil
}

// refuseOpenSessions: sbx rm --force ends the sandbox's open sessions with
// it, so rm first looks for those git-airlock can see (openSessions) and
// refuses over them unless the user gave --force.
func (s *Remover) refuseOpenSessions(ctx context.Context, sb workflow.Sandbox, force bool) error {
	open := s.openSessions(ctx, sb)
	if len(open) == 0 {
		return nil
	}
	if force {
		s.UI.Warnf("--force: ending the open session of sandbox %q: %s", sb.Name, strings.Join(open, ", "))
		return nil
	}
	return hint.Errorf([]string{"let it end ('" + workflow.Suggest(s.Entries, sb.Name, "wait") + "' waits for a run), or end it yourself; '" + workflow.Suggest(s.Entries, sb.Name, "rm --force") + "' ends it and removes the sandbox"},
		"sandbox %q has an open session: %s; nothing was stopped or removed", sb.Name, strings.Join(open, ", "))
}

// openSessions names the sessions of the sandbox this machine knows are
// open: a run or up git-airlock records as running here, its tmux
// session, and sbx processes attached to it (run, attach, exec -t). A
// session someone opened on another machine, or over sbx's SSH, is not
// seen.
func (s *Remover) openSessions(ctx context.Context, sb workflow.Sandbox) []string {
	var open []string
	if s.Sessions != nil {
		if r, ok, err := s.Sessions.Read(sb.Name); err == nil && ok && r.Host == "" && r.State() == "running" {
			what := fmt.Sprintf("'git airlock %s' (pid %d)", r.Mode, r.PID)
			if r.PID == 0 {
				what = fmt.Sprintf("'git airlock %s' (starting)", r.Mode)
			}
			open = append(open, what)
		}
	}
	if s.Tmux != nil {
		if ok, err := s.Tmux.HasSession(ctx, s.SessionName(sb.Name)); err == nil && ok {
			open = append(open, fmt.Sprintf("tmux session %s", quote.Path(s.SessionName(sb.Name))))
		}
	}
	attached, _ := s.Sbx.Attached(ctx, sb.Name)
	for _, a := range attached {
		open = append(open, fmt.Sprintf("'%s' (pid %d)", a.Command, a.PID))
	}
	return open
}

// keptRefs counts what one removal kept: every ref, and the branches
// among them as ls counts a removal's (all but the sandbox's HEAD, which
// names a kept branch's commit again).
type keptRefs struct{ refs, branches int }

// archive copies refs/remotes/<remote>/* to
// refs/airlock/removed/<name>@<n>/* in one transaction, before the remote
// (and its tracking refs) goes. n is one more than any earlier removal of
// the same name, so a name removed again never overwrites what an earlier
// removal kept.
func (s *Remover) archive(ctx context.Context, sb workflow.Sandbox) (string, keptRefs, error) {
	prefix := sandboxref.TrackingPrefix(sb.Remote)
	refs, err := s.Repo.Refs(prefix)
	if err != nil {
		return "", keptRefs{}, err
	}
	kept, err := s.Repo.Refs(sandboxref.RemovedPrefix)
	if err != nil {
		return "", keptRefs{}, err
	}
	removal := sandboxref.NextRemoval(sb.Name, kept)
	var updates []gitx.RefUpdate
	tips := make([]string, 0, len(refs))
	for name, hash := range refs {
		updates = append(updates, gitx.RefUpdate{Name: sandboxref.Removed(removal, strings.TrimPrefix(name, prefix)), Hash: hash})
		tips = append(tips, hash)
	}
	// History the agent rewrote lives on only in the remote-tracking
	// reflogs and the reflog of the sandbox's HEAD ref, which go with the
	// remote: keep the old tips that no kept branch contains as
	// superseded/<commit>, the fewest that reach them all.
	if !s.Sbx.DryRun() {
		old, err := s.superseded(ctx, sb, refs, tips)
		if err != nil {
			return "", keptRefs{}, fmt.Errorf("keep the rewritten history of sandbox %q: %w", sb.Name, err)
		}
		for _, h := range old {
			updates = append(updates, gitx.RefUpdate{Name: sandboxref.Superseded(removal, h), Hash: h})
		}
	}
	sort.Slice(updates, func(i, j int) bool { return updates[i].Name < updates[j].Name })
	if err := s.Repo.UpdateRefs(ctx, updates); err != nil {
		return "", keptRefs{}, fmt.Errorf("keep the branches of sandbox %q: %w", sb.Name, err)
	}
	// Kept: the tracking refs go in one more transaction (`git remote
	// remove` deleting thousands of them itself takes minutes), HEAD
	// included, which may be symbolic (git's followRemoteHEAD).
	if err := s.Repo.DeleteRefs(ctx, slices.Sorted(maps.Keys(refs))); err != nil {
		return "", keptRefs{}, fmt.Errorf("drop the fetched branches of sandbox %q, kept under %s: %w", sb.Name, sandboxref.RemovedPrefixOf(removal), err)
	}
	n := keptRefs{refs: len(updates)}
	for _, u := range updates {
		if _, _, branch, _ := sandboxref.ParseRemoved(u.Name); branch != "HEAD" {
			n.branches++
		}
	}
	return removal, n, nil
}

// superseded are the commits the reflogs of refs (and of the sandbox's
// HEAD ref) hold that no tip reaches, reduced to the fewest that reach
// them all: one process each for the reflogs, the objects, the walk and
// the reduction, however long the reflogs are.
func (s *Remover) superseded(ctx context.Context, sb workflow.Sandbox, refs map[string]string, tips []string) ([]string, error) {
	logs := make([]string, 0, len(refs)+1)
	for name := range refs {
		logs = append(logs, name)
	}
	sort.Strings(logs)
	head, err := s.Repo.Refs(sandboxref.Head(sb.Remote))
	if err != nil {
		return nil, err
	}
	if _, ok := head[sandboxref.Head(sb.Remote)]; ok {
		logs = append(logs, sandboxref.Head(sb.Remote))
	}
	old, err := s.Repo.ReflogsCommits(ctx, logs)
	if err != nil {
		return nil, err
	}
	sort.Strings(old)
	old = slices.Compact(old)
	held, err := s.Repo.Commits(ctx, old)
	if err != nil {
		return nil, err
	}
	old = slices.DeleteFunc(old, func(c string) bool { return !held[c] })
	unreached, err := s.Repo.Unreached(ctx, old, tips)
	if err != nil {
		return nil, err
	}
	old = slices.DeleteFunc(old, func(c string) bool { return !unreached[c] })
	return s.Repo.Independent(ctx, old)
}
