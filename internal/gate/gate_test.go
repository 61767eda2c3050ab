package gate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// fakeRepo is a repository in memory: revisions resolve through a table,
// each commit changes a fixed list of files, and every call the gate makes
// is recorded so that tests can say what was and was not looked at.
type fakeRepo struct {
	revs       map[string]string            // revision → commit; a full hash resolves to itself
	mergeBases map[[2]string]string         // (a, b) → merge base; absent: unrelated histories
	trees      map[string][]gitx.TreeChange // commit → what it brings, whatever the base
	refs       map[string]map[string]string // prefix → ref → tip
	refsErr    map[string]error
	contains   map[[2]string]bool // (commit, tip): commit is in tip's history
	mergeHeads []string
	reflogs    map[string][]string // ref → commits its reflog holds
	addErr     error
	attrs      map[string]map[string]map[string]string // tree → path → attribute → value
	attrCalls  []string

	resolved       []string
	mergeBaseCalls [][2]string
	diffs          [][2]string
	added          [][2]string // (notes ref, object) of every note written
	notes          map[string]string
	unset          []string
}

func (f *fakeRepo) ResolveCommit(rev string) (string, error) {
	f.resolved = append(f.resolved, rev)
	if h, ok := f.revs[rev]; ok {
		return h, nil
	}
	if _, ok := f.trees[rev]; ok {
		return rev, nil
	}
	return "", errors.New("unknown revision " + rev)
}

func (f *fakeRepo) MergeBase(_ context.Context, a, b string) (string, error) {
	f.mergeBaseCalls = append(f.mergeBaseCalls, [2]string{a, b})
	return f.mergeBases[[2]string{a, b}], nil
}

func (f *fakeRepo) DiffTree(_ context.Context, from, to string) ([]gitx.TreeChange, error) {
	f.diffs = append(f.diffs, [2]string{from, to})
	return f.trees[to], nil
}

func (f *fakeRepo) Refs(prefix string) (map[string]string, error) {
	if err := f.refsErr[prefix]; err != nil {
		return nil, err
	}
	return f.refs[prefix], nil
}

func (f *fakeRepo) IsAncestor(a, b string) (bool, error) {
	return a == b || f.contains[[2]string{a, b}], nil
}

// AppendNote appends as git notes append does: a blank line between texts.
func (f *fakeRepo) AppendNote(_ context.Context, ref, object, text string) error {
	if f.addErr != nil {
		return f.addErr
	}
	f.added = append(f.added, [2]string{ref, object})
	if f.notes == nil {
		f.notes = map[string]string{}
	}
	if old := f.notes[object]; old != "" {
		text = old + "\n" + text
	}
	f.notes[object] = text
	return nil
}

func (f *fakeRepo) Notes(string) (map[string]string, error) { return f.notes, nil }

func (f *fakeRepo) ConfigUnset(_ context.Context, key string) error {
	f.unset = append(f.unset, key)
	return nil
}

func (f *fakeRepo) MergeHeads() []string { return f.mergeHeads }

func (f *fakeRepo) ReflogCommits(_ context.Context, ref string) ([]string, error) {
	if l, ok := f.reflogs[ref]; ok {
		return l, nil
	}
	return nil, errors.New("no reflog for " + ref)
}

// Every blob is a short line of text: the findings used here come from
// paths, not content.
func (f *fakeRepo) BlobSize(string) (int64, error)         { return 5, nil }
func (f *fakeRepo) BlobHead(string, int64) ([]byte, error) { return []byte("text\n"), nil }

var _ Repo = (*fakeRepo)(nil)

func added(paths ...string) []gitx.TreeChange {
	var out []gitx.TreeChange
	for _, p := range paths {
		out = append(out, gitx.TreeChange{Status: 'A', Path: p, NewMode: gitx.ModeFile, NewHash: "blob-" + p})
	}
	return out
}

const (
	headCommit  = "1111111111111111111111111111111111111111"
	agentCommit = "2222222222222222222222222222222222222222"
	forkPoint   = "3333333333333333333333333333333333333333"
	tracking    = "refs/remotes/airlock-x/HEAD"
)

// agentRepo: HEAD and the sandbox's HEAD fork at forkPoint; the agent's
// commit brings what changes lists.
func agentRepo(changes ...string) *fakeRepo {
	return &fakeRepo{
		revs:       map[string]string{"HEAD": headCommit, "main": headCommit, tracking: agentCommit, "airlock-x/HEAD": agentCommit},
		mergeBases: map[[2]string]string{{headCommit, agentCommit}: forkPoint},
		trees:      map[string][]gitx.TreeChange{agentCommit: added(changes...), headCommit: nil},
		refs:       map[string]map[string]string{sandboxref.AllTrackingPrefix: {tracking: agentCommit}},
	}
}

func rules(fs []inspect.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func TestInspectDiffsFromTheMergeBaseToTheResolvedCommit(t *testing.T) {
	repo := agentRepo(".github/workflows/ci.yml", "Makefile", "README.md")
	g := &Gate{Repo: repo}
	r, err := g.Inspect(context.Background(), "main", tracking)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ref != "airlock-x/HEAD" {
		t.Errorf("Ref = %q, want airlock-x/HEAD (without refs/remotes/)", r.Ref)
	}
	if r.Commit != agentCommit || r.Base != "main" || r.MergeBase != forkPoint {
		t.Errorf("Commit, Base, MergeBase = %q, %q, %q", r.Commit, r.Base, r.MergeBase)
	}
	if want := [][2]string{{headCommit, agentCommit}}; !slices.Equal(repo.mergeBaseCalls, want) {
		t.Errorf("merge base of %v, want of the resolved commits %v", repo.mergeBaseCalls, want)
	}
	if want := [][2]string{{forkPoint, agentCommit}}; !slices.Equal(repo.diffs, want) {
		t.Errorf("diffed %v, want %v", repo.diffs, want)
	}
	if r.ChangedFiles != 3 {
		t.Errorf("ChangedFiles = %d, want 3", r.ChangedFiles)
	}
	if got := rules(r.Findings); !slices.Equal(got, []string{"ci", "build-file"}) {
		t.Errorf("findings %v, want ci then build-file (most severe first)", got)
	}
	if r.Counts["high"] != 1 || r.Counts["medium"] != 1 || r.Counts["low"] != 0 {
		t.Errorf("Counts = %v", r.Counts)
	}
}

func TestInspectUnrelatedHistoriesDiffFromTheEmptyTree(t *testing.T) {
	repo := agentRepo(".envrc")
	repo.mergeBases = nil // no common ancestor: everything the agent has is new
	r, err := (&Gate{Repo: repo}).Inspect(context.Background(), "HEAD", tracking)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][2]string{{EmptyTree, agentCommit}}; !slices.Equal(repo.diffs, want) {
		t.Errorf("diffed %v, want from the empty tree %v", repo.diffs, want)
	}
	if r.MergeBase != "" {
		t.Errorf("MergeBase = %q, want empty", r.MergeBase)
	}
	if got := rules(r.Findings); !slices.Equal(got, []string{"direnv"}) {
		t.Errorf("findings %v", got)
	}
}

func TestInspectCleanReportHasEmptyNotNilFindings(t *testing.T) {
	r, err := (&Gate{Repo: agentRepo("README.md")}).Inspect(context.Background(), "HEAD", tracking)
	if err != nil {
		t.Fatal(err)
	}
	// inspect --json documents "findings": [], never null.
	if r.Findings == nil || len(r.Findings) != 0 {
		t.Errorf("Findings = %#v, want an empty slice", r.Findings)
	}
	if r.Counts["high"] != 0 || len(r.Counts) != 3 {
		t.Errorf("Counts = %v, want zero for each severity", r.Counts)
	}
}

func TestInspectProtectMakesAPathHighRisk(t *testing.T) {
	repo := agentRepo("deploy/prod.yml", "README.md")
	r, err := (&Gate{Repo: repo, Protect: []string{"deploy/**"}}).Inspect(context.Background(), "HEAD", tracking)
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(r.OnlyHigh().Findings); !slices.Equal(got, []string{"protected"}) {
		t.Errorf("high findings %v, want protected", got)
	}
}

func TestInspectStopsOnUnresolvableSides(t *testing.T) {
	for _, tc := range []struct{ base, theirs string }{
		{"HEAD", "refs/remotes/airlock-x/gone"},
		{"no-such-base", tracking},
	} {
		repo := agentRepo(".envrc")
		if _, err := (&Gate{Repo: repo}).Inspect(context.Background(), tc.base, tc.theirs); err == nil {
			t.Errorf("Inspect(%q, %q): no error", tc.base, tc.theirs)
		}
		if len(repo.diffs) != 0 {
			t.Errorf("Inspect(%q, %q) diffed %v after a failed resolution", tc.base, tc.theirs, repo.diffs)
		}
	}
}

func TestOnlyHighNarrowsFindingsAndCounts(t *testing.T) {
	r, err := (&Gate{Repo: agentRepo(".envrc", "Makefile", ".github/workflows/a.yml", ".env")}).Inspect(context.Background(), "HEAD", tracking)
	if err != nil {
		t.Fatal(err)
	}
	high := r.OnlyHigh()
	if got := rules(high.Findings); !slices.Equal(got, []string{"direnv", "ci"}) { // by path within a severity
		t.Errorf("OnlyHigh findings %v", got)
	}
	if high.Counts["high"] != 2 || high.Counts["medium"] != 0 {
		t.Errorf("OnlyHigh counts %v", high.Counts)
	}
	if len(r.Findings) != 4 || r.Counts["medium"] != 2 {
		t.Errorf("OnlyHigh changed the original report: %v %v", rules(r.Findings), r.Counts)
	}
	if high.Commit != r.Commit || high.Ref != r.Ref {
		t.Errorf("OnlyHigh lost the commit or ref")
	}
}

func TestRecordPropagatesTheNoteError(t *testing.T) {
	repo := agentRepo(".envrc")
	repo.addErr = errors.New("notes locked")
	g := &Gate{Repo: repo, Now: time.Now}
	r, err := g.Inspect(context.Background(), "HEAD", tracking)
	if err != nil {
		t.Fatal(err)
	}
	rec := g.NewRecord("merge", "x", "claude", r, headCommit, true)
	if err := g.Record(context.Background(), rec, r.Commit); err == nil || !strings.Contains(err.Error(), "notes locked") {
		t.Errorf("Record error = %v", err)
	}
}

func TestAcceptedFiltersBySandboxAndSkipsMalformedValues(t *testing.T) {
	entries := []gitx.ConfigEntry{
		{Key: "airlock.acceptedrisk", Value: "x aaaa 2026-11-27T12:00:00Z 2 ci,direnv"},
		{Key: "airlock.acceptedrisk", Value: "xy bbbb 2026-11-27T12:00:00Z 1 ci"},            // another sandbox, same prefix
		{Key: "airlock.acceptedrisk", Value: "x cccc yesterday 1 ci"},                        // bad time
		{Key: "airlock.acceptedrisk", Value: "x dddd 2026-11-27T12:00:00Z many ci"},          // bad count
		{Key: "airlock.acceptedrisk", Value: "x eeee 2026-11-27T12:00:00Z 1"},                // too few fields
		{Key: "airlock.acceptedrisk", Value: "x ffff 2026-11-27T12:00:00Z 1 ci extra"},       // too many fields
		{Key: "airlock.protect", Value: "x gggg 2026-11-27T12:00:00Z 1 ci"},                  // another key
		{Key: "airlock.acceptedrisk", Value: "x hhhh 2026-11-28T09:30:00+01:00 1 protected"}, // an offset is fine
	}
	got := Accepted(nil, entries)["x"]
	var commits []string
	for _, a := range got {
		commits = append(commits, a.Commit)
	}
	if !slices.Equal(commits, []string{"aaaa", "hhhh"}) {
		t.Errorf("accepted commits %v, want [aaaa hhhh]", commits)
	}
	if len(Accepted(nil, entries)["nobody"]) != 0 {
		t.Errorf("acceptances of an unknown sandbox")
	}
}

// hookRepo: the agent's commit is the tip of the sandbox's tracking ref and
// brings a CI workflow; a local branch "feature" is unrelated to any
// sandbox.
func hookRepo(changes ...string) *fakeRepo {
	repo := agentRepo(changes...)
	const feature = "4444444444444444444444444444444444444444"
	repo.revs["feature"] = feature
	repo.trees[feature] = added(".github/workflows/feature.yml")
	repo.mergeBases[[2]string{headCommit, feature}] = forkPoint
	return repo
}

func TestPreMergeCommitStopsHighFindingsFromASandbox(t *testing.T) {
	repo := hookRepo(".github/workflows/ci.yml", "Makefile")
	err := (&Gate{Repo: repo}).PreMergeCommit(context.Background(), "merge airlock-x/HEAD")
	var stop *HookStop
	if !errors.As(err, &stop) {
		t.Fatalf("error %v, want a *HookStop", err)
	}
	if stop.Report.Ref != "airlock-x/HEAD" || stop.Report.Commit != agentCommit {
		t.Errorf("stopped %q at %q", stop.Report.Ref, stop.Report.Commit)
	}
	if got := rules(stop.Report.Findings); !slices.Equal(got, []string{"ci"}) {
		t.Errorf("report holds %v, want only the high finding", got)
	}
	if stop.Report.Counts["medium"] != 0 || stop.Report.Counts["high"] != 1 {
		t.Errorf("counts %v", stop.Report.Counts)
	}
	hints := hint.Of(err)
	if len(hints) != 2 || !strings.Contains(hints[0], "git merge --abort") || !strings.Contains(hints[1], "--no-verify") {
		t.Errorf("hints %q", hints)
	}
	// The hook inspects what the merge brings into HEAD.
	if len(repo.mergeBaseCalls) != 1 || repo.mergeBaseCalls[0] != [2]string{headCommit, agentCommit} {
		t.Errorf("merge base asked for %v", repo.mergeBaseCalls)
	}
}

func TestPreMergeCommitDecides(t *testing.T) {
	const (
		older  = "5555555555555555555555555555555555555555"
		kept   = "6666666666666666666666666666666666666666"
		stray  = "7777777777777777777777777777777777777777"
		second = "8888888888888888888888888888888888888888"
	)
	for _, tc := range []struct {
		name       string
		changes    []string // what the agent's commit brings
		mergeHeads []string
		reflog     string
		setup      func(*fakeRepo)
		wantRef    string // "" for no stop
		wantDiffs  int    // inspections run
	}{
		{name: "automatic merge by remote-tracking name", changes: []string{".envrc"},
			reflog: "merge airlock-x/HEAD", wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "by raw hash: still from a sandbox", changes: []string{".envrc"},
			reflog: "merge " + agentCommit, wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "a local branch made from the agent's commit", changes: []string{".envrc"},
			reflog: "merge mine", setup: func(r *fakeRepo) { r.revs["mine"] = agentCommit },
			wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "an older commit of the sandbox's history", changes: []string{".envrc"},
			reflog: "merge " + older, setup: func(r *fakeRepo) {
				r.trees[older] = added(".husky/pre-commit")
				r.mergeBases[[2]string{headCommit, older}] = forkPoint
				r.contains[[2]string{older, agentCommit}] = true
			}, wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "flags in the reflog action are not revisions", changes: []string{".envrc"},
			reflog: "merge --no-ff -m msg airlock-x/HEAD", wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "MERGE_HEAD wins over GIT_REFLOG_ACTION", changes: []string{".envrc"},
			mergeHeads: []string{agentCommit}, reflog: "merge feature", wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "a clean MERGE_HEAD hides a risky reflog action", changes: []string{"README.md"},
			mergeHeads: []string{agentCommit}, reflog: "merge feature", wantDiffs: 1},
		{name: "a commit in no airlock ref passes untouched", changes: []string{".envrc"},
			reflog: "merge feature", wantDiffs: 0},
		{name: "a removed sandbox's kept ref is checked too", changes: []string{"README.md"},
			reflog: "merge " + kept, setup: func(r *fakeRepo) {
				r.trees[kept] = added(".github/workflows/x.yml")
				r.mergeBases[[2]string{headCommit, kept}] = forkPoint
				r.refs[sandboxref.RemovedPrefix] = map[string]string{"refs/airlock/removed/old/main": kept}
			}, wantRef: "refs/airlock/removed/old/main", wantDiffs: 1},
		{name: "unreadable tracking refs still leave the kept ones", changes: []string{"README.md"},
			reflog: "merge " + kept, setup: func(r *fakeRepo) {
				r.trees[kept] = added(".envrc")
				r.mergeBases[[2]string{headCommit, kept}] = forkPoint
				r.refsErr = map[string]error{sandboxref.AllTrackingPrefix: errors.New("broken")}
				r.refs[sandboxref.RemovedPrefix] = map[string]string{"refs/airlock/removed/old/main": kept}
			}, wantRef: "refs/airlock/removed/old/main", wantDiffs: 1},
		{name: "medium findings only pass", changes: []string{"Makefile", ".env", "AGENTS.md"},
			reflog: "merge airlock-x/HEAD", wantDiffs: 1},
		{name: "an octopus stops on its risky head", changes: []string{".envrc"},
			mergeHeads: []string{second, agentCommit}, setup: func(r *fakeRepo) {
				r.trees[second] = added("README.md")
				r.mergeBases[[2]string{headCommit, second}] = forkPoint
				r.contains[[2]string{second, agentCommit}] = true
			}, wantRef: "airlock-x/HEAD", wantDiffs: 2},
		{name: "git pull merges FETCH_HEAD, whatever its arguments", changes: []string{".envrc"},
			reflog: "pull --no-edit airlock-x agent/x", setup: func(r *fakeRepo) { r.revs["FETCH_HEAD"] = agentCommit },
			wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "a bare git pull too", changes: []string{".envrc"},
			reflog: "pull", setup: func(r *fakeRepo) { r.revs["FETCH_HEAD"] = agentCommit },
			wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "git merge - (older gits pass the dash: the previous branch, @{-1})", changes: []string{".envrc"},
			reflog: "merge -", setup: func(r *fakeRepo) { r.revs["@{-1}"] = agentCommit },
			wantRef: "airlock-x/HEAD", wantDiffs: 1},
		{name: "a branch the agent deleted and fetch.prune removed: found in a reflog", changes: []string{"README.md"},
			reflog: "merge " + kept, setup: func(r *fakeRepo) {
				r.trees[kept] = added(".envrc")
				r.mergeBases[[2]string{headCommit, kept}] = forkPoint
				r.reflogs = map[string][]string{"refs/remotes/airlock-x/HEAD": {agentCommit, kept}}
			}, wantRef: "airlock-x/HEAD (reflog)", wantDiffs: 1},
		{name: "fetched through sbx's own sandbox-<name> remote", changes: []string{"README.md"},
			reflog: "merge sandbox-x/agent", setup: func(r *fakeRepo) {
				r.revs["sandbox-x/agent"] = kept
				r.trees[kept] = added(".envrc")
				r.mergeBases[[2]string{headCommit, kept}] = forkPoint
				r.refs[sandboxref.SbxTrackingPrefix] = map[string]string{"refs/remotes/sandbox-x/agent": kept}
			}, wantRef: "sandbox-x/agent", wantDiffs: 1},
		{name: "sbx's mirror refs/sandboxes/<name>/*", changes: []string{"README.md"},
			reflog: "merge " + kept, setup: func(r *fakeRepo) {
				r.trees[kept] = added(".envrc")
				r.mergeBases[[2]string{headCommit, kept}] = forkPoint
				r.refs[sandboxref.SbxMirrorPrefix] = map[string]string{"refs/sandboxes/x/agent": kept}
			}, wantRef: "refs/sandboxes/x/agent", wantDiffs: 1},
		{name: "the branch whose tip is the commit names it, not HEAD", changes: []string{".envrc"},
			reflog: "pull", setup: func(r *fakeRepo) {
				r.revs["FETCH_HEAD"] = agentCommit
				r.refs[sandboxref.AllTrackingPrefix]["refs/remotes/airlock-x/agent/y"] = agentCommit
			}, wantRef: "airlock-x/agent/y", wantDiffs: 1},
		{name: "not a merge", changes: []string{".envrc"}, reflog: "commit (merge)", wantDiffs: 0},
		{name: "no reflog action", changes: []string{".envrc"}, reflog: "", wantDiffs: 0},
		{name: "an unknown revision is skipped", changes: []string{".envrc"}, reflog: "merge " + stray, wantDiffs: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := hookRepo(tc.changes...)
			repo.contains = map[[2]string]bool{}
			repo.mergeHeads = tc.mergeHeads
			if tc.setup != nil {
				tc.setup(repo)
			}
			err := (&Gate{Repo: repo}).PreMergeCommit(context.Background(), tc.reflog)
			var stop *HookStop
			switch {
			case tc.wantRef == "" && err != nil:
				t.Errorf("error %v, want the merge to pass", err)
			case tc.wantRef != "" && !errors.As(err, &stop):
				t.Errorf("error %v, want a *HookStop", err)
			case tc.wantRef != "" && stop.Report.Ref != tc.wantRef:
				t.Errorf("stopped on %q, want %q", stop.Report.Ref, tc.wantRef)
			}
			if len(repo.diffs) != tc.wantDiffs {
				t.Errorf("inspected %d times (%v), want %d", len(repo.diffs), repo.diffs, tc.wantDiffs)
			}
			if tc.mergeHeads != nil && slices.Contains(repo.resolved, "feature") {
				t.Errorf("resolved the reflog action although MERGE_HEAD names the merge")
			}
		})
	}
}

func TestPreMergeCommitReportsInspectionErrors(t *testing.T) {
	repo := hookRepo(".envrc")
	delete(repo.revs, "HEAD") // an unborn or broken HEAD
	err := (&Gate{Repo: repo}).PreMergeCommit(context.Background(), "merge airlock-x/HEAD")
	var stop *HookStop
	if err == nil || errors.As(err, &stop) {
		t.Errorf("error %v, want the inspection's error", err)
	}
}
