package lifecycle

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

// RemoveRequest removes a sandbox.
type RemoveRequest struct {
	Name  string
	Force bool // remove even with unfetched or uncommitted work
	// At is when the removal is recorded as done (the caller's clock);
	// time.Now when zero.
	At time.Time
}

// Remove fetches everything, refuses while the sandbox holds work that
// would be lost, removes the sandbox, and keeps every fetched branch under
// refs/airlock/removed/<name>@<n>/, a namespace of its own per removal.
func (s *Service) Remove(ctx context.Context, req RemoveRequest) error {
	sb, err := s.mustRegistered(req.Name)
	if err != nil {
		return err
	}
	state, err := s.Sbx.Get(ctx, sb.Name)
	var nf *sbx.NotFoundError
	var unreachable *sbx.UnreachableError
	gone := errors.As(err, &nf)
	if errors.As(err, &unreachable) {
		// A server that is down, or gone for good: nothing there can be
		// checked or removed. Only --force forgets the sandbox here.
		if !req.Force {
			return hint.With(err, append(hint.Of(workflow.SbxError(err)), "nothing was removed; once the server is back, rm checks and removes the sandbox; '"+workflow.Suggest(s.Entries, sb.Name, "rm --force")+"' forgets it here now, keeping what was fetched (the sandbox, and whatever it held that was not fetched, stay on "+unreachable.Host+")")...)
		}
		s.UI.Warnf("--force: %s cannot be reached; forgetting sandbox %q here without checking it: it stays on %s with whatever it held that was not fetched, as does git-airlock's copy of the repository there", unreachable.Host, sb.Name, unreachable.Host)
		gone, err = true, nil
	}
	if _, perr := s.Sbx.Program(); perr != nil && s.Sbx.DryRun() {
		// Without sbx a dry run's read sees no sandbox: show the whole
		// removal. With sbx the read ran, as in the real run.
		gone, err = false, nil
	}
	if err != nil && !gone {
		return workflow.SbxError(err)
	}
	pending := 0 // under dry-run: what the printed fetch would add to the kept refs
	if gone && unreachable == nil {
		s.UI.Warnf("sandbox %q no longer exists in sbx; keeping what was fetched from it", sb.Name)
	}
	if !gone {
		// A fetch that fails (a limit on the ref advertisement, an odd
		// name) never hides the survey: what the host lacks is named below
		// and refused, and with nothing missing the removal goes on.
		if err := s.fetch(ctx, sb); err != nil {
			s.UI.Warnf("could not fetch sandbox %q (git's message is above); checking what it holds that the host lacks", sb.Name)
		}
		var work unsavedWork
		work, err = s.unsaved(ctx, sb, state.Running())
		problems, notes := work.problems, work.notes
		// The report names the first refs and counts the rest.
		const maxListed = 50
		for i, ref := range work.missing {
			if i == maxListed {
				problems = append(problems, fmt.Sprintf("and %s not fetched", workflow.Plural(len(work.missing)-i, "more ref", "more refs")))
				break
			}
			line := fmt.Sprintf("%s (%s) was not fetched", quote.Path(ref.Name), ref.Commit[:12])
			if why := work.leftOut[ref.Name]; why != "" {
				line += ": left out of fetches, " + why + "; renaming it in the sandbox brings it"
			}
			problems = append(problems, line)
		}
		pending = work.pending
		if errors.Is(err, errNotSurveyed) {
			s.UI.Warnf("sandbox %q is not running and a dry run starts none: whether it holds work that would be lost is checked when rm runs, which refuses then", sb.Name)
		} else if err != nil {
			if !req.Force {
				return hint.With(fmt.Errorf("check sandbox %q for unsaved work: %w", sb.Name, err), append([]string{"nothing was removed; use --force to remove it anyway"}, hint.Of(workflow.SbxError(err))...)...)
			}
			s.UI.Warnf("could not check sandbox %q for unsaved work (%v); whatever it held that was not fetched is lost", sb.Name, err)
		}
		// The fetch and the survey may have started the sandbox, and sbx
		// rewrites its remote on start; rm may still refuse below.
		s.guardSbxRemote(ctx, sb.Name)
		if len(notes) > 0 {
			s.UI.Infof("not kept (ignored files in the sandbox):\n  %s", strings.Join(notes, "\n  "))
		}
		if len(problems) > 0 && !req.Force {
			return hint.Errorf([]string{"commit or discard it in the sandbox ('" + workflow.Suggest(s.Entries, sb.Name, "shell") + "'), fetch, then remove; or use --force to lose it"},
				"sandbox %q holds work that would be lost:\n  %s", sb.Name, strings.Join(problems, "\n  "))
		}
		if len(problems) > 0 {
			s.UI.Warnf("--force: discarding what sandbox %q held that was not fetched:\n  %s", sb.Name, strings.Join(problems, "\n  "))
		}
		if err := s.Sbx.Remove(ctx, sb.Name); err != nil {
			return workflow.SbxError(err)
		}
	}
	removal, kept, err := s.archive(ctx, sb)
	if err != nil {
		return err
	}
	kept.branches += pending
	if kept.refs+pending > 0 {
		rec := sandboxref.RemovalRecord{Removal: removal, Time: cmp.Or(req.At, time.Now()), Agent: sb.Agent, Base: sb.Base}
		if err := s.Repo.ConfigSet(ctx, sandboxref.RemovalRecordKey(removal), rec.String()); err != nil {
			return err
		}
	}
	if err := s.Repo.RemoveRemote(ctx, sb.Remote); err != nil {
		return err
	}
	_ = s.Tmux.Kill(ctx, s.SessionName(sb.Name))
	if s.Sessions != nil && !s.Sbx.DryRun() {
		_ = s.Sessions.Remove(sb.Name) // a wait on it ends, saying so
	}
	s.UI.Infof("removed sandbox %q", sb.Name)
	if unreachable == nil {
		s.dropServerCopy(ctx, sb)
	}
	if kept.branches > 0 {
		s.UI.Infof("its %s are kept under %s", workflow.Plural(kept.branches, "fetched branch", "fetched branches"), sandboxref.RemovedPrefixOf(removal))
		s.UI.Hint("restore one with: git airlock restore %s <branch>", removal)
	}
	return nil
}

// unsavedWork is what a sandbox holds that the host does not.
type unsavedWork struct {
	problems []string     // in the working trees, and other repositories
	notes    []string     // files a committed .gitignore ignores
	missing  []gitx.VMRef // refs whose commits the host does not reach
	pending  int          // under dry-run: refs the printed fetch would add to what rm keeps
	// leftOut are the sandbox's branches no fetch brings (named like
	// git's own refs; sandboxref.NameCheck), by ref name, with why.
	leftOut map[string]string
}

// errNotSurveyed: a dry run does not survey a sandbox that is not
// running (sbx would start it for the exec).
var errNotSurveyed = errors.New("not surveyed under dry-run")

// unsaved accounts, from one exec (gitx.SurveyArgv), for everything in
// the sandbox that is not on the host: refs in every namespace and each
// worktree's HEAD whose commits were not fetched, older stash entries,
// each worktree's uncommitted and untracked changes, edits git status
// hides (skip-worktree, assume-unchanged), files hidden by private ignore
// rules, and other repositories under the workspace. Problems and missing
// refs block rm; notes (files ignored by a committed .gitignore) are told,
// not refused.
//
// The real run surveys after its fetch. A dry run has only printed that
// fetch, so it decides from read-only state to the same end: a commit is
// fetched when the host reaches it from the tips the fetch leaves in place,
// or when a branch or the HEAD of the clone reaches it (the fetch brings
// every branch and HEAD; one more exec, gitx.UnfetchedArgv, asks the
// clone).
func (s *Service) unsaved(ctx context.Context, sb workflow.Sandbox, running bool) (unsavedWork, error) {
	var problems, notes []string
	pending := 0
	if s.Sbx.DryRun() && !running {
		return unsavedWork{}, errNotSurveyed
	}
	out, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: sb.Name, Argv: gitx.SurveyArgv(sb.Path)})
	if err != nil {
		return unsavedWork{}, err
	}
	sv := gitx.ParseSurvey(out)
	if !sv.Complete || len(sv.Worktrees) == 0 {
		// Without the worktree list nothing of the working tree was
		// checked: refuse rather than report it clean.
		return unsavedWork{}, fmt.Errorf("incomplete answer from the sandbox's git")
	}
	for i, wt := range sv.Worktrees {
		where := ""
		if i > 0 {
			where = " in worktree " + quote.Path(wt.Path)
		}
		if n := len(wt.Changes); n > 0 {
			problems = append(problems, fmt.Sprintf("%s not committed%s: %s", workflow.Plural(n, "changed file", "changed files"), where, listPaths(changedPaths(wt.Changes))))
		}
		if n := len(wt.Hidden); n > 0 {
			problems = append(problems, fmt.Sprintf("%s changed behind skip-worktree or assume-unchanged%s: %s", workflow.Plural(n, "file", "files"), where, listPaths(wt.Hidden)))
		}
		var private, shared ignored
		for _, ig := range wt.Ignored {
			if ig.Private {
				private.add(ig)
			} else {
				shared.add(ig)
			}
		}
		if len(private.paths) > 0 {
			problems = append(problems, fmt.Sprintf("%s ignored by .git/info/exclude or core.excludesFile%s: %s", private, where, listPaths(private.paths)))
		}
		if len(shared.paths) > 0 {
			notes = append(notes, fmt.Sprintf("%s ignored by .gitignore%s: %s", shared, where, listPaths(shared.paths)))
		}
	}
	for _, c := range sv.Clones {
		problems = append(problems, fmt.Sprintf("another repository at %s is not checked", quote.Path(c)))
	}
	leftOut, err := s.leftOut(ctx, sb, sv.Refs)
	if err != nil {
		return unsavedWork{}, err
	}
	prefix := sandboxref.TrackingPrefix(sb.Remote)
	fetched, err := s.Repo.Refs(prefix)
	if err != nil {
		return unsavedWork{}, err
	}
	host, err := s.Repo.Refs("refs/heads/")
	if err != nil {
		return unsavedWork{}, err
	}
	// Under dry-run, the clone's branches as the fetch would bring them.
	var branches map[string]string
	if s.Sbx.DryRun() {
		branches = map[string]string{}
		for _, ref := range sv.Refs {
			if b, ok := strings.CutPrefix(ref.Name, "refs/heads/"); ok && leftOut[ref.Name] == "" {
				branches[b] = ref.Commit
				if _, ok := fetched[prefix+b]; !ok {
					pending++
				}
			}
		}
		if pending == 0 && len(fetched) == 0 && len(sv.Worktrees[0].Head) > 0 {
			pending = 1 // the sandbox's HEAD, kept as superseded
		}
	}
	tips := make([]string, 0, len(fetched)+len(host))
	for name, h := range fetched {
		// A tracking ref the fetch moves no longer counts; its new tip
		// is the clone's branch, which the clone answers for.
		if c, ok := branches[strings.TrimPrefix(name, prefix)]; branches == nil || !ok || c == h {
			tips = append(tips, h)
		}
	}
	for _, h := range host {
		tips = append(tips, h)
	}
	// The fetch keeps the sandbox's HEAD commit under
	// refs/airlock/head/<remote>, detached or not, whatever
	// refs/remotes/<remote>/HEAD names, and archive keeps it: what it
	// reaches is not lost. Under dry-run it counts while the fetch would
	// leave it in place; the clone answers for a HEAD that moved.
	heads, err := s.Repo.Refs(sandboxref.Head(sb.Remote))
	if err != nil {
		return unsavedWork{}, err
	}
	if h, ok := heads[sandboxref.Head(sb.Remote)]; ok && (branches == nil || h == sv.Worktrees[0].Head) {
		tips = append(tips, h)
	}
	sort.Strings(tips)
	tips = slices.Compact(tips)
	// An agent may make a million refs to one commit: each commit is
	// judged once.
	saved := map[string]bool{}
	onHost := func(ref gitx.VMRef) bool {
		// The clone's remote-tracking refs name host commits; the host
		// having the object is enough.
		if strings.HasPrefix(ref.Name, "refs/remotes/") && s.Repo.HasCommit(ref.Commit) {
			return true
		}
		ok, judged := saved[ref.Commit]
		if !judged {
			ok = s.reachable(ref.Commit, tips)
			saved[ref.Commit] = ok
		}
		return ok
	}
	var missing []gitx.VMRef
	seen := map[string]bool{}
	for _, ref := range sv.Refs {
		if seen[ref.Name+" "+ref.Commit] {
			continue
		}
		seen[ref.Name+" "+ref.Commit] = true
		if !onHost(ref) {
			missing = append(missing, ref)
		}
	}
	if branches != nil && len(missing) > 0 {
		// A branch the fetch leaves out stays missing; the clone answers
		// for the rest (a set: there may be a million refs).
		var ask []gitx.VMRef
		for _, ref := range missing {
			if leftOut[ref.Name] == "" {
				ask = append(ask, ref)
			}
		}
		unfetched := map[gitx.VMRef]bool{}
		if len(ask) > 0 {
			if ask, err = s.unfetchedInClone(ctx, sb, ask); err != nil {
				return unsavedWork{}, err
			}
			for _, ref := range ask {
				unfetched[ref] = true
			}
		}
		missing = slices.DeleteFunc(missing, func(ref gitx.VMRef) bool {
			return leftOut[ref.Name] == "" && !unfetched[ref]
		})
	}
	return unsavedWork{problems: problems, notes: notes, missing: missing, pending: pending, leftOut: leftOut}, nil
}

// leftOut applies the remote helper's rule (sandboxref.NameCheck) to the
// sandbox's refs, in the order the sandbox lists them, as the helper does
// to its advertisement: the branches no fetch brings, with why.
func (s *Service) leftOut(ctx context.Context, sb workflow.Sandbox, refs []gitx.VMRef) (map[string]string, error) {
	var remotes []string
	for _, e := range s.Entries {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(e.Key, "remote."), ".url"); ok && strings.HasPrefix(e.Key, "remote.") {
			remotes = append(remotes, name)
		}
	}
	v, set, err := s.Repo.ConfigGet(ctx, "core.ignoreCase")
	if err != nil {
		return nil, err
	}
	fold, _ := config.ParseBool(v)
	check := sandboxref.NewNameCheck(sb.Remote, remotes, set && fold, s.Repo)
	out := map[string]string{}
	for _, ref := range refs {
		if why := check.Skip(ref.Name, ref.Commit); why != "" {
			out[ref.Name] = why
		}
	}
	return out, nil
}

// unfetchedInClone keeps the refs whose commits no branch of the clone
// reaches: what a fetch would not bring.
func (s *Service) unfetchedInClone(ctx context.Context, sb workflow.Sandbox, refs []gitx.VMRef) ([]gitx.VMRef, error) {
	commits := make([]string, 0, len(refs))
	for _, ref := range refs {
		commits = append(commits, ref.Commit)
	}
	sort.Strings(commits)
	out, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: sb.Name, Argv: gitx.UnfetchedArgv(sb.Path, slices.Compact(commits))})
	if err != nil {
		return nil, err
	}
	un, complete := gitx.ParseUnfetched(out)
	if !complete {
		return nil, fmt.Errorf("incomplete answer from the sandbox's git")
	}
	return slices.DeleteFunc(refs, func(ref gitx.VMRef) bool { return !un[ref.Commit] }), nil
}

// ignored sums ignored paths for one line of the report.
type ignored struct {
	paths        []string
	files, bytes int64
}

func (i *ignored) add(ig gitx.VMIgnored) {
	i.paths = append(i.paths, ig.Path)
	i.files += ig.Files
	i.bytes += ig.Bytes
}

// String is "3 files, 12 bytes" (or KiB, MiB).
func (i ignored) String() string {
	size := fmt.Sprintf("%d bytes", i.bytes)
	switch {
	case i.bytes >= 1<<20:
		size = fmt.Sprintf("%.1f MiB", float64(i.bytes)/(1<<20))
	case i.bytes >= 1<<10:
		size = fmt.Sprintf("%.1f KiB", float64(i.bytes)/(1<<10))
	}
	return workflow.Plural(int(i.files), "file", "files") + ", " + size
}

// changedPaths takes the paths out of `git status --porcelain` lines.
func changedPaths(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if len(l) > 3 {
			l = l[3:]
		}
		// git quoted it already (core.quotePath); listPaths quotes again.
		if u, err := strconv.Unquote(l); err == nil && strings.HasPrefix(l, `"`) {
			l = u
		}
		out = append(out, l)
	}
	return out
}

// listPaths names up to ten paths, quoted as git quotes them (they come
// from the sandbox), then how many more.
func listPaths(paths []string) string {
	const max = 10
	if len(paths) <= max {
		return strings.Join(quote.Paths(paths), ", ")
	}
	return strings.Join(quote.Paths(paths[:max]), ", ") + fmt.Sprintf(" and %d more", len(paths)-max)
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

// keptRefs counts what one removal kept: every ref, and the branches
// among them as ls counts a removal's (all but the sandbox's HEAD, which
// names a kept branch's commit again).
type keptRefs struct{ refs, branches int }

// archive copies refs/remotes/<remote>/* to
// refs/airlock/removed/<name>@<n>/* in one transaction, before the remote
// (and its tracking refs) goes. n is one more than any earlier removal of
// the same name, so a name removed again never overwrites what an earlier
// removal kept.
func (s *Service) archive(ctx context.Context, sb workflow.Sandbox) (string, keptRefs, error) {
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
	// remote: keep each old tip that no kept branch contains as
	// superseded/<commit>.
	if !s.Sbx.DryRun() {
		seen := map[string]bool{}
		logs := make([]string, 0, len(refs)+1)
		for name := range refs {
			logs = append(logs, name)
		}
		sort.Strings(logs)
		for _, name := range append(logs, sandboxref.Head(sb.Remote)) {
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
		return "", keptRefs{}, fmt.Errorf("keep the branches of sandbox %q: %w", sb.Name, err)
	}
	n := keptRefs{refs: len(updates)}
	for _, u := range updates {
		if _, _, branch, _ := sandboxref.ParseRemoved(u.Name); branch != "HEAD" {
			n.branches++
		}
	}
	return removal, n, nil
}
