package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// DefaultJobs is how many agents run at once unless --jobs says otherwise:
// each is a microVM with an agent in it.
const DefaultJobs = 3

// AgentsRequest runs one task in several new sandboxes side by side.
type AgentsRequest struct {
	Base      string   // the group's name; sandboxes are <base>-<agent>[-<n>]
	Agents    []string // agents, each given once
	Count     int      // sandboxes per agent (at least 1)
	Task      string
	AgentArgs []string
	Jobs      int // agents running at once; DefaultJobs when 0
	NoFetch   bool
	// Output is where each sandbox's agent writes; the caller labels it.
	Output func(sandbox string) xec.Streams
	Now    time.Time // the group's time; time.Now when zero
}

// AgentRun is one sandbox of a run --agents.
type AgentRun struct {
	Name  string `json:"name"`
	Agent string `json:"agent"`
	// Exit is the agent's exit status; -1 when it did not run (Error says
	// why, or DryRun).
	Exit  int    `json:"exit"`
	Error string `json:"error,omitempty"`
	// DryRun: the agent's command was listed, not run.
	DryRun bool `json:"dry_run,omitempty"`
}

// DryRunExit stands for the exit status whose recording a dry run lists:
// the agent did not run, so there is none.
const DryRunExit = "EXIT-STATUS"

// AgentsResult is what RunAgents did.
type AgentsResult struct {
	Group string     `json:"group"`
	From  string     `json:"from"` // the commit every sandbox was cloned from
	Runs  []AgentRun `json:"sandboxes"`
}

// Failed reports whether any agent failed or did not run.
func (r AgentsResult) Failed() bool {
	for _, a := range r.Runs {
		if a.Exit != 0 && !a.DryRun {
			return true
		}
	}
	return false
}

// GroupNames are the sandboxes of a run: <base>-<agent> for the first of
// each agent, <base>-<agent>-<n> for the n-th.
func GroupNames(base string, agents []string, count int) (names, agentOf []string) {
	for _, a := range agents {
		for n := 1; n <= max(count, 1); n++ {
			name := base + "-" + a
			if n > 1 {
				name += "-" + strconv.Itoa(n)
			}
			names = append(names, name)
			agentOf = append(agentOf, a)
		}
	}
	return names, agentOf
}

// RunAgents creates one sandbox per agent (and per --count), all cloned
// from the commit checked out now, runs the task in them with at most Jobs
// at once, fetches each, and records the group and each exit status on
// the sandboxes' remotes for compare. It refuses, changing nothing, when a
// name is taken or an agent unknown: an existing sandbox would not start
// from the same commit.
func (s *GroupRunner) RunAgents(ctx context.Context, req AgentsRequest) (AgentsResult, error) {
	if err := checkAgentsRequest(req); err != nil {
		return AgentsResult{}, err
	}
	w, err := s.Start.preflightRepo()
	if err != nil {
		return AgentsResult{}, err
	}
	names, agentOf := GroupNames(req.Base, req.Agents, req.Count)
	if err := s.checkGroupNames(ctx, req.Agents, names); err != nil {
		return AgentsResult{}, err
	}
	head, err := s.Repo.Head()
	if err != nil || head.Hash == "" {
		return AgentsResult{}, hint.Errorf([]string{"commit first: sbx clones committed history only"}, "this repository has no commits")
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := AgentsResult{Group: fmt.Sprintf("%s %s %s", req.Base, head.Hash, now.UTC().Format(time.RFC3339)), From: head.Hash}
	s.UI.Infof("%d sandboxes from %.12s (%s): %s", len(names), head.Hash, filepath.Base(w.Root), strings.Join(names, ", "))

	// Creation and registration one after another (each writes the
	// repository's config); the agents' runs, the long part, side by side.
	var ready []workflow.Sandbox
	res.Runs = make([]AgentRun, len(names))
	for i, name := range names {
		res.Runs[i] = AgentRun{Name: name, Agent: agentOf[i], Exit: -1}
		sb, _, err := s.Start.ensure(ctx, name, agentOf[i], res.Group)
		if err != nil {
			res.Runs[i].Error = workflow.ErrorText(err)
			s.UI.Warnf("sandbox %q: %s", name, res.Runs[i].Error)
			continue
		}
		ready = append(ready, sb)
	}
	s.runSideBySide(ctx, req, res.Runs)
	if moved, _ := s.Repo.Head(); moved.Hash != head.Hash {
		s.UI.Warnf("HEAD moved to %.12s while the sandboxes were created; they were cloned from %.12s", moved.Hash, head.Hash)
	}
	if len(ready) > 0 && !req.NoFetch {
		if err := workflow.Fetch(ctx, s.Repo, s.Store, s.UI, xec.Streams{Err: s.Progress}, s.Sbx.DryRun(), ready...); err != nil {
			s.UI.Warnf("%v", err)
		}
	} else {
		for _, sb := range ready {
			s.guardSbxRemote(ctx, sb.Name) // the exec started it
		}
	}
	return res, s.recordExits(ctx, res.Runs, ready)
}

// checkAgentsRequest refuses an empty task and an agent list that is
// empty, names an unknown agent or one twice.
func checkAgentsRequest(req AgentsRequest) error {
	if strings.TrimSpace(req.Task) == "" {
		return hint.Errorf([]string{`give the task in quotes: git airlock run --agents claude,codex "fix the failing test"`}, "empty task")
	}
	seen := map[string]bool{}
	for _, a := range req.Agents {
		if _, ok := agent.Lookup(a); !ok {
			return hint.Errorf([]string{"agents: " + strings.Join(agent.Names(), ", ")}, "unknown agent %q", a)
		}
		if seen[a] {
			return hint.Errorf([]string{"for several sandboxes of one agent use --count"}, "agent %q is listed twice", a)
		}
		seen[a] = true
	}
	if len(req.Agents) == 0 {
		return hint.Errorf([]string{"name them: --agents claude,codex"}, "no agents")
	}
	return nil
}

// checkGroupNames refuses names sbx would refuse and names of sandboxes
// that exist (here or in sbx): every sandbox of a run starts from the
// same commit.
func (s *GroupRunner) checkGroupNames(ctx context.Context, agents, names []string) error {
	list, err := s.Start.preflightSbx(ctx, agents...)
	if err != nil {
		return err
	}
	registeredList := s.sandboxes() // the config is read once, not per name
	for _, name := range names {
		if err := sbxspec.ValidateName(name); err != nil {
			return hint.With(err, "choose a shorter base with --name")
		}
		_, exists := workflow.Find(registeredList, name)
		for _, sb := range list {
			exists = exists || sb.Name == name
		}
		if exists {
			return hint.Errorf([]string{"remove it first (git airlock rm --name " + name + "), or choose another base with --name"},
				"sandbox %q already exists; every sandbox of a run must start from the same commit", name)
		}
	}
	return nil
}

// recordExits keeps each started agent's exit status in its sandbox's
// record, for compare.
func (s *GroupRunner) recordExits(ctx context.Context, runs []AgentRun, ready []workflow.Sandbox) error {
	for _, r := range runs {
		if sb, ok := workflow.Find(ready, r.Name); ok {
			rec := sb.Record
			rec.Exit = strconv.Itoa(r.Exit)
			if r.DryRun {
				rec.Exit = DryRunExit
			}
			if err := workflow.PutRecord(ctx, s.Store, s.Repo, sb, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// runSideBySide runs the agent of every registered sandbox, at most Jobs at
// once. It narrates from this goroutine only: starts as it starts them,
// ends as they report.
func (s *GroupRunner) runSideBySide(ctx context.Context, req AgentsRequest, runs []AgentRun) {
	jobs := req.Jobs
	if jobs <= 0 {
		jobs = DefaultJobs
	}
	type done struct {
		i    int
		code int
		err  error
	}
	results := make(chan done)
	running := 0
	finish := func() {
		d := <-results
		running--
		r := &runs[d.i]
		switch {
		case d.err != nil:
			r.Error = workflow.ErrorText(workflow.SbxError(d.err))
			s.UI.Warnf("sandbox %q: %s", r.Name, r.Error)
		case s.Sbx.DryRun():
			r.DryRun = true // its command was printed; no status to tell
		case d.code != 0:
			r.Exit = d.code
			s.UI.Warnf("sandbox %q: %s exited with status %d", r.Name, r.Agent, d.code)
		default:
			r.Exit = 0
			s.UI.Infof("sandbox %q: %s finished", r.Name, r.Agent)
		}
	}
	for i := range runs {
		if runs[i].Error != "" {
			continue
		}
		if running == jobs {
			finish()
		}
		a, _ := agent.Lookup(runs[i].Agent)
		argv, known := a.HeadlessArgv(req.Task, req.AgentArgs)
		if !known {
			s.UI.Warnf("%s has no known headless mode; passing the task as its last argument", runs[i].Agent)
		}
		s.UI.Infof("running %s headless in sandbox %q", runs[i].Agent, runs[i].Name)
		var st xec.Streams
		if req.Output != nil {
			st = req.Output(runs[i].Name)
		}
		running++
		go func(i int) {
			err := s.Sbx.Exec(ctx, sbx.ExecRequest{Name: runs[i].Name, Argv: argv, Streams: xec.Streams{Out: st.Out, Err: st.Err},
				Stream: true, Mutates: true})
			var ee *xec.ExitError
			if errors.As(err, &ee) {
				results <- done{i: i, code: ee.Code}
				return
			}
			results <- done{i: i, err: err}
		}(i)
	}
	for running > 0 {
		finish()
	}
}
