package review

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/workflow/workflowtest"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// fakeRepo is a host repository in memory. A revision may resolve to a
// different commit on each call (a fetch moving a ref); each commit brings
// a fixed list of files; every call is recorded.
type fakeRepo struct {
	workflowtest.Situations
	revs       map[string][]string          // revision → successive answers, the last repeating
	trees      map[string][]gitx.TreeChange // commit → what it brings
	mergeBases map[[2]string]string         // (a, b) → merge base
	ancestors  map[[2]string]bool           // (a, b): a is in b's history
	head       gitx.Head
	config     map[string]string
	fetchErr   error
	mergeErr   error
	pushErr    error
	submodules []string

	calls          []string // operation names in order
	resolved       []string
	mergeBaseCalls [][2]string
	diffs          [][2]string // DiffTree (from, to)
	fetched        [][]string
	notes          map[string]string // refs/notes/airlock: object → note
	squashMsg      string
	shown          []string // commits ShowNoted showed
	stats          map[string][4]int
	compares       []gitx.CompareRequest
	tools          []string
	merges         []gitx.MergeRequest
	pushes         []gitx.PushRequest
	locked         int
	unlocked       int
}

func (f *fakeRepo) Lock(context.Context, gitx.LockWait) (func(), error) {
	f.calls = append(f.calls, "lock")
	f.locked++
	return func() { f.unlocked++ }, nil
}

func (f *fakeRepo) Fetch(_ context.Context, _ xec.Streams, remotes ...string) error {
	f.calls = append(f.calls, "fetch")
	f.fetched = append(f.fetched, remotes)
	return f.fetchErr
}

func (f *fakeRepo) InitialisedSubmodules(context.Context) ([]string, error) { return f.submodules, nil }

func (f *fakeRepo) FetchInto(_ context.Context, _ xec.Streams, dir, url, namespace string) error {
	f.calls = append(f.calls, "fetch-into "+dir+" "+url+" "+namespace)
	return nil
}

func (f *fakeRepo) ResolveCommit(rev string) (string, error) {
	f.resolved = append(f.resolved, rev)
	seq, ok := f.revs[rev]
	if !ok {
		if _, isCommit := f.trees[rev]; isCommit {
			return rev, nil
		}
		return "", fmt.Errorf("resolve %q: unknown revision", rev)
	}
	h := seq[0]
	if len(seq) > 1 {
		f.revs[rev] = seq[1:]
	}
	return h, nil
}

func (f *fakeRepo) MergeBase(_ context.Context, a, b string) (string, error) {
	f.mergeBaseCalls = append(f.mergeBaseCalls, [2]string{a, b})
	return f.mergeBases[[2]string{a, b}], nil
}

func (f *fakeRepo) DiffTree(_ context.Context, from, to string) ([]gitx.TreeChange, error) {
	f.calls = append(f.calls, "inspect "+to)
	f.diffs = append(f.diffs, [2]string{from, to})
	return f.trees[to], nil
}

func (f *fakeRepo) BlobSize(string) (int64, error)         { return 5, nil }
func (f *fakeRepo) BlobHead(string, int64) ([]byte, error) { return []byte("text\n"), nil }

func (f *fakeRepo) Refs(string) (map[string]string, error) { return nil, nil }

func (f *fakeRepo) IsAncestor(a, b string) (bool, error) {
	return a == b || f.ancestors[[2]string{a, b}], nil
}

func (f *fakeRepo) ConfigUnset(_ context.Context, key string) error {
	f.calls = append(f.calls, "config-unset "+key)
	return nil
}

func (f *fakeRepo) AppendNote(_ context.Context, _, object, text string) error {
	f.calls = append(f.calls, "note "+object)
	f.notes = appendNote(f.notes, object, text)
	return nil
}

// appendNote appends as git notes append does: a blank line between texts.
func appendNote(notes map[string]string, object, text string) map[string]string {
	if notes == nil {
		notes = map[string]string{}
	}
	if old, ok := notes[object]; ok {
		text = old + "\n" + text
	}
	notes[object] = text
	return notes
}

func (f *fakeRepo) Notes(string) (map[string]string, error) { return f.notes, nil }

func (f *fakeRepo) LandingMerge(context.Context, string, string) (string, error) { return "", nil }

func (f *fakeRepo) QuitMerge(context.Context) error { return nil }

func (f *fakeRepo) PushNotes(_ context.Context, _ xec.Streams, remote, ref string) error {
	f.calls = append(f.calls, "push-notes "+remote+" "+ref)
	return nil
}

func (f *fakeRepo) ShowNoted(_ context.Context, _ xec.Streams, ref string, commits []string, _ bool) error {
	f.calls = append(f.calls, "show-noted")
	f.shown = append(f.shown, commits...)
	return nil
}

// AheadBehind answers from stats: each commit's (ahead, files, added,
// deleted) against any base.
func (f *fakeRepo) AheadBehind(_ context.Context, a, _ string) (int, int, error) {
	return f.stats[a][0], 0, nil
}

func (f *fakeRepo) DiffStat(_ context.Context, _, theirs string) (gitx.DiffStat, error) {
	s := f.stats[theirs]
	return gitx.DiffStat{Files: s[1], Added: s[2], Deleted: s[3]}, nil
}

func (f *fakeRepo) AppendSquashMessage(text string) error {
	f.calls = append(f.calls, "squash-message")
	f.squashMsg += text
	return nil
}

func (f *fakeRepo) MergeHeads() []string { return nil }

func (f *fakeRepo) ReflogCommits(context.Context, string) ([]string, error) { return nil, nil }

func (f *fakeRepo) Head() (gitx.Head, error) { return f.head, nil }

func (f *fakeRepo) ConfigRead(_ context.Context, pattern string) ([]gitx.ConfigEntry, error) {
	return workflowtest.ConfigEntries(f.config, pattern), nil
}

func (f *fakeRepo) ConfigGet(_ context.Context, key string) (string, bool, error) {
	v, ok := f.config[key]
	return v, ok, nil
}

func (f *fakeRepo) ConfigSet(_ context.Context, key, value string) error {
	f.calls = append(f.calls, "config-set "+key+"="+value)
	if f.config == nil {
		f.config = map[string]string{}
	}
	f.config[key] = value
	return nil
}

func (f *fakeRepo) Diff(_ context.Context, req gitx.CompareRequest, _ gitx.Form) error {
	f.calls = append(f.calls, "diff")
	f.compares = append(f.compares, req)
	return nil
}

func (f *fakeRepo) Log(_ context.Context, req gitx.CompareRequest, _ gitx.Form) error {
	f.calls = append(f.calls, "log")
	f.compares = append(f.compares, req)
	return nil
}

func (f *fakeRepo) DirDiff(_ context.Context, req gitx.CompareRequest, tool string) error {
	f.calls = append(f.calls, "difftool")
	f.compares = append(f.compares, req)
	f.tools = append(f.tools, tool)
	return nil
}

// Merge reports on its streams as git does: "Updating …" on stdout, and on
// failure an error on stderr.
func (f *fakeRepo) Merge(_ context.Context, req gitx.MergeRequest) error {
	f.calls = append(f.calls, "merge")
	f.merges = append(f.merges, req)
	if req.Streams.Out != nil {
		fmt.Fprintln(req.Streams.Out, "Updating a..b")
	}
	if f.mergeErr != nil && req.Streams.Err != nil {
		fmt.Fprintln(req.Streams.Err, "error: would be overwritten")
	}
	return f.mergeErr
}

func (f *fakeRepo) StagedFiles(context.Context) (int, error) { return 2, nil }

func (f *fakeRepo) Push(_ context.Context, req gitx.PushRequest) error {
	f.calls = append(f.calls, "push")
	f.pushes = append(f.pushes, req)
	return f.pushErr
}

var _ allRepo = (*fakeRepo)(nil)

// fakeUI records what the user is told.
type fakeUI = workflowtest.UI

// fakeForge records pull requests.
type fakeForge struct {
	err   error
	calls [][3]string // dir, base, branch
}

func (f *fakeForge) CreatePR(_ context.Context, dir, base, branch string, _, _ io.Writer) error {
	f.calls = append(f.calls, [3]string{dir, base, branch})
	return f.err
}

const (
	headCommit  = "1111111111111111111111111111111111111111"
	agentCommit = "2222222222222222222222222222222222222222"
	movedCommit = "9999999999999999999999999999999999999999" // what a later fetch brings
	forkPoint   = "3333333333333333333333333333333333333333"
	mainCommit  = "4444444444444444444444444444444444444444"
	tracking    = "refs/remotes/airlock-x1/HEAD"
)

// world is a service over a repository with one sandbox, x1, whose HEAD
// brings changes; HEAD is branch feature.
type world struct {
	svc      *Service
	repo     *fakeRepo
	ui       *fakeUI
	forge    *fakeForge
	asked    []gate.Report // what ConfirmRisk was shown
	confirms bool          // ConfirmRisk's answer
}

var sandboxX = []gitx.ConfigEntry{
	{Key: "remote.airlock-x1.url", Value: "airlock://x1/home/u/repo", Scope: "local"},
	{Key: "remote.airlock-x1.airlockagent", Value: "claude", Scope: "local"},
}

func newWorld(t *testing.T, changes ...string) *world {
	t.Helper()
	return newWorldWith(t, nil, changes...)
}

// newWorldWith loads settings from extra airlock.* git config entries.
func newWorldWith(t *testing.T, settings []gitx.ConfigEntry, changes ...string) *world {
	t.Helper()
	s, err := config.Load(config.Inputs{Git: settings})
	if err != nil {
		t.Fatal(err)
	}
	var tree []gitx.TreeChange
	for _, p := range changes {
		tree = append(tree, gitx.TreeChange{Status: 'A', Path: p, NewMode: gitx.ModeFile, NewHash: "blob-" + p})
	}
	repo := &fakeRepo{
		revs: map[string][]string{"HEAD": {headCommit}, "feature": {headCommit}, "refs/heads/feature": {headCommit},
			"develop": {mainCommit}, tracking: {agentCommit}},
		trees: map[string][]gitx.TreeChange{agentCommit: tree, headCommit: nil, mainCommit: nil,
			movedCommit: {{Status: 'A', Path: ".envrc", NewMode: gitx.ModeFile, NewHash: "evil"}}},
		mergeBases: map[[2]string]string{{headCommit, agentCommit}: forkPoint, {mainCommit, agentCommit}: forkPoint},
		ancestors:  map[[2]string]bool{},
		head:       gitx.Head{Hash: headCommit, Branch: "feature"},
		config:     map[string]string{"remote.origin.url": "git@github.com:acme/app.git"},
	}
	w := &world{repo: repo, ui: &fakeUI{}, forge: &fakeForge{}}
	w.svc = &Service{UI: w.ui, Repo: repo, Root: "/home/u/repo", Settings: s, Entries: sandboxX, Forge: w.forge,
		ConfirmRisk: func(r gate.Report) bool {
			w.asked = append(w.asked, r)
			return w.confirms
		}}
	return w
}

func (w *world) did(op string) bool {
	for _, c := range w.repo.calls {
		if c == op {
			return true
		}
	}
	return false
}
