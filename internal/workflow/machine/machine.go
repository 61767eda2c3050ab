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

// Repo is what the machine use cases need of the repository.
type Repo interface {
	Facts() (gitx.Worktree, error)
	Exists(rel string) bool
	ConfigSet(ctx context.Context, key, value string) error
	ConfigAdd(ctx context.Context, key, value string) error
	ConfigUnset(ctx context.Context, key string) error
	HooksDir(ctx context.Context) (string, error)
	DiffTools(ctx context.Context) ([]string, error)
	workflow.Situations
}

// Sbx is what the machine use cases ask of sbx.
type Sbx interface {
	DryRun() bool
	Probe(ctx context.Context) (sbx.Capabilities, error)
	Ping(ctx context.Context) error
	Login(ctx context.Context, s xec.Streams) error
	Install(ctx context.Context, argv []string, s xec.Streams) error
	PolicyInitialised(ctx context.Context) (bool, error)
	PolicyInit(ctx context.Context, preset string) error
	PolicyPreset() string
	PolicyReset(ctx context.Context) error
	PolicyAllow(ctx context.Context, name string, hosts []string) error
	PolicyLog(ctx context.Context, name string) (string, error)
	Secrets(ctx context.Context) ([]sbx.Secret, error)
	SecretSetCommand(caps sbx.Capabilities, service string) []string
	LoginCommand() []string
	PolicyInitCommand(caps sbx.Capabilities, preset string) []string
	ProbeBehaviour(ctx context.Context, req sbx.BehaviourRequest) []sbx.Fact
	Settings(ctx context.Context) (map[string]sbx.Setting, error)
	DaemonLogsCommand(caps sbx.Capabilities, lines int) []string
}

var (
	_ Repo = (*gitx.Repo)(nil)
	_ Sbx  = (*sbx.Client)(nil)
)

// Service runs the machine use cases.
type Service struct {
	UI       workflow.UI
	Repo     Repo // nil outside a repository
	Root     string
	Sbx      Sbx
	Settings *config.Settings
	Entries  []gitx.ConfigEntry
	// Records are the store\'s records of the sandboxes, by name.
	Records map[string]sandboxstore.Sandbox
	// GitVersion is `git version`'s answer.
	GitVersion func(ctx context.Context) (string, error)
	// LookPath finds a program without running it.
	LookPath func(program string) (string, error)
	// DryRun receives the files that would be written, under --dry-run.
	DryRun io.Writer
	// Host is the machine Sbx runs on ([user@]server[:port]); "" for this
	// one.
	Host string
	// Env looks up the process environment (doctor's check of variables
	// sbx no longer reads); nil: not looked at.
	Env func(string) (string, bool)
}

// machine names where Sbx runs, for people.
func (s *Service) machine() string {
	if s.Host == "" {
		return "this machine"
	}
	return s.Host
}

func (s *Service) requireRepo() error {
	if s.Repo == nil {
		return workflow.ErrNotRepository
	}
	return nil
}

func (s *Service) registered(name string) bool {
	_, ok := workflow.Find(workflow.Registered(s.Entries, s.Records), name)
	return ok
}
