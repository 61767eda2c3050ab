package machine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/workflow/workflowtest"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// calls is one log shared by the fakes, so that tests can assert order
// across git and sbx.
type calls []string

func (c *calls) add(format string, args ...any) { *c = append(*c, fmt.Sprintf(format, args...)) }

func (c calls) has(prefix string) bool {
	for _, s := range c {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

type fakeRepo struct {
	log      *calls
	facts    gitx.Worktree
	factsErr error
	files    map[string]bool
	hooksDir string
	setErr   error
	tools    []string          // DiffTools' answer
	seen     map[string]string // situations
}

func (f *fakeRepo) Facts() (gitx.Worktree, error) { return f.facts, f.factsErr }
func (f *fakeRepo) Exists(rel string) bool        { return f.files[rel] }
func (f *fakeRepo) ConfigSet(_ context.Context, key, value string) error {
	f.log.add("git config set %s %s", key, value)
	return f.setErr
}
func (f *fakeRepo) ConfigAdd(_ context.Context, key, value string) error {
	f.log.add("git config add %s %s", key, value)
	return nil
}
func (f *fakeRepo) ConfigUnset(_ context.Context, key string) error {
	f.log.add("git config unset %s", key)
	return nil
}
func (f *fakeRepo) HooksDir(context.Context) (string, error) { return f.hooksDir, nil }
func (f *fakeRepo) DiffTools(context.Context) ([]string, error) {
	return append([]string{"meld", "vimdiff"}, f.tools...), nil
}
func (f *fakeRepo) Situation(key string) string { return f.seen[key] }
func (f *fakeRepo) RecordSituation(key, situation string) error {
	if f.seen == nil {
		f.seen = map[string]string{}
	}
	f.seen[key] = situation
	return nil
}

// fakeSbx answers like an installed sbx of a given dialect.
type fakeSbx struct {
	facts       []sbx.Fact
	log         *calls
	dryRun      bool
	caps        sbx.Capabilities
	probeErr    error
	pingErr     error
	initialised bool
	initErr     error
	policyInits []error // PolicyInit's answers in turn; then nil
	resetErr    error
	allowErr    error
	policyLog   string
	secrets     []sbx.Secret
	secretsErr  error
	preset      string                 // the preset git-airlock recorded setting
	settings    map[string]sbx.Setting // by key; a missing key reads as unset
	settingErr  error
}

func (f *fakeSbx) PolicyPreset() string { return f.preset }

func (f *fakeSbx) DryRun() bool { return f.dryRun }
func (f *fakeSbx) Probe(context.Context) (sbx.Capabilities, error) {
	f.log.add("sbx probe")
	return f.caps, f.probeErr
}
func (f *fakeSbx) Ping(context.Context) error { return f.pingErr }
func (f *fakeSbx) Login(context.Context, xec.Streams) error {
	f.log.add("sbx login")
	return nil
}
func (f *fakeSbx) Install(_ context.Context, argv []string, _ xec.Streams) error {
	f.log.add("install %s", strings.Join(argv, " "))
	return nil
}
func (f *fakeSbx) PolicyInitialised(context.Context) (bool, error) { return f.initialised, f.initErr }
func (f *fakeSbx) PolicyInit(_ context.Context, preset string) error {
	f.log.add("sbx policy %s %s", f.caps.PolicyInit, preset)
	if len(f.policyInits) == 0 {
		return nil
	}
	err := f.policyInits[0]
	f.policyInits = f.policyInits[1:]
	return err
}
func (f *fakeSbx) PolicyReset(context.Context) error {
	f.log.add("sbx policy reset")
	return f.resetErr
}
func (f *fakeSbx) PolicyAllow(_ context.Context, name string, hosts []string) error {
	f.log.add("sbx policy allow %s %s", name, strings.Join(hosts, ","))
	return f.allowErr
}
func (f *fakeSbx) PolicyLog(_ context.Context, name string) (string, error) {
	f.log.add("sbx policy log %s", name)
	return f.policyLog, nil
}
func (f *fakeSbx) Secrets(context.Context) ([]sbx.Secret, error) { return f.secrets, f.secretsErr }
func (f *fakeSbx) SecretSetCommand(caps sbx.Capabilities, service string) []string {
	if caps.SecretGlobal == "g-flag" {
		return []string{"sbx", "secret", "set", "-g", service}
	}
	return []string{"sbx", "secret", "set", service}
}
func (f *fakeSbx) LoginCommand() []string { return []string{"sbx", "login"} }
func (f *fakeSbx) PolicyInitCommand(caps sbx.Capabilities, preset string) []string {
	return []string{"sbx", "policy", string(caps.PolicyInit), preset}
}
func (f *fakeSbx) Settings(context.Context) (map[string]sbx.Setting, error) {
	f.log.add("sbx settings list")
	return f.settings, f.settingErr
}
func (f *fakeSbx) DaemonLogsCommand(caps sbx.Capabilities, lines int) []string {
	if !caps.DaemonLogs() {
		return nil
	}
	return []string{"sbx", "daemon", "logs", "-n", fmt.Sprint(lines)}
}

func (f *fakeSbx) ProbeBehaviour(_ context.Context, req sbx.BehaviourRequest) []sbx.Fact {
	f.log.add("sbx probe %s", req.Name)
	return f.facts
}

// fakeUI records what the user is told.
type fakeUI = workflowtest.UI

// newCaps is the current sbx CLI: `policy init`, `secret set` without -g.
var newCaps = sbx.Capabilities{Version: sbx.Version{0, 47, 0}, Clone: true, DetachFlag: "--detached", PolicyInit: "init", SecretGlobal: "sandbox-flag"}

// oldCaps is the older CLI that overwrites with `policy set-default`.
var oldCaps = sbx.Capabilities{Version: sbx.Version{0, 32, 0}, Clone: true, DetachFlag: "--detached", PolicyInit: "set-default", SecretGlobal: "g-flag"}

// sandboxBox registers sandbox "box" in the repository.
var sandboxBox = []gitx.ConfigEntry{{Key: "remote.airlock-box.url", Value: "airlock://box/home/u/repo"}}

type world struct {
	common *Common
	doctor *Diagnoser
	setup  *Installer
	warden *Warden
	config *Configurer
	hooks  *HookKeeper
	repo   *fakeRepo
	sbx    *fakeSbx
	ui     *fakeUI
	log    *calls
}

func newWorld(t *testing.T, in config.Inputs, entries []gitx.ConfigEntry) *world {
	t.Helper()
	s, err := config.Load(in)
	if err != nil {
		t.Fatal(err)
	}
	log := &calls{}
	w := &world{log: log, ui: &fakeUI{},
		repo: &fakeRepo{log: log, facts: gitx.Worktree{Root: "/home/u/repo", HasCommit: true}, files: map[string]bool{"AGENTS.md": true}},
		sbx:  &fakeSbx{log: log, caps: newCaps, initialised: true}}
	w.common = &Common{UI: w.ui, Root: "/home/u/repo", Settings: s, Entries: entries}
	w.hooks = &HookKeeper{Common: w.common, Repo: w.repo}
	w.doctor = &Diagnoser{Common: w.common, Repo: w.repo, Sbx: w.sbx, Hooks: w.hooks,
		GitVersion: func(context.Context) (string, error) { return "git version 2.47.1", nil },
		LookPath:   func(p string) (string, error) { return "/usr/bin/" + p, nil }}
	w.setup = &Installer{Common: w.common, Repo: w.repo, Sbx: w.sbx}
	w.warden = &Warden{Common: w.common, Repo: w.repo, Sbx: w.sbx}
	w.config = &Configurer{Common: w.common, Repo: w.repo}
	return w
}
