package review

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/forge"
	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
)

var ctx = context.Background()

func TestMergeLandsTheInspectedCommitWhenTheRefMoves(t *testing.T) {
	w := newWorld(t, "src/main.go")
	// sides checks the ref, the gate resolves it, then a fetch moves it to
	// a commit that brings a .envrc nobody inspected.
	w.repo.revs[tracking] = []string{agentCommit, agentCommit, movedCommit}
	if err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}}); err != nil {
		t.Fatal(err)
	}
	if len(w.repo.merges) != 1 {
		t.Fatalf("merges %v", w.repo.merges)
	}
	m := w.repo.merges[0]
	if m.Commit != agentCommit {
		t.Errorf("merged %q, want the inspected %q", m.Commit, agentCommit)
	}
	if !m.NoVerify || m.Squash {
		t.Errorf("merge request %+v: want NoVerify, no squash", m)
	}
	if want := [][2]string{{forkPoint, agentCommit}}; !slices.Equal(w.repo.diffs, want) {
		t.Errorf("inspected %v, want %v", w.repo.diffs, want)
	}
}

// A fast-forward would carry no record: merge always makes a merge commit
// whose message ends with the review's trailers.
func TestMergeAlwaysMakesACommitEndingWithTheTrailers(t *testing.T) {
	for _, tc := range []struct {
		branch, wantTitle string
		fastForward       bool
	}{
		{branch: "", fastForward: true, wantTitle: "Merge airlock-x1/HEAD from sandbox x1"},
		{branch: "", fastForward: false, wantTitle: "Merge airlock-x1/HEAD from sandbox x1"},
		{branch: "agent/topic", fastForward: false, wantTitle: "Merge airlock-x1/agent/topic from sandbox x1"},
	} {
		w := newWorld(t, "src/main.go", "Makefile")
		w.repo.revs["refs/remotes/airlock-x1/agent/topic"] = []string{agentCommit}
		w.repo.ancestors[[2]string{headCommit, agentCommit}] = tc.fastForward
		err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1", Branch: tc.branch}})
		if err != nil {
			t.Fatal(err)
		}
		want := tc.wantTitle + "\n\nAirlock-Sandbox: x1\nAirlock-Agent: claude\nAirlock-Inspected: " + agentCommit + "\nAirlock-Findings: high 0, medium 1, low 0\n"
		if got := w.repo.merges[0].Message; got != want {
			t.Errorf("branch %q, fast-forward %v: message %q, want %q", tc.branch, tc.fastForward, got, want)
		}
	}
}

func TestMergeGateDecisions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		changes    []string
		accept     bool // --accept-risk
		confirms   bool // the answer on a terminal
		wantErr    string
		wantAsked  bool
		wantRecord string // rules of the recorded acceptance; "" for none
	}{
		{name: "clean", changes: []string{"src/main.go"}},
		{name: "medium only merges without asking", changes: []string{"Makefile", "AGENTS.md"}},
		{name: "high refused", changes: []string{".github/workflows/ci.yml", "Makefile"},
			wantErr: "stopped: 1 high-severity finding", wantAsked: true},
		{name: "high plural", changes: []string{".github/workflows/ci.yml", ".envrc"},
			wantErr: "stopped: 2 high-severity findings", wantAsked: true},
		{name: "accept-risk", changes: []string{".github/workflows/ci.yml", ".envrc"}, accept: true,
			wantRecord: "direnv,ci"},
		{name: "confirmed on a terminal", changes: []string{".husky/pre-commit"}, confirms: true,
			wantAsked: true, wantRecord: "hook-manager"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.changes...)
			w.confirms = tc.confirms
			err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}, AcceptRisk: tc.accept})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if h := hint.Of(err); len(h) != 2 || !strings.Contains(h[1], "--accept-risk") {
					t.Errorf("hints %q", h)
				}
				if w.did("merge") || len(w.repo.notes) != 0 {
					t.Errorf("a refused merge ran %v", w.repo.calls)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if len(w.repo.merges) != 1 || w.repo.merges[0].Commit != agentCommit {
				t.Errorf("merges %+v", w.repo.merges)
			}
			if asked := len(w.asked) > 0; asked != tc.wantAsked {
				t.Errorf("ConfirmRisk asked: %v, want %v", asked, tc.wantAsked)
			}
			for _, r := range w.asked {
				if r.Commit != agentCommit || r.Counts.Medium != 0 || len(r.Findings) == 0 {
					t.Errorf("ConfirmRisk shown %+v, want only the high findings of the inspected commit", r)
				}
			}
			if tc.wantErr != "" {
				return
			}
			// The review is a note on the inspected commit, written before
			// the merge runs; it names what was accepted, if anything.
			recs := gate.ParseRecords(w.repo.notes[agentCommit])
			if len(recs) != 1 || recs[0].Sandbox != "x1" || recs[0].Action != gate.ActionMerge {
				t.Fatalf("notes %q", w.repo.notes)
			}
			if got := strings.Join(recs[0].Accepted, ","); got != tc.wantRecord {
				t.Errorf("accepted %q, want %q", got, tc.wantRecord)
			}
			if i, j := slices.Index(w.repo.calls, "note "+agentCommit), slices.Index(w.repo.calls, "merge"); i < 0 || j < i {
				t.Errorf("calls %v", w.repo.calls)
			}
			if tc.wantRecord == "" {
				if strings.Contains(w.repo.merges[0].Message, "Airlock-Accepted") {
					t.Errorf("message %q", w.repo.merges[0].Message)
				}
				return
			}
			if !strings.Contains(w.repo.merges[0].Message, "\nAirlock-Accepted: "+strings.ReplaceAll(tc.wantRecord, ",", ", ")+"\n") {
				t.Errorf("message %q", w.repo.merges[0].Message)
			}
			if len(w.ui.Warns) != 1 || !strings.Contains(w.ui.Warns[0], "recorded in refs/notes/airlock") {
				t.Errorf("warnings %q", w.ui.Warns)
			}
		})
	}
}

func TestMergeMediumFindingsAreMentioned(t *testing.T) {
	w := newWorld(t, "Makefile", ".env")
	if err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}}); err != nil {
		t.Fatal(err)
	}
	want := "inspection: 2 findings below high severity; see 'git airlock inspect'"
	if !slices.Contains(w.ui.Infos, want) {
		t.Errorf("infos %q, want %q", w.ui.Infos, want)
	}
}

// airlock.base chooses what diff and log compare with; the gate always
// inspects what the merge brings into HEAD, so a base that already holds
// the agent's change cannot hide it.
func TestMergeGatesAgainstHEADWhateverAirlockBaseSays(t *testing.T) {
	w := newWorldWith(t, []gitx.ConfigEntry{{Key: "airlock.base", Value: "main", Scope: "local"}}, ".envrc")
	w.repo.revs["main"] = []string{agentCommit} // main already has it: main...theirs is empty
	err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}})
	if err == nil || !strings.HasPrefix(err.Error(), "stopped:") {
		t.Fatalf("error %v, want the gate to stop the merge", err)
	}
	if want := [][2]string{{headCommit, agentCommit}}; !slices.Equal(w.repo.mergeBaseCalls, want) {
		t.Errorf("merge base of %v, want HEAD's %v", w.repo.mergeBaseCalls, want)
	}
}

func TestMergeBaseArgumentMustBeTheCheckedOutBranch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		head    gitx.Head
		base    string
		wantErr string
	}{
		{name: "other branch", head: gitx.Head{Hash: headCommit, Branch: "feature"}, base: "main",
			wantErr: `you are on "feature", not "main"`},
		{name: "detached", head: gitx.Head{Hash: headCommit}, base: "main", wantErr: `you are on "", not "main"`},
		{name: "same branch", head: gitx.Head{Hash: headCommit, Branch: "feature"}, base: "feature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "src/main.go")
			w.repo.head = tc.head
			err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1", Base: tc.base}})
			if tc.wantErr == "" {
				if err != nil || len(w.repo.merges) != 1 {
					t.Fatalf("error %v, merges %v", err, w.repo.merges)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if h := hint.Of(err); len(h) != 1 || h[0] != "switch first: git switch "+tc.base {
				t.Errorf("hints %q", h)
			}
			if len(w.repo.calls) != 0 {
				t.Errorf("refused merge still ran %v", w.repo.calls)
			}
		})
	}
}

func TestMergeFetchesFirstUnlessNoFetch(t *testing.T) {
	w := newWorld(t, "src/main.go")
	if err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.repo.calls[:2], []string{"lock", "fetch"}) || len(w.repo.fetched) != 1 || !slices.Equal(w.repo.fetched[0], []string{"airlock-x1"}) {
		t.Errorf("calls %v, fetched %v", w.repo.calls, w.repo.fetched)
	}
	if w.repo.unlocked != w.repo.locked {
		t.Errorf("locked %d, unlocked %d", w.repo.locked, w.repo.unlocked)
	}

	w = newWorld(t, "src/main.go")
	if err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1", NoFetch: true}}); err != nil {
		t.Fatal(err)
	}
	if w.did("fetch") || w.did("lock") {
		t.Errorf("--no-fetch fetched: %v", w.repo.calls)
	}
}

func TestMergeFetchFailureSuggestsNoFetch(t *testing.T) {
	w := newWorld(t, "src/main.go")
	w.repo.fetchErr = errors.New("sandbox asleep")
	err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}})
	if err == nil || !slices.Contains(hint.Of(err), "use --no-fetch to work with what was fetched last time") {
		t.Fatalf("error %v, hints %q", err, hint.Of(err))
	}
	if w.did("merge") {
		t.Error("merged after a failed fetch")
	}
}

func TestMergeRefusals(t *testing.T) {
	w := newWorld(t, "src/main.go")
	err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1", Branch: "gone", NoFetch: true}})
	if err == nil || err.Error() != `sandbox "x1" has no fetched branch "gone"` || len(hint.Of(err)) != 1 {
		t.Errorf("missing branch: %v %q", err, hint.Of(err))
	}
	err = w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "y1", NoFetch: true}})
	if err == nil || err.Error() != `no sandbox "y1" in this repository` {
		t.Errorf("unknown sandbox: %v", err)
	}
	if w.did("merge") {
		t.Errorf("merged: %v", w.repo.calls)
	}
	if err := (&Service{UI: w.ui}).Merge(ctx, MergeRequest{}); !errors.Is(err, workflow.ErrNotRepository) {
		t.Errorf("outside a repository: %v", err)
	}
}

// A dry run inspects nothing but shows the commit the real run would land,
// as the last fetch knows it.
func TestMergeDryRunInspectsNothing(t *testing.T) {
	w := newWorld(t, ".envrc")
	w.svc.DryRun = true
	if err := w.svc.Merge(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}}); err != nil {
		t.Fatal(err)
	}
	want, _ := w.repo.ResolveCommit(tracking)
	if len(w.repo.diffs) != 0 || len(w.repo.merges) != 1 || want == "" || w.repo.merges[0].Commit != want {
		t.Errorf("dry run: inspected %v, merges %+v", w.repo.diffs, w.repo.merges)
	}
}

func TestApplySquashesTheInspectedCommit(t *testing.T) {
	w := newWorld(t, "src/main.go")
	w.repo.revs[tracking] = []string{agentCommit, agentCommit, movedCommit}
	if err := w.svc.Apply(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}}); err != nil {
		t.Fatal(err)
	}
	if len(w.repo.merges) != 1 {
		t.Fatalf("merges %v", w.repo.merges)
	}
	m := w.repo.merges[0]
	if !m.Squash || m.Commit != agentCommit || m.Message != "" {
		t.Errorf("apply ran %+v", m)
	}
	if want := []string{`applied sandbox "x1", base feature: 2 files staged as one uncommitted change`}; !slices.Equal(w.ui.Infos, want) {
		t.Errorf("infos %q, want %q", w.ui.Infos, want)
	}
	if len(w.ui.Hints) == 0 || !strings.Contains(w.ui.Hints[len(w.ui.Hints)-1], "git diff --cached") {
		t.Errorf("hints %q", w.ui.Hints)
	}
}

// git's report of the squash reaches the user only with -v, or when git
// fails: then whole, once, on git's own streams.
func TestApplyKeepsGitsReportBack(t *testing.T) {
	for _, tc := range []struct {
		name           string
		verbose        bool
		fail           bool
		wantOut, wantE string
	}{
		{"quiet", false, false, "", ""},
		{"verbose", true, false, "Updating a..b\n", ""},
		{"git fails", false, true, "Updating a..b\n", "error: would be overwritten\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "src/main.go")
			if tc.fail {
				w.repo.mergeErr = &xec.ExitError{Code: 2}
			}
			var out, errw strings.Builder
			req := MergeRequest{CompareRequest: CompareRequest{Name: "x1", Streams: xec.Streams{Out: &out, Err: &errw}}, Verbose: tc.verbose}
			err := w.svc.Apply(ctx, req)
			if (err != nil) != tc.fail || out.String() != tc.wantOut || errw.String() != tc.wantE {
				t.Errorf("err %v, stdout %q, stderr %q; want stdout %q, stderr %q", err, out.String(), errw.String(), tc.wantOut, tc.wantE)
			}
		})
	}
}

func TestApplyIsGatedToo(t *testing.T) {
	w := newWorld(t, ".devcontainer/devcontainer.json")
	err := w.svc.Apply(ctx, MergeRequest{CompareRequest: CompareRequest{Name: "x1"}})
	if err == nil || err.Error() != "stopped: 1 high-severity finding" || w.did("merge") {
		t.Errorf("error %v, calls %v", err, w.repo.calls)
	}
}

func TestPRPushesTheInspectedCommit(t *testing.T) {
	w := newWorld(t, "src/main.go")
	w.repo.revs[tracking] = []string{agentCommit, agentCommit, movedCommit}
	w.repo.revs["refs/heads/main"] = []string{mainCommit}
	w.forge.err = forge.ErrNoGH
	res, err := w.svc.PR(ctx, PRRequest{MergeRequest: MergeRequest{CompareRequest: CompareRequest{Name: "x1"}}, Into: "main"})
	if err != nil {
		t.Fatal(err)
	}
	want := gitx.PushRequest{Remote: "origin", Source: agentCommit, Branch: "airlock/x1"}
	if len(w.repo.pushes) != 1 || w.repo.pushes[0].Remote != want.Remote || w.repo.pushes[0].Source != want.Source ||
		w.repo.pushes[0].Branch != want.Branch || w.repo.pushes[0].Force {
		t.Errorf("pushes %+v, want %+v", w.repo.pushes, want)
	}
	// Gated against the branch the PR targets, not HEAD.
	if wantMB := [][2]string{{mainCommit, agentCommit}}; !slices.Equal(w.repo.mergeBaseCalls, wantMB) {
		t.Errorf("merge base of %v, want %v", w.repo.mergeBaseCalls, wantMB)
	}
	if res.CompareURL != "https://github.com/acme/app/compare/main...airlock/x1?expand=1" || res.Pushed != "" {
		t.Errorf("result %+v", res)
	}
	if len(w.forge.calls) != 1 || w.forge.calls[0] != [3]string{"/home/u/repo", "main", "airlock/x1"} {
		t.Errorf("forge calls %v", w.forge.calls)
	}
}

func TestPRGatesAgainstHEADWhenTheTargetIsNotLocal(t *testing.T) {
	w := newWorld(t, "src/main.go")
	if _, err := w.svc.PR(ctx, PRRequest{MergeRequest: MergeRequest{CompareRequest: CompareRequest{Name: "x1"}}, Into: "release"}); err != nil {
		t.Fatal(err)
	}
	if want := [][2]string{{headCommit, agentCommit}}; !slices.Equal(w.repo.mergeBaseCalls, want) {
		t.Errorf("merge base of %v, want HEAD's %v", w.repo.mergeBaseCalls, want)
	}
	if !slices.Contains(w.repo.resolved, "refs/heads/release") || slices.Contains(w.repo.resolved, "release") {
		t.Errorf("resolved %v: the target must be looked up as a branch only", w.repo.resolved)
	}
}

func TestPRTargetDefaults(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings []gitx.ConfigEntry
		head     gitx.Head
		into     string
		want     string
		wantErr  string
	}{
		{name: "flag", into: "release", head: gitx.Head{Branch: "feature"}, want: "release"},
		{name: "airlock.base", settings: []gitx.ConfigEntry{{Key: "airlock.base", Value: "develop"}}, head: gitx.Head{Branch: "feature"}, want: "develop"},
		{name: "current branch", head: gitx.Head{Branch: "feature"}, want: "feature"},
		{name: "detached", head: gitx.Head{Hash: headCommit}, wantErr: "HEAD is detached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorldWith(t, tc.settings, "src/main.go")
			w.repo.head = tc.head
			_, err := w.svc.PR(ctx, PRRequest{MergeRequest: MergeRequest{CompareRequest: CompareRequest{Name: "x1", NoFetch: true}}, Into: tc.into})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || w.did("push") {
					t.Errorf("error %v, calls %v", err, w.repo.calls)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(w.forge.calls) != 1 || w.forge.calls[0][1] != tc.want {
				t.Errorf("forge calls %v, want base %q", w.forge.calls, tc.want)
			}
		})
	}
}

func TestPRForgeOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		remoteURL  string
		forgeErr   error
		want       PRResult
		wantErr    bool
		wantPushed bool
	}{
		{name: "gh opened it", remoteURL: "https://github.com/acme/app.git", want: PRResult{}},
		{name: "no gh, GitHub remote", remoteURL: "https://github.com/acme/app.git", forgeErr: forge.ErrNoGH,
			want: PRResult{CompareURL: "https://github.com/acme/app/compare/feature...airlock/x1?expand=1"}},
		{name: "no gh, other forge", remoteURL: "https://git.example.com/acme/app.git", forgeErr: forge.ErrNoGH,
			want: PRResult{Pushed: "airlock/x1"}},
		{name: "gh failed", remoteURL: "https://github.com/acme/app.git", forgeErr: errors.New("gh: auth"), wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "src/main.go")
			w.repo.config["remote.origin.url"] = tc.remoteURL
			w.forge.err = tc.forgeErr
			res, err := w.svc.PR(ctx, PRRequest{MergeRequest: MergeRequest{CompareRequest: CompareRequest{Name: "x1", NoFetch: true}}})
			if tc.wantErr {
				if err == nil || !slices.Contains(hint.Of(err), "the branch is pushed; open the pull request on the forge by hand") {
					t.Errorf("error %v, hints %q", err, hint.Of(err))
				}
				return
			}
			if err != nil || res != tc.want {
				t.Errorf("result %+v, %v; want %+v", res, err, tc.want)
			}
			if len(w.repo.pushes) != 1 {
				t.Errorf("pushes %v", w.repo.pushes)
			}
		})
	}
}

func TestPRRefusals(t *testing.T) {
	t.Run("no remote", func(t *testing.T) {
		w := newWorld(t, "src/main.go")
		_, err := w.svc.PR(ctx, PRRequest{MergeRequest: MergeRequest{CompareRequest: CompareRequest{Name: "x1", NoFetch: true}}, Remote: "forge"})
		if err == nil || err.Error() != `no remote "forge" to push to` || len(hint.Of(err)) != 1 {
			t.Errorf("error %v %q", err, hint.Of(err))
		}
		if w.did("push") || len(w.forge.calls) != 0 {
			t.Errorf("calls %v, forge %v", w.repo.calls, w.forge.calls)
		}
	})
	t.Run("high findings", func(t *testing.T) {
		w := newWorld(t, ".github/workflows/release.yml")
		_, err := w.svc.PR(ctx, PRRequest{MergeRequest: MergeRequest{CompareRequest: CompareRequest{Name: "x1", NoFetch: true}}})
		if err == nil || err.Error() != "stopped: 1 high-severity finding" || w.did("push") || len(w.forge.calls) != 0 {
			t.Errorf("error %v, calls %v", err, w.repo.calls)
		}
	})
	t.Run("accepted high findings", func(t *testing.T) {
		w := newWorld(t, ".github/workflows/release.yml")
		_, err := w.svc.PR(ctx, PRRequest{MergeRequest: MergeRequest{CompareRequest: CompareRequest{Name: "x1", NoFetch: true}, AcceptRisk: true},
			Branch: "review/x1"})
		if err != nil || len(w.repo.pushes) != 1 || w.repo.pushes[0].Branch != "review/x1" {
			t.Fatalf("error %v, pushes %+v", err, w.repo.pushes)
		}
		// The pushed commit carries the review, and the notes go to the
		// same remote after the branch.
		recs := gate.ParseRecords(w.repo.notes[agentCommit])
		if len(recs) != 1 || recs[0].Action != gate.ActionPR || !slices.Equal(recs[0].Accepted, []string{"ci"}) {
			t.Errorf("notes %q", w.repo.notes)
		}
		if i, j := slices.Index(w.repo.calls, "push"), slices.Index(w.repo.calls, "push-notes origin refs/notes/airlock"); i < 0 || j < i {
			t.Errorf("calls %v", w.repo.calls)
		}
	})
}

func TestPush(t *testing.T) {
	for _, tc := range []struct {
		name    string
		head    gitx.Head
		req     PushRequest
		want    gitx.PushRequest
		wantErr string
	}{
		{name: "defaults", head: gitx.Head{Branch: "main"}, req: PushRequest{Name: "x1"},
			want: gitx.PushRequest{Remote: "airlock-x1", Source: "HEAD", Branch: "host/main", Force: true, NoTags: true}},
		{name: "named", head: gitx.Head{Branch: "main"}, req: PushRequest{Name: "x1", Source: "v1.2", Branch: "refs/heads/base"},
			want: gitx.PushRequest{Remote: "airlock-x1", Source: "v1.2", Branch: "base", Force: true, NoTags: true}},
		{name: "detached with a branch", head: gitx.Head{Hash: headCommit}, req: PushRequest{Name: "x1", Branch: "base"},
			want: gitx.PushRequest{Remote: "airlock-x1", Source: "HEAD", Branch: "base", Force: true, NoTags: true}},
		{name: "detached", head: gitx.Head{Hash: headCommit}, req: PushRequest{Name: "x1"}, wantErr: "HEAD is detached"},
		{name: "unknown sandbox", head: gitx.Head{Branch: "main"}, req: PushRequest{Name: "y1"}, wantErr: `no sandbox "y1" in this repository`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.repo.head = tc.head
			err := w.svc.Push(ctx, tc.req)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || len(hint.Of(err)) == 0 || w.did("push") {
					t.Errorf("error %v, hints %q, calls %v", err, hint.Of(err), w.repo.calls)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := w.repo.pushes[0]
			got.Streams = tc.want.Streams
			if len(w.repo.pushes) != 1 || got != tc.want {
				t.Errorf("pushed %+v, want %+v", w.repo.pushes, tc.want)
			}
		})
	}
}

func TestPushFailureNamesTheCheckedOutBranch(t *testing.T) {
	w := newWorld(t)
	w.repo.head = gitx.Head{Branch: "main"}
	w.repo.pushErr = errors.New("refusing to update checked out branch")
	err := w.svc.Push(ctx, PushRequest{Name: "x1"})
	if err == nil || !slices.Contains(hint.Of(err), "the agent's checked-out branch cannot be updated; choose another with --branch") {
		t.Errorf("error %v, hints %q", err, hint.Of(err))
	}
	if len(w.ui.Infos) != 0 {
		t.Errorf("claimed success: %q", w.ui.Infos)
	}
}
