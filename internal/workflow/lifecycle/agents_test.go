package lifecycle_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

func TestGroupNames(t *testing.T) {
	names, agents := lifecycle.GroupNames("fix", []string{"claude", "codex"}, 2)
	if want := []string{"fix-claude", "fix-claude-2", "fix-codex", "fix-codex-2"}; !slices.Equal(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	if want := []string{"claude", "claude", "codex", "codex"}; !slices.Equal(agents, want) {
		t.Errorf("agents %v", agents)
	}
	long := sandboxref.DefaultGroupBase("/home/u/" + strings.Repeat("very-long-folder-name", 5))
	if n, _ := lifecycle.GroupNames(long, []string{"docker-agent"}, 12); len(n[11]) > 63 {
		t.Errorf("name %q is longer than sbx allows", n[11])
	}
}

func TestRunAgentsRefusesATakenNameAndChangesNothing(t *testing.T) {
	w := newWorld(t, nil)
	w.sbx.list = []sbx.Sandbox{{Name: "fix-codex", Status: "stopped"}}
	_, err := w.svc.RunAgents(ctx, lifecycle.AgentsRequest{Base: "fix", Agents: []string{"claude", "codex"}, Task: "x"})
	if err == nil || !strings.Contains(err.Error(), `sandbox "fix-codex" already exists`) {
		t.Fatalf("err %v", err)
	}
	if w.sbx.called("Create") || w.sbx.called("Exec") || w.repo.called("ConfigSet") {
		t.Errorf("did something:\n%s\n%s", w.sbx.log(), w.repo.log())
	}
}

// slowSbx holds each agent's run until want of them run at once (or, when
// fewer ever do, until a bound that only a failing test reaches), and
// counts how many ran at once.
type slowSbx struct {
	*fakeSbx
	want          int
	mu            sync.Mutex
	running, most int
	full          chan struct{} // closed when want run at once
	failFor       string
}

func (s *slowSbx) Exec(ctx context.Context, req sbx.ExecRequest) error {
	if !req.Stream { // not an agent's run
		return s.fakeSbx.Exec(ctx, req)
	}
	s.mu.Lock()
	s.running++
	s.most = max(s.most, s.running)
	full := s.full
	if s.running >= s.want {
		close(full)
		s.full = make(chan struct{})
	}
	s.mu.Unlock()
	select {
	case <-full:
	case <-time.After(10 * time.Second): // fewer than want ever ran together
	}
	s.mu.Lock()
	s.running--
	s.mu.Unlock()
	_ = s.fakeSbx.Exec(ctx, req)
	if req.Name == s.failFor {
		return &xec.ExitError{Code: 2}
	}
	return nil
}

func TestRunAgentsRunsAtMostJobsAtOnceAndRecordsEachExit(t *testing.T) {
	for _, jobs := range []int{1, 2, 4} {
		w := newWorld(t, nil)
		slow := &slowSbx{fakeSbx: w.sbx, failFor: "fix-codex", want: min(jobs, 4), full: make(chan struct{})}
		w.svc.Sbx = slow
		res, err := w.svc.RunAgents(ctx, lifecycle.AgentsRequest{Base: "fix", Agents: []string{"claude", "codex"}, Count: 2, Task: "x", Jobs: jobs})
		if err != nil {
			t.Fatal(err)
		}
		if want := min(jobs, 4); slow.most != want {
			t.Errorf("jobs %d: %d ran at once, want %d", jobs, slow.most, want)
		}
		var exits []int
		for _, r := range res.Runs {
			exits = append(exits, r.Exit)
		}
		if !slices.Equal(exits, []int{0, 0, 2, 0}) || !res.Failed() {
			t.Errorf("exits %v", exits)
		}
		if w.store.sandboxes["fix-codex"].Exit != "2" || w.store.sandboxes["fix-codex"].Group != res.Group || !w.repo.called("Fetch airlock-fix-claude airlock-fix-claude-2 airlock-fix-codex airlock-fix-codex-2") {
			t.Errorf("repo calls:\n%s", w.repo.log())
		}
		if !strings.HasPrefix(res.Group, "fix "+w.repo.head.Hash+" ") || res.From != w.repo.head.Hash {
			t.Errorf("group %q from %q", res.Group, res.From)
		}
	}
}

// A dry run lists each agent's command and runs none: no exit status is
// reported or recorded as if it had run, and nothing counts as failed.
func TestRunAgentsDryRunRunsNone(t *testing.T) {
	w := newWorld(t, nil)
	w.sbx.dryRun = true
	res, err := w.svc.RunAgents(ctx, lifecycle.AgentsRequest{Base: "fix", Agents: []string{"claude", "codex"}, Task: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Runs {
		if !r.DryRun || r.Exit != -1 || r.Error != "" {
			t.Errorf("run %+v: want not run (dry run)", r)
		}
	}
	if res.Failed() {
		t.Error("a dry run counts as failed")
	}
	if w.store.sandboxes["fix-claude"].Exit != lifecycle.DryRunExit {
		t.Errorf("recorded exit:\n%s", w.repo.log())
	}
	for _, info := range w.ui.Infos {
		if strings.Contains(info, "finished") {
			t.Errorf("told %q", info)
		}
	}
}
