package review

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

var twoSandboxes = append(slices.Clone(sandboxX),
	gitx.ConfigEntry{Key: "remote.airlock-y1.url", Value: "airlock://y1/home/u/repo"},
	// Not ours: the name says airlock-, the URL names another sandbox.
	gitx.ConfigEntry{Key: "remote.airlock-z1.url", Value: "airlock://x1/home/u/repo"},
	gitx.ConfigEntry{Key: "remote.origin.url", Value: "git@github.com:acme/app.git"},
)

func TestFetch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []gitx.ConfigEntry
		req     FetchRequest
		want    []string
		wantErr string
	}{
		{name: "one", entries: twoSandboxes, req: FetchRequest{Name: "y1"}, want: []string{"airlock-y1"}},
		{name: "all", entries: twoSandboxes, req: FetchRequest{All: true}, want: []string{"airlock-x1", "airlock-y1"}},
		{name: "all of none", req: FetchRequest{All: true}, wantErr: "this repository has no sandboxes"},
		{name: "unknown", entries: twoSandboxes, req: FetchRequest{Name: "z1"}, wantErr: `no sandbox "z1" in this repository`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.svc.Entries = tc.entries
			err := w.svc.Fetch(ctx, tc.req)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || len(hint.Of(err)) != 1 || w.did("fetch") {
					t.Errorf("error %v, hints %q, calls %v", err, hint.Of(err), w.repo.calls)
				}
				return
			}
			if err != nil || len(w.repo.fetched) != 1 || !slices.Equal(w.repo.fetched[0], tc.want) {
				t.Errorf("error %v, fetched %v, want %v", err, w.repo.fetched, tc.want)
			}
		})
	}
}

func TestFetchBringsTheAgentsSubmoduleCommits(t *testing.T) {
	w := newWorld(t)
	w.repo.submodules = []string{"lib/dep"}
	if err := w.svc.Fetch(ctx, FetchRequest{Name: "x1"}); err != nil {
		t.Fatal(err)
	}
	if !w.did("fetch-into lib/dep airlock://x1/home/u/repo/lib/dep airlock-x1") {
		t.Errorf("calls %v", w.repo.calls)
	}
}

func TestFetchDryRunTakesNoLock(t *testing.T) {
	w := newWorld(t)
	w.svc.DryRun = true
	if err := w.svc.Fetch(ctx, FetchRequest{Name: "x1"}); err != nil {
		t.Fatal(err)
	}
	if w.did("lock") || !w.did("fetch") {
		t.Errorf("calls %v", w.repo.calls)
	}
}

func TestDiffAndLogSides(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings []gitx.ConfigEntry
		head     gitx.Head
		req      CompareRequest
		want     gitx.CompareRequest
		wantErr  string
	}{
		{name: "current branch", head: gitx.Head{Branch: "feature"}, req: CompareRequest{Name: "x1"},
			want: gitx.CompareRequest{Base: "feature", Theirs: tracking}},
		{name: "airlock.base wins over the branch", settings: []gitx.ConfigEntry{{Key: "airlock.base", Value: "develop"}},
			head: gitx.Head{Branch: "feature"}, req: CompareRequest{Name: "x1"}, want: gitx.CompareRequest{Base: "develop", Theirs: tracking}},
		{name: "argument wins", settings: []gitx.ConfigEntry{{Key: "airlock.base", Value: "develop"}},
			head: gitx.Head{Branch: "feature"}, req: CompareRequest{Name: "x1", Base: "HEAD"}, want: gitx.CompareRequest{Base: "HEAD", Theirs: tracking}},
		{name: "detached", head: gitx.Head{Hash: headCommit}, req: CompareRequest{Name: "x1", Branch: "agent/topic"},
			want: gitx.CompareRequest{Base: "HEAD", Theirs: "refs/remotes/airlock-x1/agent/topic"}},
		{name: "unknown base", head: gitx.Head{Branch: "feature"}, req: CompareRequest{Name: "x1", Base: "nope"}, wantErr: `unknown base "nope"`},
		{name: "unfetched branch", head: gitx.Head{Branch: "feature"}, req: CompareRequest{Name: "x1", Branch: "nope"},
			wantErr: `sandbox "x1" has no fetched branch "nope"`},
	} {
		for _, op := range []string{"diff", "log"} {
			t.Run(tc.name+"/"+op, func(t *testing.T) {
				w := newWorldWith(t, tc.settings)
				w.repo.head = tc.head
				w.repo.revs["refs/remotes/airlock-x1/agent/topic"] = []string{agentCommit}
				var err error
				if op == "diff" {
					err = w.svc.Diff(ctx, tc.req, gitx.Full)
				} else {
					err = w.svc.Log(ctx, tc.req, gitx.Summary)
				}
				if tc.wantErr != "" {
					if err == nil || err.Error() != tc.wantErr || w.did(op) {
						t.Errorf("error %v, calls %v", err, w.repo.calls)
					}
					return
				}
				if err != nil || len(w.repo.compares) != 1 {
					t.Fatalf("error %v, compares %v", err, w.repo.compares)
				}
				if got := w.repo.compares[0]; got.Base != tc.want.Base || got.Theirs != tc.want.Theirs {
					t.Errorf("%s %s...%s, want %s...%s", op, got.Base, got.Theirs, tc.want.Base, tc.want.Theirs)
				}
			})
		}
	}
}

func TestReviewTool(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings []gitx.ConfigEntry
		diffTool string // git's diff.tool; "" unset
		canAsk   bool
		wantTool string
		wantDiff bool // no tool configured: git diff and a hint
	}{
		{name: "no tool, no terminal", wantDiff: true},
		{name: "no tool, a terminal", canAsk: true, wantDiff: true},
		{name: "diff.tool, no terminal", diffTool: "meld", wantTool: ""},
		{name: "airlock.reviewTool", settings: []gitx.ConfigEntry{{Key: "airlock.reviewtool", Value: "kdiff3"}}, wantTool: "kdiff3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorldWith(t, tc.settings, "src/main.go")
			w.ui.Ask = tc.canAsk
			if tc.diffTool != "" {
				w.repo.config["diff.tool"] = tc.diffTool
			}
			err := w.svc.Review(ctx, CompareRequest{Name: "x1", NoFetch: true})
			if tc.wantDiff {
				if err != nil || !w.did("diff") || w.did("difftool") || len(w.ui.Hints) != 1 || !strings.Contains(w.ui.Hints[0], "airlock.reviewTool") {
					t.Errorf("error %v, calls %v, hints %q", err, w.repo.calls, w.ui.Hints)
				}
				return
			}
			if err != nil || len(w.repo.tools) != 1 || w.repo.tools[0] != tc.wantTool {
				t.Errorf("error %v, tools %q, want %q", err, w.repo.tools, tc.wantTool)
			}
		})
	}
}

func TestInspectRefThatResolvesAsGiven(t *testing.T) {
	w := newWorld(t, ".envrc")
	w.repo.revs["airlock-x1/main"] = []string{agentCommit}
	r, err := w.svc.Inspect(ctx, CompareRequest{Name: "x1", Branch: "airlock-x1/main"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Ref != "airlock-x1/main" || r.Commit != agentCommit || r.Base != "feature" || r.Counts.High != 1 {
		t.Errorf("report %+v", r)
	}
	if w.did("fetch") {
		t.Errorf("a ref given as is was fetched: %v", w.repo.calls)
	}
}

// A sandbox branch is never confused with the host's branch of the same
// name: without a slash the name is the sandbox's.
func TestInspectSandboxBranchNotTheHostsNamesake(t *testing.T) {
	w := newWorld(t, ".envrc")
	w.repo.revs["main"] = []string{mainCommit} // the host's main: clean
	w.repo.revs["refs/remotes/airlock-x1/main"] = []string{agentCommit}
	r, err := w.svc.Inspect(ctx, CompareRequest{Name: "x1", Branch: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Ref != "airlock-x1/main" || r.Commit != agentCommit || r.Sandbox != "x1" || r.Counts.High != 1 {
		t.Errorf("report %+v", r)
	}
	if !w.did("fetch") {
		t.Errorf("a sandbox branch was not fetched: %v", w.repo.calls)
	}
}

// agent/x names the agent's branch even when the host has an agent/x.
func TestInspectSandboxBranchWithASlashWinsOverTheHosts(t *testing.T) {
	w := newWorld(t, ".envrc")
	w.repo.revs["agent/x"] = []string{mainCommit} // a host branch of that name: clean
	w.repo.revs["refs/remotes/airlock-x1/agent/x"] = []string{agentCommit}
	r, err := w.svc.Inspect(ctx, CompareRequest{Name: "x1", Branch: "agent/x"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Ref != "airlock-x1/agent/x" || r.Commit != agentCommit || r.Sandbox != "x1" || r.Counts.High != 1 {
		t.Errorf("report %+v", r)
	}
}

func TestInspectDefaultsToTheSandboxHEAD(t *testing.T) {
	w := newWorld(t, "Makefile")
	r, err := w.svc.Inspect(ctx, CompareRequest{Name: "x1", NoFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Ref != "airlock-x1/HEAD" || r.Sandbox != "x1" || r.Counts.Medium != 1 || len(w.repo.notes) != 0 {
		t.Errorf("report %+v", r)
	}
	if err := (&Service{}).Fetch(ctx, FetchRequest{}); !errors.Is(err, workflow.ErrNotRepository) {
		t.Errorf("outside a repository: %v", err)
	}
	if _, err := (&Service{}).Inspect(ctx, CompareRequest{}); !errors.Is(err, workflow.ErrNotRepository) {
		t.Errorf("outside a repository: %v", err)
	}
}

func TestScope(t *testing.T) {
	for _, tc := range []struct{ sandbox, branch, base, want string }{
		{"box", "", "main", `sandbox "box", base main`},
		{"box", "HEAD", "main", `sandbox "box", base main`},
		{"box", "agent/x", "dev", `sandbox "box" branch agent/x, base dev`},
	} {
		if got := Scope(tc.sandbox, tc.branch, tc.base); got != tc.want {
			t.Errorf("Scope(%q, %q, %q) = %q, want %q", tc.sandbox, tc.branch, tc.base, got, tc.want)
		}
	}
}

// Reports show the base as a person names it, never HEAD or refs/heads/.
func TestBaseName(t *testing.T) {
	w := newWorld(t, "src/main.go")
	cur := workflow.CurrentBranch(w.repo)
	for in, want := range map[string]string{"HEAD": cur, "refs/heads/dev": "dev", "v1.0": "v1.0"} {
		if got := w.svc.common().baseName(in); got != want {
			t.Errorf("baseName(%q) = %q, want %q", in, got, want)
		}
	}
}

// What arrived (wait, after the agent's end): its commits one line each,
// then the files changed, under one line naming the sandbox and base —
// not one per git command.
func TestArrivedAnnouncesOnce(t *testing.T) {
	w := newWorld(t, "src/main.go")
	if err := w.svc.Arrived(ctx, CompareRequest{Name: "x1", NoFetch: true}); err != nil {
		t.Fatal(err)
	}
	if want := []string{`sandbox "x1", base feature`}; !slices.Equal(w.ui.Infos, want) {
		t.Errorf("infos %q, want %q", w.ui.Infos, want)
	}
	if !slices.Equal(w.repo.calls[len(w.repo.calls)-2:], []string{"log", "diff"}) || len(w.repo.compares) != 2 {
		t.Errorf("calls %q, compares %v", w.repo.calls, w.repo.compares)
	}
}
