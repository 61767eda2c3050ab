package gate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
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
	g := &Gate{Repo: repo, Notes: repo}
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
	if r.Counts.High != 1 || r.Counts.Medium != 1 || r.Counts.Low != 0 {
		t.Errorf("Counts = %v", r.Counts)
	}
}

func TestInspectUnrelatedHistoriesDiffFromTheEmptyTree(t *testing.T) {
	repo := agentRepo(".envrc")
	repo.mergeBases = nil // no common ancestor: everything the agent has is new
	r, err := (&Gate{Repo: repo, Notes: repo}).Inspect(context.Background(), "HEAD", tracking)
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
	if r.Counts != (inspect.Counts{}) {
		t.Errorf("Counts = %v, want zero for each severity", r.Counts)
	}
}

func TestInspectProtectMakesAPathHighRisk(t *testing.T) {
	repo := agentRepo("deploy/prod.yml", "README.md")
	r, err := (&Gate{Repo: repo, Notes: repo, Protect: []string{"deploy/**"}}).Inspect(context.Background(), "HEAD", tracking)
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
		if _, err := (&Gate{Repo: repo, Notes: repo}).Inspect(context.Background(), tc.base, tc.theirs); err == nil {
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
	if high.Counts.High != 2 || high.Counts.Medium != 0 {
		t.Errorf("OnlyHigh counts %v", high.Counts)
	}
	if len(r.Findings) != 4 || r.Counts.Medium != 2 {
		t.Errorf("OnlyHigh changed the original report: %v %v", rules(r.Findings), r.Counts)
	}
	if high.Commit != r.Commit || high.Ref != r.Ref {
		t.Errorf("OnlyHigh lost the commit or ref")
	}
}

func TestRecordPropagatesTheNoteError(t *testing.T) {
	repo := agentRepo(".envrc")
	repo.addErr = errors.New("notes locked")
	g := &Gate{Repo: repo, Notes: repo, Now: time.Now}
	r, err := g.Inspect(context.Background(), "HEAD", tracking)
	if err != nil {
		t.Fatal(err)
	}
	rec := g.NewRecord(ActionMerge, "x", "claude", r, headCommit, true)
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

// graphRepo adds a commit graph to fakeRepo, for the gate's History:
// parents per commit; reachability is computed as git's rev-list would.
type graphRepo struct {
	*fakeRepo
	parents map[string][]string
}

func (g *graphRepo) reach(tips []string) map[string]bool {
	seen := map[string]bool{}
	for len(tips) > 0 {
		c := tips[0]
		tips = tips[1:]
		if seen[c] {
			continue
		}
		seen[c] = true
		tips = append(tips, g.parents[c]...)
	}
	return seen
}

func (g *graphRepo) RevList(_ context.Context, include, exclude []string) ([]string, error) {
	out := []string{}
	ex := g.reach(exclude)
	for c := range g.reach(include) {
		if !ex[c] {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (g *graphRepo) HasCommit(h string) bool { _, ok := g.parents[h]; return ok }

func (g *graphRepo) ReflogTips(_ context.Context, refs []string) ([]string, error) {
	var out []string
	for _, r := range refs {
		out = append(out, g.reflogs[r]...)
	}
	return out, nil
}

func (g *graphRepo) RefsContaining(_ context.Context, commit string, prefixes ...string) ([]string, error) {
	var out []string
	for _, p := range prefixes {
		for ref, tip := range g.refs[p] {
			if g.reach([]string{tip})[commit] {
				out = append(out, ref)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

var _ History = (*graphRepo)(nil)

// moveRepo: main is at headCommit; the sandbox's branch agent/w holds
// agentCommit (what changes lists) on forkPoint; hostCommit is a host
// commit made on top of agentCommit (a review branch).
const hostCommit = "4444444444444444444444444444444444444444"

func moveRepo(changes ...string) *graphRepo {
	repo := agentRepo(changes...)
	repo.refs[sandboxref.AllTrackingPrefix] = map[string]string{"refs/remotes/airlock-x/agent/w": agentCommit}
	repo.trees[hostCommit] = added(changes...)
	repo.trees[forkPoint] = nil
	repo.mergeBases[[2]string{headCommit, hostCommit}] = forkPoint
	return &graphRepo{fakeRepo: repo, parents: map[string][]string{
		forkPoint: nil, headCommit: {forkPoint}, agentCommit: {forkPoint}, hostCommit: {agentCommit}}}
}

func TestCheckMoveJudgesByHistory(t *testing.T) {
	risky := []string{".envrc"}
	for _, tc := range []struct {
		name      string
		repo      *graphRepo
		new       string
		accepted  []string
		wantRef   string // "" for no stop
		wantDiffs int
	}{
		{name: "fast-forward onto the agent's commit", repo: moveRepo(risky...), new: agentCommit, wantRef: "airlock-x/agent/w", wantDiffs: 1},
		{name: "a host commit on top launders nothing", repo: moveRepo(risky...), new: hostCommit, wantRef: "airlock-x/agent/w", wantDiffs: 1},
		{name: "accepted: its history passes", repo: moveRepo(risky...), new: hostCommit, accepted: []string{agentCommit}},
		{name: "an acceptance the repository lost is no exclusion", repo: moveRepo(risky...), new: agentCommit,
			accepted: []string{"9999999999999999999999999999999999999999"}, wantRef: "airlock-x/agent/w", wantDiffs: 1},
		{name: "benign sandbox work: inspected, passes", repo: moveRepo("README.md"), new: agentCommit, wantDiffs: 1},
		{name: "the host's own history: not inspected", repo: moveRepo(risky...), new: headCommit},
		{name: "only in a sandbox HEAD's reflog (the branch was pruned)", new: agentCommit, repo: func() *graphRepo {
			r := moveRepo(risky...)
			r.refs[sandboxref.AllTrackingPrefix] = map[string]string{}
			r.refs[sandboxref.HeadPrefix] = map[string]string{"refs/airlock/head/airlock-x": forkPoint}
			r.reflogs = map[string][]string{"refs/airlock/head/airlock-x": {forkPoint, agentCommit}}
			return r
		}(), wantRef: "airlock-x/HEAD (reflog)", wantDiffs: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stop, err := (&Gate{Repo: tc.repo}).CheckMove(context.Background(), tc.repo, forkPoint, tc.new, tc.accepted)
			switch {
			case err != nil:
				t.Fatal(err)
			case tc.wantRef == "" && stop != nil:
				t.Errorf("stopped: %+v", stop.Report)
			case tc.wantRef != "" && (stop == nil || stop.Report.Ref != tc.wantRef || stop.New != tc.new):
				t.Errorf("stop %+v, want one naming %q", stop, tc.wantRef)
			}
			if len(tc.repo.mergeBaseCalls) != tc.wantDiffs {
				t.Errorf("%d inspections, want %d", len(tc.repo.mergeBaseCalls), tc.wantDiffs)
			}
		})
	}
}

func TestCheckCopyJudgesTheCopiedCommit(t *testing.T) {
	repo := moveRepo(".envrc")
	repo.revs[agentCommit+"^"] = forkPoint
	repo.trees[forkPoint] = nil
	repo.mergeBases[[2]string{forkPoint, agentCommit}] = forkPoint
	stop, err := (&Gate{Repo: repo, Notes: repo}).CheckCopy(context.Background(), repo, headCommit, agentCommit, nil)
	if err != nil || stop == nil || stop.Landing != CherryPick || stop.Report.Sandbox != "x" {
		t.Fatalf("stop %+v, err %v", stop, err)
	}
	stop, err = (&Gate{Repo: repo, Notes: repo}).CheckCopy(context.Background(), repo, agentCommit, hostCommit, nil)
	if err != nil || stop != nil {
		t.Errorf("a host commit copied: stop %+v, err %v", stop, err)
	}
}

func TestLandingTokenNeedsTheRecordOfThatLanding(t *testing.T) {
	repo := agentRepo()
	g := &Gate{Repo: repo, Notes: repo}
	rec := g.NewRecord(ActionMerge, "x", "", Report{Commit: agentCommit}, headCommit, false)
	if err := g.Record(context.Background(), rec, agentCommit); err != nil {
		t.Fatal(err)
	}
	if got := g.AcceptedCommits(nil, agentCommit, headCommit); !slices.Equal(got, []string{agentCommit}) {
		t.Errorf("token with its record: %v", got)
	}
	if got := g.AcceptedCommits(nil, agentCommit, forkPoint); len(got) != 0 {
		t.Errorf("token on another base: %v", got)
	}
	if got := g.AcceptedCommits(nil, "", headCommit); len(got) != 0 {
		t.Errorf("no token, nothing accepted: %v", got)
	}
}
