package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

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

// report is rm's refusal: the problems, then the refs not fetched (the
// first 50 named, the rest counted).
func (w unsavedWork) report() []string {
	problems := slices.Clone(w.problems)
	const maxListed = 50
	for i, ref := range w.missing {
		if i == maxListed {
			problems = append(problems, fmt.Sprintf("and %s not fetched", workflow.Plural(len(w.missing)-i, "more ref", "more refs")))
			break
		}
		line := fmt.Sprintf("%s (%s) was not fetched", quote.Path(ref.Name), ref.Commit[:12])
		if why := w.leftOut[ref.Name]; why != "" {
			line += ": left out of fetches, " + why + "; renaming it in the sandbox brings it"
		}
		problems = append(problems, line)
	}
	return problems
}

// errNotSurveyed: a dry run does not survey a sandbox that is not
// running (sbx would start it for the exec).
var errNotSurveyed = errors.New("not surveyed under dry-run")

// SurveyError is a survey whose answer is unknown: a command in it failed
// (Failed, each "<what> (exit <n>): <what it said>"), it did not finish,
// or the exec itself failed (Err). rm refuses over it; status --unfetched
// fails with it.
type SurveyError struct {
	Sandbox string
	Failed  []string
	Err     error
}

func (e *SurveyError) Error() string {
	msg := fmt.Sprintf("could not survey sandbox %q", e.Sandbox)
	var te *xec.TimeoutError
	switch {
	case len(e.Failed) > 3:
		return fmt.Sprintf("%s: %s; and %d more", msg, strings.Join(e.Failed[:3], "; "), len(e.Failed)-3)
	case len(e.Failed) > 0:
		return msg + ": " + strings.Join(e.Failed, "; ")
	case errors.As(e.Err, &te):
		// Never the script: the timeout's argv is the whole of it.
		return fmt.Sprintf("%s: it did not finish within %s and was stopped", msg, te.Timeout)
	case e.Err != nil:
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *SurveyError) Unwrap() error { return e.Err }

// unsaved accounts, from one exec (gitx.SurveyArgv), for everything in
// the sandbox that is not on the host: refs in every namespace, each
// worktree's HEAD and own refs, whose commits were not fetched, older
// stash entries, each worktree's uncommitted and untracked changes, edits
// git status hides (skip-worktree, assume-unchanged), files hidden by
// private ignore rules, repositories nested in a worktree (their commits
// and changes), and other repositories under the workspace. Problems and
// missing refs block rm; notes (files ignored by a committed .gitignore)
// are told, not refused. Whether the host reaches the sandbox's commits
// is asked in one pass for them all (gitx.Repo.Unreached).
//
// The real run surveys after its fetch. A dry run has only printed that
// fetch, so it decides from read-only state to the same end: a commit is
// fetched when the host reaches it from the tips the fetch leaves in place,
// or when a branch or the HEAD of the clone reaches it (the fetch brings
// every branch and HEAD; one more exec, gitx.UnfetchedArgv, asks the
// clone).
func (s *Surveyor) unsaved(ctx context.Context, sb workflow.Sandbox, running bool) (unsavedWork, error) {
	if s.Sbx.DryRun() && !running {
		return unsavedWork{}, errNotSurveyed
	}
	sv, err := s.survey(ctx, sb)
	if err != nil {
		return unsavedWork{}, err
	}
	problems, notes := worktreeProblems(sv)
	for _, c := range sv.Clones {
		problems = append(problems, fmt.Sprintf("another repository at %s is not checked", quote.Path(c)))
	}
	leftOut, err := s.leftOut(ctx, sb, sv.Refs)
	if err != nil {
		return unsavedWork{}, err
	}
	ht, err := s.hostTips(ctx, sb, sv, leftOut)
	if err != nil {
		return unsavedWork{}, err
	}
	present, onHost, err := s.judge(ctx, sv, ht.tips)
	if err != nil {
		return unsavedWork{}, &SurveyError{Sandbox: sb.Name, Err: err}
	}
	problems = append(problems, nestedProblems(sv, onHost)...)
	missing := missingRefs(sv.Refs, present, onHost)
	if ht.branches != nil && len(missing) > 0 {
		if missing, err = s.dryRunMissing(ctx, sb, missing, leftOut); err != nil {
			return unsavedWork{}, err
		}
	}
	return unsavedWork{problems: problems, notes: notes, missing: missing, pending: ht.pending, leftOut: leftOut}, nil
}

// survey runs gitx.SurveyArgv in the sandbox. Any command in it that
// failed, an answer that stops short, or an exec that fails or times out
// makes the answer unknown: a *SurveyError.
func (s *Surveyor) survey(ctx context.Context, sb workflow.Sandbox) (gitx.Survey, error) {
	out, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: sb.Name, Argv: gitx.SurveyArgv(sb.Path)})
	if err != nil {
		return gitx.Survey{}, &SurveyError{Sandbox: sb.Name, Err: err}
	}
	sv := gitx.ParseSurvey(out)
	if len(sv.Failed) > 0 {
		return sv, &SurveyError{Sandbox: sb.Name, Failed: sv.Failed}
	}
	if !sv.Complete || len(sv.Worktrees) == 0 {
		// Without the worktree list nothing of the working tree was
		// checked: refuse rather than report it clean.
		return sv, &SurveyError{Sandbox: sb.Name, Err: errors.New("incomplete answer from the sandbox's git")}
	}
	return sv, nil
}

// worktreeProblems are the survey's findings in each worktree: changes,
// hidden edits and privately ignored files (problems), and files a
// committed .gitignore ignores (notes).
func worktreeProblems(sv gitx.Survey) (problems, notes []string) {
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
	return problems, notes
}

// nestedProblems names, for each repository nested in a worktree, the
// commits of its refs and HEAD the host does not reach (one line, each
// commit once, under the first ref that names it) and its uncommitted
// changes. No fetch brings them: rm refuses.
func nestedProblems(sv gitx.Survey, onHost map[string]bool) []string {
	var out []string
	for _, n := range sv.Nested {
		where := nestedWhere(sv, n.Path)
		var lost []string
		seen := map[string]bool{}
		for _, r := range n.Refs {
			if onHost[r.Commit] || seen[r.Commit] {
				continue
			}
			seen[r.Commit] = true
			lost = append(lost, fmt.Sprintf("%s (%s)", quote.Path(r.Name), r.Commit[:12]))
		}
		if len(lost) > 0 {
			listed := lost[:min(len(lost), 10)]
			more := ""
			if len(lost) > len(listed) {
				more = fmt.Sprintf(" and %d more", len(lost)-len(listed))
			}
			out = append(out, fmt.Sprintf("%s: %s the host lacks, under %s%s", where, workflow.Plural(len(lost), "commit", "commits"), strings.Join(listed, ", "), more))
		}
		if c := len(n.Changes); c > 0 {
			out = append(out, fmt.Sprintf("%s: %s not committed: %s", where, workflow.Plural(c, "changed file", "changed files"), listPaths(changedPaths(n.Changes))))
		}
	}
	return out
}

// nestedWhere is "repository lib inside the clone" (or "… inside worktree
// <path>"), the path relative to the worktree that holds it.
func nestedWhere(sv gitx.Survey, p string) string {
	for i, wt := range sv.Worktrees {
		if rel, ok := strings.CutPrefix(p, strings.TrimSuffix(wt.Path, "/")+"/"); ok {
			if i == 0 {
				return "repository " + quote.Path(rel) + " inside the clone"
			}
			return "repository " + quote.Path(rel) + " inside worktree " + quote.Path(wt.Path)
		}
	}
	return "repository " + quote.Path(p)
}

// missingRefs are the refs whose commits the host does not reach, each
// name and commit once. The clone's remote-tracking refs name host
// commits: the host holding the commit is enough.
func missingRefs(refs []gitx.VMRef, present, onHost map[string]bool) []gitx.VMRef {
	var missing []gitx.VMRef
	seen := map[string]bool{}
	for _, ref := range refs {
		key := ref.Name + " " + ref.Commit
		if seen[key] {
			continue
		}
		seen[key] = true
		if strings.HasPrefix(ref.Name, "refs/remotes/") && present[ref.Commit] {
			continue
		}
		if !onHost[ref.Commit] {
			missing = append(missing, ref)
		}
	}
	return missing
}

// judge answers, for every commit the survey names (refs, HEADs, nested
// repositories' refs), whether the host holds it (present) and whether a
// tip reaches it (onHost): two git processes however many refs there are
// (an agent may make a million refs to one commit; each commit is asked
// once).
func (s *Surveyor) judge(ctx context.Context, sv gitx.Survey, tips []string) (present, onHost map[string]bool, err error) {
	var commits []string
	for _, r := range sv.Refs {
		commits = append(commits, r.Commit)
	}
	for _, n := range sv.Nested {
		for _, r := range n.Refs {
			commits = append(commits, r.Commit)
		}
	}
	sort.Strings(commits)
	commits = slices.Compact(commits)
	present, err = s.Repo.Commits(ctx, commits)
	if err != nil {
		return nil, nil, err
	}
	held := slices.DeleteFunc(commits, func(c string) bool { return !present[c] })
	unreached, err := s.Repo.Unreached(ctx, held, tips)
	if err != nil {
		return nil, nil, err
	}
	onHost = map[string]bool{}
	for _, c := range held {
		onHost[c] = !unreached[c]
	}
	return present, onHost, nil
}

// hostTipsOf is what the sandbox's commits are judged against.
type hostTipsOf struct {
	tips []string
	// branches: under dry-run, the clone's branches as the fetch would
	// bring them (nil in the real run); pending: the refs that fetch adds.
	branches map[string]string
	pending  int
}

// hostTips are the host's commits that keep the sandbox's work: the
// host's branches, the fetched branches rm keeps, and the sandbox's HEAD
// commit the fetch keeps under refs/airlock/head/<remote>. Under dry-run
// the fetch has only been printed: a tracking ref it would move no longer
// counts (the clone answers for its new tip), nor a HEAD that moved.
func (s *Surveyor) hostTips(ctx context.Context, sb workflow.Sandbox, sv gitx.Survey, leftOut map[string]string) (hostTipsOf, error) {
	var out hostTipsOf
	prefix := sandboxref.TrackingPrefix(sb.Remote)
	fetched, err := s.Repo.Refs(prefix)
	if err != nil {
		return out, err
	}
	host, err := s.Repo.Refs("refs/heads/")
	if err != nil {
		return out, err
	}
	if s.Sbx.DryRun() {
		out.branches = map[string]string{}
		for _, ref := range sv.Refs {
			if b, ok := strings.CutPrefix(ref.Name, "refs/heads/"); ok && leftOut[ref.Name] == "" {
				out.branches[b] = ref.Commit
				if _, ok := fetched[prefix+b]; !ok {
					out.pending++
				}
			}
		}
		if out.pending == 0 && len(fetched) == 0 && len(sv.Worktrees[0].Head) > 0 {
			out.pending = 1 // the sandbox's HEAD, kept as superseded
		}
	}
	for name, h := range fetched {
		if c, ok := out.branches[strings.TrimPrefix(name, prefix)]; out.branches == nil || !ok || c == h {
			out.tips = append(out.tips, h)
		}
	}
	for _, h := range host {
		out.tips = append(out.tips, h)
	}
	heads, err := s.Repo.Refs(sandboxref.Head(sb.Remote))
	if err != nil {
		return out, err
	}
	if h, ok := heads[sandboxref.Head(sb.Remote)]; ok && (out.branches == nil || h == sv.Worktrees[0].Head) {
		out.tips = append(out.tips, h)
	}
	sort.Strings(out.tips)
	out.tips = slices.Compact(out.tips)
	return out, nil
}

// dryRunMissing keeps, of the refs the host lacks, those the printed
// fetch would not bring either: a branch the fetch leaves out stays
// missing; the clone answers for the rest (a set: there may be a million
// refs).
func (s *Surveyor) dryRunMissing(ctx context.Context, sb workflow.Sandbox, missing []gitx.VMRef, leftOut map[string]string) ([]gitx.VMRef, error) {
	var ask []gitx.VMRef
	for _, ref := range missing {
		if leftOut[ref.Name] == "" {
			ask = append(ask, ref)
		}
	}
	unfetched := map[gitx.VMRef]bool{}
	if len(ask) > 0 {
		ask, err := s.unfetchedInClone(ctx, sb, ask)
		if err != nil {
			return nil, err
		}
		for _, ref := range ask {
			unfetched[ref] = true
		}
	}
	return slices.DeleteFunc(missing, func(ref gitx.VMRef) bool {
		return leftOut[ref.Name] == "" && !unfetched[ref]
	}), nil
}

// leftOut applies the remote helper's rule (sandboxref.NameCheck) to the
// sandbox's refs, in the order the sandbox lists them, as the helper does
// to its advertisement: the branches no fetch brings, with why.
func (s *Surveyor) leftOut(ctx context.Context, sb workflow.Sandbox, refs []gitx.VMRef) (map[string]string, error) {
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
func (s *Surveyor) unfetchedInClone(ctx context.Context, sb workflow.Sandbox, refs []gitx.VMRef) ([]gitx.VMRef, error) {
	commits := make([]string, 0, len(refs))
	for _, ref := range refs {
		commits = append(commits, ref.Commit)
	}
	sort.Strings(commits)
	out, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: sb.Name, Argv: gitx.UnfetchedArgv(sb.Path, slices.Compact(commits))})
	if err != nil {
		return nil, &SurveyError{Sandbox: sb.Name, Err: err}
	}
	un, complete := gitx.ParseUnfetched(out)
	if !complete {
		return nil, &SurveyError{Sandbox: sb.Name, Err: errors.New("incomplete answer from the sandbox's git")}
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
