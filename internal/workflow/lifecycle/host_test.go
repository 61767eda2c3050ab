package lifecycle_test

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/agentrun"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/sbx"
)

// fakeServer is git-airlock's copy of the repository on a server.
type fakeServer struct {
	recorder
	host    string
	sendErr error
	// ends are SessionEnd's answers, one per call (the last repeats);
	// -1 is "no status recorded".
	ends []int
}

func (f *fakeServer) Host() string        { return f.host }
func (f *fakeServer) DisplayPath() string { return "~/.cache/git-airlock/repos/repo-x" }
func (f *fakeServer) Send(_ context.Context, commit, branch string) (string, error) {
	f.record("Send", commit, branch)
	return "/srv/home/.cache/git-airlock/repos/repo-x", f.sendErr
}
func (f *fakeServer) Remove(context.Context) error { f.record("Remove"); return nil }
func (f *fakeServer) SessionArgv(sandbox string, argv []string) []string {
	return append([]string{"record", sandbox}, argv...)
}
func (f *fakeServer) SessionBegin(_ context.Context, sandbox string) error {
	f.record("SessionBegin", sandbox)
	return nil
}
func (f *fakeServer) SessionEnd(_ context.Context, sandbox string) (int, bool, error) {
	f.record("SessionEnd", sandbox)
	code := -1
	if len(f.ends) > 0 {
		code = f.ends[0]
		if len(f.ends) > 1 {
			f.ends = f.ends[1:]
		}
	}
	return code, code >= 0, nil
}

func TestUpOnAServerSendsTheCommitThenCreatesFromTheCopy(t *testing.T) {
	w := newWorld(t, nil)
	srv := &fakeServer{host: "me@server:2222"}
	w.svc.Server = srv
	w.repo.head = gitx.Head{Hash: hash("c1"), Branch: "main"}
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if !srv.called("Send " + hash("c1") + " main") {
		t.Errorf("commit not sent:\n%s", srv.log())
	}
	if !w.sbx.called("Create box claude /srv/home/.cache/git-airlock/repos/repo-x") {
		t.Errorf("not created from the server's copy:\n%s", w.sbx.log())
	}
	if !w.repo.called("AddSandboxRemote airlock-box airlock://box@me@server:2222/home/u/repo") ||
		w.store.sandboxes["box"] != (sandboxstore.Sandbox{Agent: "claude", Base: "main"}) {
		t.Errorf("remote does not name the host, or records a local sbx path:\n%s", w.repo.log())
	}
}

func TestUpOnAServerStopsWhenTheSendFails(t *testing.T) {
	w := newWorld(t, nil)
	w.svc.Server = &fakeServer{host: "server", sendErr: errors.New("push refused")}
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err == nil {
		t.Fatal("up went on after a failed send")
	}
	if w.sbx.called("Create") || w.repo.called("AddSandboxRemote") {
		t.Errorf("created or registered after a failed send:\n%s\n%s", w.sbx.log(), w.repo.log())
	}
}

// registerOn makes sandbox name known on host.
func (w *world) registerOn(name, host string) {
	url := "airlock://" + name + "/home/u/repo"
	if host != "" {
		url = "airlock://" + name + "@" + host + "/home/u/repo"
	}
	w.repo.entries = append(w.repo.entries, gitx.ConfigEntry{Key: "remote.airlock-" + name + ".url", Value: url})
	w.svc.Entries = append(w.svc.Entries, gitx.ConfigEntry{Key: "remote.airlock-" + name + ".url", Value: url})
}

func TestRemoveDropsTheServerCopyWithTheLastSandboxThere(t *testing.T) {
	w := newWorld(t, nil)
	srv := &fakeServer{host: "server"}
	w.svc.Server = srv
	w.registerOn("aa", "server")
	w.registerOn("bb", "server")
	w.sbx.list = []sbx.Sandbox{{Name: "aa", Status: "running"}, {Name: "bb", Status: "running"}}
	w.sbx.outputs["git status --porcelain"] = ""
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "aa", Force: true}); err != nil {
		t.Fatal(err)
	}
	if srv.called("Remove") {
		t.Fatal("the copy was removed while sandbox bb still uses it")
	}
	w.svc.Entries = w.svc.Entries[1:] // aa's remote is gone
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "bb", Force: true}); err != nil {
		t.Fatal(err)
	}
	if !srv.called("Remove") {
		t.Errorf("the copy outlived the last sandbox on the server:\n%s", srv.log())
	}
}

// hostSbx is one machine's sbx for listByHost: its own list or error.
type hostSbx struct {
	*fakeSbx
	err error
}

func (h hostSbx) List(ctx context.Context) ([]sbx.Sandbox, error) {
	list, _ := h.fakeSbx.List(ctx)
	return list, h.err
}

func TestStatusAsksEachHostOnceAndKeepsGoingWhenOneIsDown(t *testing.T) {
	w := newWorld(t, nil)
	w.registerOn("here", "")
	w.registerOn("there", "server")
	w.registerOn("far", "down")
	w.sbx.list = []sbx.Sandbox{{Name: "here", Status: "running"}, {Name: "there", Status: "running"}}
	server := newSbx()
	server.list = []sbx.Sandbox{{Name: "there", Status: "stopped"}}
	down := newSbx()
	w.svc.SbxOn = func(host string) allSbx {
		switch host {
		case "server":
			return hostSbx{fakeSbx: server}
		case "down":
			return hostSbx{fakeSbx: down, err: &sbx.UnreachableError{Host: "down", Err: errors.New("refused")}}
		}
		t.Fatalf("asked for host %q", host)
		return nil
	}
	got, err := w.svc.Status(ctx, lifecycle.StatusRequest{All: true})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, st := range got {
		states[st.Name+"@"+st.Host] = st.State
	}
	want := map[string]string{"here@": "running", "there@server": "stopped", "far@down": lifecycle.StateUnreachable}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s: state %q, want %q (all: %v)", k, states[k], v, states)
		}
	}
	for name, f := range map[string]*fakeSbx{"local": w.sbx, "server": server, "down": down} {
		n := 0
		for _, c := range f.calls {
			if c == "List" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s sbx listed %d times, want once", name, n)
		}
	}
}

// serverRunWorld is a repository whose sandbox box runs on server, with
// real session records in a temporary directory.
func serverRunWorld(t *testing.T, ends ...int) (*world, *fakeServer, agentrun.Store) {
	w := newWorld(t, nil)
	srv := &fakeServer{host: "server", ends: ends}
	w.svc.Server = srv
	w.repo.head = gitx.Head{Hash: hash("c1"), Branch: "main"}
	store := agentrun.Store{Dir: t.TempDir()}
	w.svc.Sessions = store
	c := &clock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	w.svc.Now, w.svc.Sleep = c.Now, c.Sleep
	return w, srv, store
}

func TestRunInServerTmuxRecordsWhereTheSessionRuns(t *testing.T) {
	w, srv, store := serverRunWorld(t)
	w.tmux.starts = true
	if err := w.svc.RunInServerTmux(ctx, lifecycle.RunRequest{Name: "box", Task: "fix it"}, true); err != nil {
		t.Fatal(err)
	}
	if !srv.called("SessionBegin box") {
		t.Errorf("the last session's status is not forgotten first:\n%s", srv.log())
	}
	if !w.tmux.called("NewSession airlock-box true record box sbx exec box claude") {
		t.Errorf("the session does not run the wrapped headless agent:\n%s", w.tmux.log())
	}
	rec, ok, err := store.Read("box")
	if err != nil || !ok || rec.Host != "server" || rec.Mode != lifecycle.ModeRun || rec.State() != agentrun.Running {
		t.Errorf("record = %+v, %v, %v", rec, ok, err)
	}
	if srv.called("SessionEnd") || w.repo.called("Fetch") {
		t.Errorf("a detached run waited or fetched:\n%s\n%s", srv.log(), w.repo.log())
	}
}

func TestWaitAsksTheServerAndRecordsTheEnd(t *testing.T) {
	w, srv, store := serverRunWorld(t, -1, -1, 3)
	w.registerOn("box", "server")
	w.tmux.has = true
	if err := store.BeginOn("server", "box", "claude", lifecycle.ModeRun); err != nil {
		t.Fatal(err)
	}
	res, err := w.svc.Wait(ctx, lifecycle.WaitRequest{Name: "box"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != lifecycle.OutcomeFailed || res.ExitCode() != lifecycle.ExitAgentFailed || !res.Fetched {
		t.Errorf("res = %+v", res)
	}
	if n := strings.Count(srv.log(), "SessionEnd box"); n != 3 {
		t.Errorf("asked the server %d times, want 3:\n%s", n, srv.log())
	}
	rec, _, _ := store.Read("box")
	if rec.Exit == nil || *rec.Exit != 3 {
		t.Errorf("the end is not recorded here: %+v", rec)
	}
	// The next wait reads it here.
	before := srv.log()
	if res, err := w.svc.Wait(ctx, lifecycle.WaitRequest{Name: "box", NoFetch: true}); err != nil || res.Outcome != lifecycle.OutcomeFailed {
		t.Errorf("second wait: %+v, %v", res, err)
	}
	if srv.log() != before {
		t.Errorf("the second wait asked the server again:\n%s", srv.log())
	}
}

func TestWaitOnAServerSessionGoneWithoutAStatusIsLost(t *testing.T) {
	w, srv, store := serverRunWorld(t, -1)
	w.registerOn("box", "server")
	if err := store.BeginOn("server", "box", "claude", lifecycle.ModeRun); err != nil {
		t.Fatal(err)
	}
	res, err := w.svc.Wait(ctx, lifecycle.WaitRequest{Name: "box"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != lifecycle.OutcomeLost || res.ExitCode() != lifecycle.ExitAgentFailed {
		t.Errorf("res = %+v", res)
	}
	// Asked twice: the status may be written as the session goes.
	if n := strings.Count(srv.log(), "SessionEnd box"); n != 2 {
		t.Errorf("asked the server %d times, want 2:\n%s", n, srv.log())
	}
}

func TestUpOnAServerSeedsNothingOfThisMachine(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "notes.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, nil, gitx.ConfigEntry{Key: "airlock.seedpath", Value: "notes.txt"})
	w.svc.Home = home
	w.svc.Server = &fakeServer{host: "server"}
	w.repo.head = gitx.Head{Hash: hash("c1"), Branch: "main"}
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if w.sbx.called("Put") {
		t.Errorf("copied this machine's file to a server's sandbox:\n%s", w.sbx.log())
	}
	if !slices.ContainsFunc(w.ui.Warns, func(s string) bool { return strings.Contains(s, "not seeded") && strings.Contains(s, "notes.txt") }) {
		t.Errorf("warnings = %q", w.ui.Warns)
	}
}

// barrierSbx answers List only once every machine has been asked: asked
// one after another, the first would wait for the rest forever, and says
// so after a while.
type barrierSbx struct {
	*fakeSbx
	asked *sync.WaitGroup
	all   chan struct{}
}

func (b barrierSbx) List(ctx context.Context) ([]sbx.Sandbox, error) {
	b.asked.Done()
	select {
	case <-b.all:
	case <-time.After(10 * time.Second):
		return nil, errors.New("the machines were asked one after another")
	}
	return b.fakeSbx.List(ctx)
}

func TestListMachineAsksEveryMachineSideBySide(t *testing.T) {
	w := newWorld(t, nil)
	w.registerOn("here", "")
	w.registerOn("there", "s1")
	w.registerOn("far", "s2")
	var asked sync.WaitGroup
	asked.Add(3)
	all := make(chan struct{})
	go func() { asked.Wait(); close(all) }()
	machines := map[string]*fakeSbx{"": w.sbx, "s1": newSbx(), "s2": newSbx()}
	for host, f := range machines {
		f.list = []sbx.Sandbox{{Name: "on-" + cmp.Or(host, "here"), Status: "running"}}
	}
	w.svc.Sbx = barrierSbx{w.sbx, &asked, all}
	w.svc.SbxOn = func(host string) allSbx { return barrierSbx{machines[host], &asked, all} }
	got, err := w.svc.ListMachine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, m := range got {
		rows = append(rows, m.Name+"@"+m.Host)
	}
	if want := []string{"on-here@", "on-s1@s1", "on-s2@s2"}; !slices.Equal(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
}
