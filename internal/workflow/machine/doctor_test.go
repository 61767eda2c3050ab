package machine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/sbx"
)

func check(t *testing.T, checks []Check, name string) (Check, bool) {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func mustCheck(t *testing.T, checks []Check, name string) Check {
	t.Helper()
	c, ok := check(t, checks, name)
	if !ok {
		t.Fatalf("no %q check in %+v", name, checks)
	}
	return c
}

var linuxKVM = Platform{OS: "linux", Arch: "amd64", KVM: true}

func TestDoctorPlatform(t *testing.T) {
	for _, tc := range []struct {
		p     Platform
		level string
	}{
		{Platform{OS: "darwin", Arch: "arm64"}, "OK"},
		{Platform{OS: "darwin", Arch: "amd64"}, "FAIL"},
		{Platform{OS: "windows", Arch: "amd64"}, "WARN"},
		{Platform{OS: "linux", Arch: "amd64", KVM: true}, "OK"},
		{Platform{OS: "linux", Arch: "arm64"}, "WARN"},
		{Platform{OS: "freebsd", Arch: "amd64"}, "WARN"},
	} {
		w := newWorld(t, config.Inputs{}, nil)
		c := mustCheck(t, w.doctor.Doctor(ctx, tc.p, "box"), "platform")
		if c.Level != tc.level {
			t.Errorf("%s/%s kvm=%v: %s (%s), want %s", tc.p.OS, tc.p.Arch, tc.p.KVM, c.Level, c.Detail, tc.level)
		}
	}
}

func TestDoctorGit(t *testing.T) {
	for _, tc := range []struct {
		version string
		err     error
		level   string
	}{
		{version: "git version 2.47.1", level: "OK"},
		{version: "git version 2.26.0", level: "OK"},
		{version: "git version 2.39.5 (Apple Git-154)", level: "OK"},
		{version: "git version 3.0.0", level: "OK"},
		{version: "git version 2.25.4", level: "FAIL"},
		{version: "git version 2.9.5", level: "FAIL"},
		{version: "git version 1.99.0", level: "FAIL"},
		{err: errors.New("not found"), level: "FAIL"},
	} {
		w := newWorld(t, config.Inputs{}, nil)
		w.doctor.GitVersion = func(context.Context) (string, error) { return tc.version, tc.err }
		c := mustCheck(t, w.doctor.Doctor(ctx, linuxKVM, "box"), "git")
		if c.Level != tc.level {
			t.Errorf("%q, %v: %s (%s), want %s", tc.version, tc.err, c.Level, c.Detail, tc.level)
		}
	}
}

func TestGitTooOld(t *testing.T) {
	for v, want := range map[string]bool{
		"git version 2.25.1":                  true,
		"git version 2.26.0":                  false,
		"git version 2.100.0":                 false,
		"git version 1.8.3.1":                 true,
		"git version 2.43.0.windows.1":        false,
		"git version 2.20.1.vfs.1.1.102.gabc": true,
		"garbage":                             false, // unknown: not refused
	} {
		if got := gitTooOld(v); got != want {
			t.Errorf("gitTooOld(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestDoctorSbx(t *testing.T) {
	for _, tc := range []struct {
		name      string
		caps      sbx.Capabilities
		probeErr  error
		sbxLevel  string
		wantLater bool // login, policy and credential are checked
	}{
		{name: "missing", probeErr: &sbx.MissingError{Bin: "sbx"}, sbxLevel: "FAIL"},
		{name: "broken", probeErr: errors.New("sbx version: exit status 2"), sbxLevel: "FAIL"},
		{name: "no clone mode", caps: sbx.Capabilities{Version: sbx.Version{0, 40, 0}, PolicyInit: "init"}, sbxLevel: "FAIL", wantLater: true},
		{name: "too old", caps: sbx.Capabilities{Version: sbx.Version{0, 31, 0}, Clone: true, PolicyInit: "set-default"}, sbxLevel: "FAIL", wantLater: true},
		{name: "minimum", caps: sbx.Capabilities{Version: sbx.MinVersion, Clone: true, PolicyInit: "set-default"}, sbxLevel: "OK", wantLater: true},
		{name: "newest", caps: newCaps, sbxLevel: "OK", wantLater: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, config.Inputs{}, nil)
			w.sbx.caps, w.sbx.probeErr = tc.caps, tc.probeErr
			checks := w.doctor.Doctor(ctx, linuxKVM, "box")
			if c := mustCheck(t, checks, "sbx"); c.Level != tc.sbxLevel {
				t.Errorf("sbx: %s (%s), want %s", c.Level, c.Detail, tc.sbxLevel)
			}
			for _, name := range []string{"login", "policy", "credential"} {
				if _, ok := check(t, checks, name); ok != tc.wantLater {
					t.Errorf("%s checked: %v, want %v", name, ok, tc.wantLater)
				}
			}
			if (tc.sbxLevel == "FAIL") != (Failed(checks) != nil) {
				t.Errorf("Failed = %v", Failed(checks))
			}
		})
	}
}

func TestDoctorLogin(t *testing.T) {
	for _, tc := range []struct {
		err   error
		level string
		hint  string
	}{
		{nil, "OK", ""},
		{fmt.Errorf("ping: %w", sbx.ErrNotLoggedIn), "FAIL", "sbx login"},
		{sbx.ErrDaemonDown, "FAIL", "sbx daemon start"},
		{errors.New("tls handshake"), "FAIL", ""},
	} {
		w := newWorld(t, config.Inputs{}, nil)
		w.sbx.pingErr = tc.err
		c := mustCheck(t, w.doctor.Doctor(ctx, linuxKVM, "box"), "login")
		if c.Level != tc.level || c.Hint != tc.hint {
			t.Errorf("%v: %+v, want %s with hint %q", tc.err, c, tc.level, tc.hint)
		}
	}
}

func TestDoctorPolicyNamesTheExactInitCommand(t *testing.T) {
	for _, tc := range []struct {
		name        string
		caps        sbx.Capabilities
		in          config.Inputs
		initialised bool
		err         error
		level, hint string
	}{
		{name: "initialised", caps: newCaps, initialised: true, level: "OK"},
		{name: "new CLI", caps: newCaps, level: "WARN", hint: "sbx policy init balanced"},
		{name: "old CLI", caps: oldCaps, level: "WARN", hint: "sbx policy set-default balanced"},
		{name: "deny-all configured", caps: newCaps, level: "WARN", hint: "sbx policy init deny-all",
			in: config.Inputs{Git: []gitx.ConfigEntry{{Key: "airlock.networkpolicy", Value: "deny-all"}}}},
		{name: "unreadable", caps: newCaps, err: errors.New("policy ls: boom"), level: "WARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.in, nil)
			w.sbx.caps, w.sbx.initialised, w.sbx.initErr = tc.caps, tc.initialised, tc.err
			checks := w.doctor.Doctor(ctx, linuxKVM, "box")
			c := mustCheck(t, checks, "policy")
			if c.Level != tc.level || c.Hint != tc.hint {
				t.Errorf("%+v, want %s with hint %q", c, tc.level, tc.hint)
			}
			if w.log.has("sbx policy init") || w.log.has("sbx policy set-default") {
				t.Errorf("doctor changed the policy: %q", *w.log)
			}
			if Failed(checks) != nil {
				t.Errorf("a policy warning failed doctor")
			}
		})
	}
}

func TestDoctorCredential(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in          config.Inputs
		caps        sbx.Capabilities
		secrets     []sbx.Secret
		err         error
		level, hint string
		absent      bool
	}{
		{name: "global secret", caps: newCaps, secrets: []sbx.Secret{{Service: "anthropic", Scope: "global"}}, level: "OK"},
		{name: "this sandbox's secret", caps: newCaps, secrets: []sbx.Secret{{Service: "anthropic", Scope: "sandbox:box"}}, level: "OK"},
		{name: "another sandbox's secret", caps: newCaps, secrets: []sbx.Secret{{Service: "anthropic", Scope: "sandbox:other"}},
			level: "WARN", hint: "store a key on the host (never in the VM): sbx secret set anthropic"},
		{name: "another agent's secret", caps: newCaps, secrets: []sbx.Secret{{Service: "openai", Scope: "global"}},
			level: "WARN", hint: "store a key on the host (never in the VM): sbx secret set anthropic"},
		{name: "old CLI", caps: oldCaps, level: "WARN", hint: "store a key on the host (never in the VM): sbx secret set -g anthropic"},
		{name: "codex", caps: newCaps, in: config.Inputs{Git: []gitx.ConfigEntry{{Key: "airlock.agent", Value: "codex"}}},
			level: "WARN", hint: "store a key on the host (never in the VM): sbx secret set openai"},
		{name: "unlistable", caps: newCaps, err: errors.New("secret ls: boom"),
			level: "WARN", hint: "store a key on the host (never in the VM): sbx secret set anthropic"},
		{name: "an agent without a secret", caps: newCaps, in: config.Inputs{Git: []gitx.ConfigEntry{{Key: "airlock.agent", Value: "shell"}}}, absent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.in, nil)
			w.sbx.caps, w.sbx.secrets, w.sbx.secretsErr = tc.caps, tc.secrets, tc.err
			checks := w.doctor.Doctor(ctx, linuxKVM, "box")
			c, ok := check(t, checks, "credential")
			if tc.absent {
				if ok {
					t.Errorf("credential checked: %+v", c)
				}
				return
			}
			if !ok || c.Level != tc.level || c.Hint != tc.hint {
				t.Errorf("%+v, want %s with hint %q", c, tc.level, tc.hint)
			}
		})
	}
}

func TestDoctorTmux(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.doctor.LookPath = func(string) (string, error) { return "", errors.New("not found") }
	checks := w.doctor.Doctor(ctx, linuxKVM, "box")
	if c := mustCheck(t, checks, "tmux"); c.Level != "WARN" {
		t.Errorf("%+v", c)
	}
	if Failed(checks) != nil {
		t.Errorf("a missing tmux failed doctor")
	}
}

func TestDoctorRepository(t *testing.T) {
	for _, tc := range []struct {
		name     string
		facts    gitx.Worktree
		factsErr error
		level    string
		hint     string
	}{
		{name: "fine", facts: gitx.Worktree{Root: "/home/u/repo", HasCommit: true}, level: "OK"},
		{name: "linked worktree", facts: gitx.Worktree{Root: "/home/u/wt", Linked: true, MainRoot: "/home/u/repo", HasCommit: true},
			level: "FAIL", hint: `run it from the main worktree: cd "/home/u/repo"`},
		{name: "shallow", facts: gitx.Worktree{Root: "/home/u/repo", Shallow: true, HasCommit: true},
			level: "FAIL", hint: "fetch the full history first: git fetch --unshallow"},
		{name: "no commit", facts: gitx.Worktree{Root: "/home/u/repo"},
			level: "FAIL", hint: "commit something first: git add -A && git commit -m 'Initial commit'"},
		{name: "unreadable", factsErr: errors.New("bad HEAD"), level: "FAIL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, config.Inputs{}, nil)
			w.repo.facts, w.repo.factsErr = tc.facts, tc.factsErr
			checks := w.doctor.Doctor(ctx, linuxKVM, "box")
			c := mustCheck(t, checks, "repository")
			if c.Level != tc.level || c.Hint != tc.hint {
				t.Errorf("%+v, want %s with hint %q", c, tc.level, tc.hint)
			}
			if (tc.level == "FAIL") != (Failed(checks) != nil) {
				t.Errorf("Failed = %v", Failed(checks))
			}
		})
	}
}

func TestDoctorRepositoryWarnings(t *testing.T) {
	w := newWorld(t, config.Inputs{File: config.FileInput{Content: []byte(`agent = "codex"`)}}, nil)
	w.repo.files = nil
	checks := w.doctor.Doctor(ctx, linuxKVM, "box")
	if c := mustCheck(t, checks, "instructions"); c.Level != "WARN" || c.Hint != "git airlock init" {
		t.Errorf("%+v", c)
	}
	if c := mustCheck(t, checks, ".airlock.toml"); c.Level != "WARN" || !strings.Contains(c.Detail, "untrusted") || c.Hint != "git airlock trust" {
		t.Errorf("%+v", c)
	}

	w = newWorld(t, trustedFile(`agent = "codex"`), nil)
	w.repo.files = map[string]bool{"CLAUDE.md": true}
	checks = w.doctor.Doctor(ctx, linuxKVM, "box")
	for _, name := range []string{"instructions", ".airlock.toml"} {
		if c, ok := check(t, checks, name); ok {
			t.Errorf("unexpected %+v", c)
		}
	}

	w = newWorld(t, config.Inputs{}, nil)
	w.doctor.Repo = nil
	checks = w.doctor.Doctor(ctx, linuxKVM, "box")
	if c := mustCheck(t, checks, "repository"); c.Level != "WARN" {
		t.Errorf("outside a repository: %+v", c)
	}
	if Failed(checks) != nil {
		t.Errorf("outside a repository doctor failed")
	}
}

func TestFailed(t *testing.T) {
	if err := Failed([]Check{{Level: "OK"}, {Level: "WARN"}}); err != nil {
		t.Errorf("warnings failed: %v", err)
	}
	err := Failed([]Check{{Level: "OK"}, {Level: "FAIL"}})
	var exit *hint.ExitError
	if !errors.As(err, &exit) || exit.Code != 1 || exit.Err != nil {
		t.Errorf("Failed = %#v, want exit code 1 with nothing more to print", err)
	}
	if Failed(nil) != nil {
		t.Errorf("no checks failed")
	}
}

func TestProbeMismatchFails(t *testing.T) {
	f := &fakeSbx{log: &calls{}, facts: []sbx.Fact{{Name: "clone", OK: true, Detail: "at /r"}, {Name: "missing", Detail: "unknown wording"}}}
	s := &Diagnoser{Common: &Common{}, Sbx: f}
	checks := s.Probe(context.Background(), ProbeRequest{Name: "p"})
	if len(checks) != 2 || checks[0].Level != "OK" || checks[1].Level != "MISMATCH" {
		t.Fatalf("checks = %+v", checks)
	}
	if Failed(checks) == nil {
		t.Fatal("a mismatch must exit non-zero")
	}
	if Failed(checks[:1]) != nil {
		t.Fatal("all OK must exit zero")
	}
}

// fakeCopy is the probe's copy of its repository on a server.
type fakeCopy struct {
	log     *calls
	sendErr error
}

func (f *fakeCopy) Host() string { return "server" }
func (f *fakeCopy) Send(_ context.Context, commit, branch string) (string, error) {
	f.log.add("send %s %s", commit, branch)
	return "/srv/copy", f.sendErr
}
func (f *fakeCopy) Remove(ctx context.Context) error {
	f.log.add("remove copy (ctx live: %v)", ctx.Err() == nil)
	return nil
}
func (f *fakeCopy) ConfigGet(_ context.Context, key string) (string, error) {
	f.log.add("config %s", key)
	return "git://x/copy", nil
}

func TestProbeServerSendsProbesAndRemovesTheCopy(t *testing.T) {
	log := &calls{}
	f := &fakeSbx{log: log, facts: []sbx.Fact{{Name: "clone", OK: true}}}
	s := &Diagnoser{Common: &Common{Host: "server"}, Sbx: f}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // an interrupt: the copy is still removed
	checks := s.ProbeServer(ctx, ProbeRequest{Name: "p"}, &fakeCopy{log: log}, "abc", "main")
	want := []string{"send abc main", "sbx probe p", "remove copy (ctx live: true)"}
	if fmt.Sprint(*log) != fmt.Sprint(want) {
		t.Errorf("calls = %q, want %q", *log, want)
	}
	if len(checks) != 2 || checks[0].Name != "server copy" || checks[0].Level != "OK" || !strings.Contains(checks[0].Detail, "server:/srv/copy") {
		t.Errorf("checks = %+v", checks)
	}
}

func TestProbeServerCopyFailureIsAMismatchAndCleansUp(t *testing.T) {
	log := &calls{}
	s := &Diagnoser{Common: &Common{Host: "server"}, Sbx: &fakeSbx{log: log}}
	checks := s.ProbeServer(context.Background(), ProbeRequest{Name: "p"}, &fakeCopy{log: log, sendErr: errors.New("no git on server")}, "abc", "")
	if len(checks) != 1 || checks[0].Level != "MISMATCH" || !strings.Contains(checks[0].Detail, "no git on server") || Failed(checks) == nil {
		t.Errorf("checks = %+v", checks)
	}
	if log.has("sbx probe") || !log.has("remove copy") {
		t.Errorf("calls = %q: no probe without the copy, and the partial copy removed", *log)
	}
}
