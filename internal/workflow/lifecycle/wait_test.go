package lifecycle_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/agentrun"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/sbx"
)

// fakeSessions serves records: the first until `after` reads, then the second.
type fakeSessions struct {
	first, then  agentrun.Record
	after, reads int
}

func (f *fakeSessions) Begin(string, string, string) error { return nil }
func (f *fakeSessions) Pend(string, string, string) error  { return nil }
func (f *fakeSessions) End(string, int) error              { return nil }
func (f *fakeSessions) Remove(string) error                { return nil }
func (f *fakeSessions) BeginOn(string, string, string, string) error {
	return nil
}
func (f *fakeSessions) EndOn(string, time.Time, int) error { return nil }
func (f *fakeSessions) Read(string) (agentrun.Record, bool, error) {
	f.reads++
	if f.after > 0 && f.reads > f.after {
		return f.then, true, nil
	}
	return f.first, true, nil
}

// clock is a fake clock: Sleep moves it on and records the naps.
type clock struct {
	now  time.Time
	naps []time.Duration
}

func (c *clock) Now() time.Time { return c.now }
func (c *clock) Sleep(_ context.Context, d time.Duration) error {
	c.naps = append(c.naps, d)
	c.now = c.now.Add(d)
	return nil
}

const markerRead = "sh -c cd && cat .git-airlock/waiting 2>/dev/null || true"

func waitWorld(t *testing.T, sessions *fakeSessions) (*world, *clock) {
	w := newWorld(t, nil)
	w.registerBox()
	c := &clock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	w.svc.Sessions, w.svc.Now, w.svc.Sleep = sessions, c.Now, c.Sleep
	return w, c
}

func running(agent, mode string, started time.Time) agentrun.Record {
	return agentrun.Record{Sandbox: "box", Agent: agent, Mode: mode, PID: os.Getpid(), Started: started}
}

func ended(r agentrun.Record, code int) agentrun.Record {
	end := r.Started.Add(time.Minute)
	r.Ended, r.Exit = &end, &code
	return r
}

func TestWaitHeadlessRunAsksSbxNothing(t *testing.T) {
	start := time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC)
	rec := running("claude", lifecycle.ModeRun, start)
	for _, tc := range []struct {
		code    int
		outcome string
		exit    int
	}{{0, lifecycle.OutcomeFinished, 0}, {3, lifecycle.OutcomeFailed, lifecycle.ExitAgentFailed}} {
		w, c := waitWorld(t, &fakeSessions{first: rec, then: ended(rec, tc.code), after: 8})
		res, err := w.svc.Wait(context.Background(), lifecycle.WaitRequest{Name: "box"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != tc.outcome || res.ExitCode() != tc.exit || !res.Fetched || res.SbxCalls != 0 {
			t.Errorf("code %d: %+v", tc.code, res)
		}
		if w.sbx.called("ExecOutput") || w.sbx.called("Get") || w.sbx.called("List") {
			t.Errorf("waiting for a headless run asked sbx: %s", w.sbx.log())
		}
		// The record is read with backoff, up to a nap of 2s.
		if c.naps[0] != 200*time.Millisecond || c.naps[len(c.naps)-1] != 2*time.Second {
			t.Errorf("naps %v", c.naps)
		}
	}
}

func TestWaitSeesClaudeAskForInput(t *testing.T) {
	w, _ := waitWorld(t, &fakeSessions{first: running("claude", lifecycle.ModeUp, time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC))})
	w.sbx.outputs[markerRead] = "1767265200\n" + `{"hook_event_name":"Notification","message":"May I run make?"}`
	res, err := w.svc.Wait(context.Background(), lifecycle.WaitRequest{Name: "box"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != lifecycle.OutcomeWaiting || res.ExitCode() != lifecycle.ExitWaitingForInput || res.Waiting.Message != "May I run make?" || res.SbxCalls != 1 {
		t.Errorf("%+v", res)
	}
}

func TestWaitTimesOutAndCountsSbxCalls(t *testing.T) {
	started := time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		agent, marker string
	}{
		{"claude", ""},
		// Codex cannot say that it went on after an answer: a turn that
		// ended before the wait began does not count.
		{"codex", "1767265100\n" + `{"type":"agent-turn-complete"}`},
	} {
		w, _ := waitWorld(t, &fakeSessions{first: running(tc.agent, lifecycle.ModeUp, started)})
		w.sbx.outputs[markerRead] = tc.marker
		res, err := w.svc.Wait(context.Background(), lifecycle.WaitRequest{Name: "box", Timeout: 10 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != lifecycle.OutcomeTimedOut || res.ExitCode() != lifecycle.ExitWaitTimedOut || res.Fetched {
			t.Errorf("%s: %+v", tc.agent, res)
		}
		// At 0, 5, 15, 35, 65 s, then every 30 s: 4 looks in the first
		// minute, 2 a minute after (docs/BENCHMARKS.md).
		if res.SbxCalls != 22 {
			t.Errorf("%s: %d sbx calls in 10 minutes, want 22", tc.agent, res.SbxCalls)
		}
		if strings.Count(w.sbx.log(), "ExecOutput") != res.SbxCalls {
			t.Errorf("SbxCalls %d does not count the execs:\n%s", res.SbxCalls, w.sbx.log())
		}
	}
}

func TestWaitWithoutSession(t *testing.T) {
	w, _ := waitWorld(t, &fakeSessions{})
	w.svc.Sessions = emptySessions{&fakeSessions{}}
	_, err := w.svc.Wait(context.Background(), lifecycle.WaitRequest{Name: "box"})
	if err == nil || !strings.Contains(err.Error(), `no agent session of sandbox "box"`) {
		t.Errorf("err = %v", err)
	}
}

type emptySessions struct{ *fakeSessions }

func (emptySessions) Read(string) (agentrun.Record, bool, error) {
	return agentrun.Record{}, false, nil
}

func TestOpenAndWithdraw(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	w.sbx.published = []sbx.Port{{HostIP: "127.0.0.1", HostPort: 60013, SandboxPort: 9418, Protocol: "tcp4"}}
	p, already, err := w.svc.Open(context.Background(), lifecycle.OpenRequest{Name: "box", Port: 3000})
	if err != nil || already || p.HostPort != 43000 || p.SandboxPort != 3000 {
		t.Fatalf("Open = %+v %v %v", p, already, err)
	}
	if _, already, _ := w.svc.Open(context.Background(), lifecycle.OpenRequest{Name: "box", Port: 3000}); !already {
		t.Error("a second open published again")
	}
	for _, bad := range []int{0, 70000, 9418} {
		if _, _, err := w.svc.Open(context.Background(), lifecycle.OpenRequest{Name: "box", Port: bad}); err == nil {
			t.Errorf("port %d accepted", bad)
		}
	}
	// A bad host port is named as such, not as the (valid) sandbox port.
	if _, _, err := w.svc.Open(context.Background(), lifecycle.OpenRequest{Name: "box", Port: 3000, HostPort: 70000}); err == nil ||
		!strings.Contains(err.Error(), "invalid host port 70000") {
		t.Errorf("host port 70000: err = %v", err)
	}
	if err := w.svc.Stop(context.Background(), "box"); err != nil {
		t.Fatal(err)
	}
	if !w.sbx.called("Unpublish box 43000 3000") || w.sbx.called("Unpublish box 60013") {
		t.Errorf("stop withdrew the wrong ports:\n%s", w.sbx.log())
	}
}
