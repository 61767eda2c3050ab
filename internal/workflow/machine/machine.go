// Package machine is what git-airlock does to the machine and the
// repository's settings rather than to one sandbox's work: doctor, setup,
// the network policy (lockdown, unlock, allow, net), settings (config,
// trust, import), init and hooks.
package machine

import (
	"context"
	"io"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// The handlers, one per verb family. Each holds only what its verbs use,
// over interfaces it declares (at most ten methods each; the archtest
// counts them); what they share is Common.

// Common is what every machine handler holds.
type Common struct {
	UI       workflow.UI
	Root     string // "" outside a repository
	Settings *config.Settings
	Entries  []gitx.ConfigEntry
	// Records are the store's records of the sandboxes, by name.
	Records map[string]sandboxstore.Sandbox
	// DryRun receives the files that would be written, under --dry-run.
	DryRun io.Writer
	// Host is the machine Sbx runs on ([user@]server[:port]); "" for this
	// one.
	Host string
}

// DiagnoserRepo is what doctor needs of the repository.
type DiagnoserRepo interface {
	Facts() (gitx.Worktree, error)
	Exists(rel string) bool
	workflow.Situations
}

// DiagnoserSbx is what doctor and its probe ask of sbx.
type DiagnoserSbx interface {
	Probe(ctx context.Context) (sbx.Capabilities, error)
	Ping(ctx context.Context) error
	PolicyInitialised(ctx context.Context) (bool, error)
	PolicyPreset() string
	PolicyInitCommand(caps sbx.Capabilities, preset string) []string
	Secrets(ctx context.Context) ([]sbx.Secret, error)
	SecretSetCommand(caps sbx.Capabilities, service string) []string
	Settings(ctx context.Context) (map[string]sbx.Setting, error)
	DaemonLogsCommand(caps sbx.Capabilities, lines int) []string
	ProbeBehaviour(ctx context.Context, req sbx.BehaviourRequest) []sbx.Fact
}

// Diagnoser is doctor and doctor --probe: what is in place on the
// machine and in the repository, and how sbx behaves.
type Diagnoser struct {
	*Common
	Repo  DiagnoserRepo // nil outside a repository
	Sbx   DiagnoserSbx
	Hooks *HookKeeper
	// GitVersion is `git version`'s answer.
	GitVersion func(ctx context.Context) (string, error)
	// LookPath finds a program without running it.
	LookPath func(program string) (string, error)
	// Env looks up the process environment (doctor's check of variables
	// sbx no longer reads); nil: not looked at.
	Env func(string) (string, bool)
}

// InstallerRepo is what setup needs of the repository.
type InstallerRepo interface {
	Exists(rel string) bool
}

// InstallerSbx is what setup asks of sbx.
type InstallerSbx interface {
	DryRun() bool
	Probe(ctx context.Context) (sbx.Capabilities, error)
	Install(ctx context.Context, argv []string, s xec.Streams) error
	Ping(ctx context.Context) error
	LoginCommand() []string
	Login(ctx context.Context, s xec.Streams) error
	PolicyInitialised(ctx context.Context) (bool, error)
	PolicyInitCommand(caps sbx.Capabilities, preset string) []string
	PolicyInit(ctx context.Context, preset string) error
	SecretSetCommand(caps sbx.Capabilities, service string) []string
}

// Installer is setup: it installs and prepares sbx.
type Installer struct {
	*Common
	Repo InstallerRepo // nil outside a repository
	Sbx  InstallerSbx
}

// WardenRepo is what the network policy verbs need of the repository.
type WardenRepo interface {
	ConfigSet(ctx context.Context, key, value string) error
	ConfigAdd(ctx context.Context, key, value string) error
	ConfigUnset(ctx context.Context, key string) error
}

// WardenSbx is what the network policy verbs ask of sbx.
type WardenSbx interface {
	Probe(ctx context.Context) (sbx.Capabilities, error)
	PolicyInitialised(ctx context.Context) (bool, error)
	PolicyInit(ctx context.Context, preset string) error
	PolicyReset(ctx context.Context) error
	PolicyAllow(ctx context.Context, name string, hosts []string) error
	PolicyLog(ctx context.Context, name string) (string, error)
}

// Warden is the network policy: lockdown, unlock, allow and net.
type Warden struct {
	*Common
	Repo WardenRepo // nil outside a repository
	Sbx  WardenSbx
}

// ConfigurerRepo is what the settings verbs need of the repository.
type ConfigurerRepo interface {
	ConfigSet(ctx context.Context, key, value string) error
	ConfigAdd(ctx context.Context, key, value string) error
	ConfigUnset(ctx context.Context, key string) error
	DiffTools(ctx context.Context) ([]string, error)
	workflow.Situations
}

// Configurer is the repository's settings: trust, config import and init.
type Configurer struct {
	*Common
	Repo ConfigurerRepo // nil outside a repository
}

// HookRepo is what the hooks verbs need of the repository.
type HookRepo interface {
	HooksDir(ctx context.Context) (string, error)
}

// HookKeeper is hooks install, uninstall and status.
type HookKeeper struct {
	*Common
	Repo HookRepo // nil outside a repository
}

var (
	_ DiagnoserRepo  = (*gitx.Repo)(nil)
	_ DiagnoserSbx   = (*sbx.Client)(nil)
	_ InstallerRepo  = (*gitx.Repo)(nil)
	_ InstallerSbx   = (*sbx.Client)(nil)
	_ WardenRepo     = (*gitx.Repo)(nil)
	_ WardenSbx      = (*sbx.Client)(nil)
	_ ConfigurerRepo = (*gitx.Repo)(nil)
	_ HookRepo       = (*gitx.Repo)(nil)
)

// machine names where Sbx runs, for people.
func (s *Common) machine() string {
	if s.Host == "" {
		return "this machine"
	}
	return s.Host
}

// requireRepo refuses outside a repository: repo is a handler's Repo,
// nil there.
func requireRepo(repo any) error {
	if repo == nil {
		return workflow.ErrNotRepository
	}
	return nil
}

func (s *Common) registered(name string) bool {
	_, ok := workflow.Find(workflow.Registered(s.Entries, s.Records), name)
	return ok
}
