package lifecycle

import (
	"context"
	"time"

	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/agentrun"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/sbx"
)

// Sessions is the host's record of the agent sessions git-airlock runs.
type Sessions interface {
	Begin(sandbox, agent, mode string) error
	Pend(sandbox, agent, mode string) error
	End(sandbox string, exit int) error
	BeginOn(host, sandbox, agent, mode string) error
	EndOn(sandbox string, started time.Time, exit int) error
	Read(sandbox string) (agentrun.Record, bool, error)
	Remove(sandbox string) error
}

var _ Sessions = agentrun.Store{}

// Session modes in the record.
const (
	ModeRun = "run" // headless: git airlock run
	ModeUp  = "up"  // interactive: git airlock up, in the terminal or in tmux
)

// Exit statuses of `git airlock wait`, besides 0 (the agent finished with
// status 0), 1 (wait itself failed) and 130 (interrupted).
const (
	ExitAgentFailed     = 4   // the agent exited non-zero, or its session ended without a status
	ExitWaitingForInput = 5   // the agent waits for input
	ExitWaitTimedOut    = 124 // --timeout passed first, as timeout(1) says it
)

// Outcomes of a wait.
const (
	OutcomeFinished = "finished"  // ended with status 0
	OutcomeFailed   = "failed"    // ended with another status
	OutcomeLost     = "lost"      // its process is gone without a status (killed, tmux pane closed)
	OutcomeWaiting  = "waiting"   // the agent asked for input
	OutcomeTimedOut = "timed-out" // --timeout passed
)

// Polling: the host's record is a local file, read often (no sbx call);
// the waiting-for-input marker costs one `sbx exec`, made only while the
// record says an interactive session runs (which keeps the sandbox up
// anyway), first at once and then with backoff to one every markerMax.
const (
	recordFirst = 200 * time.Millisecond
	recordMax   = 2 * time.Second
	markerFirst = 5 * time.Second
	markerMax   = 30 * time.Second
	// A session in tmux on a server (run --tmux there) has no process
	// here: its end is asked of the server, over ssh (one shared
	// connection), first at once and then with backoff.
	serverFirst = 2 * time.Second
	serverMax   = 30 * time.Second
)

// WaitRequest waits for the agent of one sandbox.
type WaitRequest struct {
	Name    string
	Timeout time.Duration // 0: no limit
	NoFetch bool
}

// WaitingInput is what the agent said when it asked for input. Message
// comes from the sandbox: renderers must quote it.
type WaitingInput struct {
	Since   time.Time `json:"since"`
	Event   string    `json:"event,omitempty"`
	Message string    `json:"message,omitempty"`
}

// WaitResult is how the wait ended. JSON names are part of `wait --json`.
type WaitResult struct {
	Sandbox string          `json:"sandbox"`
	Outcome string          `json:"outcome"`
	Session agentrun.Record `json:"session"`
	Waiting *WaitingInput   `json:"waiting,omitempty"`
	Fetched bool            `json:"fetched"`
	// SbxCalls counts the sbx calls made while waiting (not the fetch's).
	SbxCalls int `json:"-"`
}

// ExitCode is wait's exit status for the outcome.
func (r WaitResult) ExitCode() int {
	switch r.Outcome {
	case OutcomeFinished:
		return 0
	case OutcomeWaiting:
		return ExitWaitingForInput
	case OutcomeTimedOut:
		return ExitWaitTimedOut
	}
	return ExitAgentFailed
}

// WatchesInput reports whether wait can see this session ask for input:
// an interactive session of an agent whose config git-airlock wires.
func WatchesInput(rec agentrun.Record) bool {
	a, _ := agent.Lookup(rec.Agent)
	return rec.Mode == ModeUp && a.Input != ""
}

func (s *Waiter) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Waiter) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Wait blocks until the agent session git-airlock recorded for the
// sandbox ends, the agent asks for input (where WatchesInput), or the
// timeout passes; then, unless it timed out, it fetches what arrived.
// Waiting never starts a sandbox: the record is a host file, and the
// marker is read only while the session that keeps the sandbox up runs.
func (s *Waiter) Wait(ctx context.Context, req WaitRequest) (WaitResult, error) {
	sb, err := s.mustRegistered(req.Name)
	if err != nil {
		return WaitResult{}, err
	}
	res := WaitResult{Sandbox: req.Name}
	rec, ok, err := s.Sessions.Read(req.Name)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, hint.Errorf([]string{
			`start one with 'git airlock run --name ` + req.Name + ` "task"' or 'git airlock up --name ` + req.Name + ` --tmux-detached'`,
			"wait knows of the agent sessions git-airlock starts, not of 'sbx run' used directly"},
			"no agent session of sandbox %q is recorded here", req.Name)
	}
	w := s.newWaiter(req, rec)
	if rec.State() == agentrun.Running {
		what := "finish"
		if w.watch {
			what = "finish or ask for input"
		}
		s.UI.Infof("waiting for %s in sandbox %q to %s", rec.Agent, req.Name, what)
	}
	for res.Outcome == "" {
		if err := w.step(ctx, &res); err != nil {
			return res, err
		}
	}
	res.Session = w.rec
	if res.Outcome != OutcomeTimedOut && !req.NoFetch {
		if err := s.fetch(ctx, sb); err != nil {
			s.UI.Warnf("%v", err)
		} else {
			res.Fetched = true
		}
	}
	return res, nil
}

// waiter is one Wait's state: the session record as last read, and when
// each kind of look is due next (each backs off, doubling to its cap).
type waiter struct {
	s        *Waiter
	req      WaitRequest
	rec      agentrun.Record
	watch    bool // the agent's input marker is read (WatchesInput)
	agent    agent.Agent
	start    time.Time
	deadline time.Time // zero: none

	recordGap, markerGap, serverGap time.Duration
	nextMarker, nextServer          time.Time
	warned                          bool // a failed look at the server was said
}

func (s *Waiter) newWaiter(req WaitRequest, rec agentrun.Record) *waiter {
	start := s.now()
	w := &waiter{s: s, req: req, rec: rec, watch: WatchesInput(rec), start: start,
		recordGap: recordFirst, markerGap: markerFirst, serverGap: serverFirst,
		nextMarker: start, nextServer: start}
	w.agent, _ = agent.Lookup(rec.Agent)
	if req.Timeout > 0 {
		w.deadline = start.Add(req.Timeout)
	}
	return w
}

// step makes the looks that are due and sets res.Outcome when one
// settles the wait; otherwise it naps and reads the record again.
func (w *waiter) step(ctx context.Context, res *WaitResult) error {
	if w.lookAtServer(ctx, res) || w.settled(res) || w.lookAtMarker(ctx, res) {
		return nil
	}
	now := w.s.now()
	if !w.deadline.IsZero() && !now.Before(w.deadline) {
		res.Outcome = OutcomeTimedOut
		return nil
	}
	if err := w.s.sleep(ctx, w.nap(now)); err != nil {
		return err
	}
	return w.reread()
}

// lookAtServer follows a session on another machine (--host), when due.
func (w *waiter) lookAtServer(ctx context.Context, res *WaitResult) bool {
	if w.rec.Host == "" || w.rec.Ended != nil || w.s.now().Before(w.nextServer) {
		return false
	}
	next, lost, err := w.s.serverSession(ctx, w.rec)
	switch {
	case err != nil && !w.warned: // the next look may succeed
		w.s.UI.Warnf("%v", err)
		w.warned = true
	case lost:
		res.Outcome = OutcomeLost
		return true
	}
	w.rec = next
	w.nextServer = w.s.now().Add(w.serverGap)
	w.serverGap = min(2*w.serverGap, serverMax)
	return false
}

// settled reads the outcome off a record that says the session ended.
func (w *waiter) settled(res *WaitResult) bool {
	switch w.rec.State() {
	case agentrun.Ended:
		res.Outcome = OutcomeFailed
		if w.rec.Exit != nil && *w.rec.Exit == 0 {
			res.Outcome = OutcomeFinished
		}
		return true
	case agentrun.Lost:
		res.Outcome = OutcomeLost
		return true
	}
	return false
}

// lookAtMarker reads the agent's input marker in the sandbox, when due. A
// pending session's sandbox may not exist yet, or be stopped: no look
// inside until the git-airlock in tmux has begun it.
func (w *waiter) lookAtMarker(ctx context.Context, res *WaitResult) bool {
	now := w.s.now()
	if !w.watch || w.rec.Pending || now.Before(w.nextMarker) {
		return false
	}
	res.SbxCalls++
	if m, ok := w.s.readMarker(ctx, w.req.Name); ok && markerCounts(m, w.rec, w.agent, w.start) {
		res.Outcome = OutcomeWaiting
		res.Waiting = &WaitingInput{Since: m.Time, Event: m.Event, Message: m.Message}
		return true
	}
	w.nextMarker = now.Add(w.markerGap)
	w.markerGap = min(2*w.markerGap, markerMax)
	return false
}

// nap is how long to sleep before the next look is due.
func (w *waiter) nap(now time.Time) time.Duration {
	nap := w.recordGap
	w.recordGap = min(2*w.recordGap, recordMax)
	if w.watch {
		nap = min(nap, w.nextMarker.Sub(now))
	}
	if !w.deadline.IsZero() {
		nap = min(nap, w.deadline.Sub(now))
	}
	return max(nap, time.Millisecond)
}

// reread reads the session record again; a new session (a later up or
// run) brings its own agent.
func (w *waiter) reread() error {
	next, ok, err := w.s.Sessions.Read(w.req.Name)
	if err != nil {
		return err
	}
	if !ok {
		return hint.Errorf([]string{"see 'git airlock ls'"}, "the session record of sandbox %q went away while waiting (removed?)", w.req.Name)
	}
	if !next.Started.Equal(w.rec.Started) {
		w.watch = WatchesInput(next)
		w.agent, _ = agent.Lookup(next.Agent)
	}
	w.rec = next
	return nil
}

// markerCounts: a marker counts when this session wrote it; for an agent
// that never says it went on after an answer (Codex), only when written
// after the wait began, since an older one may have been answered.
func markerCounts(m agent.Marker, rec agentrun.Record, a agent.Agent, waitStart time.Time) bool {
	if m.Time.Before(rec.Started.Truncate(time.Second)) {
		return false
	}
	return a.Input == agent.InputClaudeHooks || !m.Time.Before(waitStart.Truncate(time.Second))
}

// readMarker reads the waiting-for-input marker in the sandbox.
func (s *Waiter) readMarker(ctx context.Context, name string) (agent.Marker, bool) {
	out, err := readHomeFile(ctx, s.Sbx, name, agent.MarkerFile)
	if err != nil {
		// A failed look is no answer; the next one may succeed, and the
		// session's end is seen without sbx.
		return agent.Marker{}, false
	}
	return agent.ParseMarker(out)
}

// readHomeFile reads a file under the sandbox's $HOME (a path relative to
// it, of our own constants) with one exec; a missing file reads as empty.
func readHomeFile(ctx context.Context, c execOutputer, name, file string) (string, error) {
	return c.ExecOutput(ctx, sbx.ExecRequest{Name: name, Argv: []string{"sh", "-c", "cd && cat " + file + " 2>/dev/null || true"}})
}
