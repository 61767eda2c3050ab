package lifecycle

import (
	"context"
	"io"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// The handlers, one per verb family. Each holds only what its verbs use,
// over interfaces it declares (at most ten methods each; the archtest
// counts them); what two of them share is Common.

// execOutputer runs a command in a sandbox and returns its output.
type execOutputer interface {
	ExecOutput(ctx context.Context, req sbx.ExecRequest) (string, error)
}

// Starter is up and run: it makes or adopts the sandbox, registers it,
// seeds it and runs the agent's session.
type Starter struct {
	*Common
	Repo    StarterRepo // nil outside a repository
	Fetcher workflow.FetchRepo
	Sbx     StarterSbx
	Setup   Setup
	Seed    *Seeder
	// Sessions records the agent sessions run and up start, for wait; nil
	// outside a repository.
	Sessions Sessions
	// Progress receives git's own progress output (stderr).
	Progress io.Writer
}

// Seeder copies the agent's config into a new sandbox and applies the
// network policy's lockdown.
type Seeder struct {
	*Common
	Sbx SeederSbx
	// Home is the user's home directory, the only root seed paths may name.
	Home string
	// Files is what seeding reads of this machine; the real file system
	// when nil.
	Files Files
}

// GroupRunner is `run --agents`: several sandboxes, side by side, made by
// a Starter.
type GroupRunner struct {
	*Common
	Start    *Starter
	Repo     GroupRepo
	Sbx      GroupSbx
	Progress io.Writer
}

// Console is the sessions a user sits in: shell, attach, stop and the
// tmux sessions of up and run (here or on a server).
type Console struct {
	*Common
	Start    *Starter
	Wait     *Waiter
	Repo     ConsoleRepo // nil outside a repository
	Sbx      ConsoleSbx
	Tmux     Tmux
	Sessions Sessions
	// Self is the path of the running git-airlock, for tmux sessions.
	Self string
}

// Waiter is wait: it watches an agent's session until it ends.
type Waiter struct {
	*Common
	Repo     workflow.FetchRepo
	Sbx      WaiterSbx
	Tmux     Tmux
	Sessions Sessions
	Progress io.Writer
	// Now and Sleep are wait's clock; the real one when nil.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Reporter is status and ls: what the repository's sandboxes hold and
// what sbx says of them, on every machine they live on.
type Reporter struct {
	*Common
	Repo   ReporterRepo // nil outside a repository
	Sbx    ReporterSbx
	Survey *Surveyor
	// SbxOn is sbx on another machine, for commands over sandboxes of
	// several; nil: those are listed as unreachable.
	SbxOn    func(host string) ReporterSbx
	Sessions Sessions
}

// Surveyor asks a sandbox what the host lacks of its work (rm's refusal,
// status --unfetched).
type Surveyor struct {
	*Common
	Repo SurveyRepo
	Sbx  SurveySbx
}

// Remover is rm.
type Remover struct {
	*Common
	Repo     RemoverRepo
	Fetcher  workflow.FetchRepo
	Sbx      RemoverSbx
	Survey   *Surveyor
	Tmux     Tmux
	Sessions Sessions
	Progress io.Writer
}

// Restorer is restore and prune: the branches removals kept.
type Restorer struct {
	*Common
	Repo RestorerRepo // nil outside a repository
}

// Publisher is ports and open: what a sandbox publishes on the host.
type Publisher struct {
	*Common
	Sbx PublisherSbx
}

func (s *Starter) currentHost() string {
	if s.Server == nil {
		return ""
	}
	return s.Server.Host()
}

func (s *Waiter) fetch(ctx context.Context, sb workflow.Sandbox) error {
	return workflow.Fetch(ctx, s.Repo, s.Store, s.UI, xec.Streams{Err: s.Progress}, s.Sbx.DryRun(), sb)
}

// beginSession records that this process starts the agent's session;
// endSession records its end. A record that cannot be written is a
// warning: wait will say it knows of no session, the agent runs anyway.
func (s *Starter) beginSession(name, agentName, mode string) {
	if s.Sessions == nil || s.Sbx.DryRun() {
		return
	}
	if err := s.Sessions.Begin(name, agentName, mode); err != nil {
		s.UI.Warnf("%v", err)
	}
}

func (s *Starter) endSession(name string, code int) {
	if s.Sessions == nil || s.Sbx.DryRun() {
		return
	}
	if err := s.Sessions.End(name, code); err != nil {
		s.UI.Warnf("%v", err)
	}
}

func (s *Starter) fetch(ctx context.Context, sb workflow.Sandbox) error {
	return workflow.Fetch(ctx, s.Fetcher, s.Store, s.UI, xec.Streams{Err: s.Progress}, s.Sbx.DryRun(), sb)
}

// StarterRepo is what up and run ask of the host repository.
type StarterRepo interface {
	workflow.Situations
	Facts() (gitx.Worktree, error)
	Head() (gitx.Head, error)
	Exists(rel string) bool
	Uncommitted(ctx context.Context) (int, error)
	AddSandboxRemote(ctx context.Context, spec gitx.RemoteSpec) error
	HooksDir(ctx context.Context) (string, error)
}

// StarterSbx is what up and run ask of sbx to make and run a sandbox.
type StarterSbx interface {
	DryRun() bool
	Program() (string, error)
	Probe(ctx context.Context) (sbx.Capabilities, error)
	RequireClone(ctx context.Context) (sbx.Capabilities, error)
	List(ctx context.Context) ([]sbx.Sandbox, error)
	Create(ctx context.Context, req sbx.CreateRequest) error
	Attach(ctx context.Context, name string, agentArgs []string, s xec.Streams) error
	Exec(ctx context.Context, req sbx.ExecRequest) error
	ExecOutput(ctx context.Context, req sbx.ExecRequest) (string, error)
}

// Setup is sbx's network policy and stored credentials, which up and run
// look at before a sandbox's first session.
type Setup interface {
	PolicyInitialised(ctx context.Context) (bool, error)
	PolicyKnownInitialised(ctx context.Context) (bool, error)
	PolicyInit(ctx context.Context, preset string) error
	PolicyPreset() string
	PolicyInitCommand(caps sbx.Capabilities, preset string) []string
	Secrets(ctx context.Context) ([]sbx.Secret, error)
	SecretSetCommand(caps sbx.Capabilities, service string) []string
}

// SeederSbx is what seeding asks of sbx.
type SeederSbx interface {
	DryRun() bool
	ExecOutput(ctx context.Context, req sbx.ExecRequest) (string, error)
	Put(ctx context.Context, req sbx.PutRequest) error
	PolicyAllow(ctx context.Context, name string, hosts []string) error
}

// GroupRepo is what run --agents asks of the host repository.
type GroupRepo interface {
	workflow.FetchRepo
	Head() (gitx.Head, error)
}

// GroupSbx is what run --agents asks of sbx itself.
type GroupSbx interface {
	DryRun() bool
	Exec(ctx context.Context, req sbx.ExecRequest) error
}

// ConsoleRepo is what the sessions ask of the host repository.
type ConsoleRepo interface {
	Facts() (gitx.Worktree, error)
}

// ConsoleSbx is what shell, attach and stop ask of sbx.
type ConsoleSbx interface {
	DryRun() bool
	Exec(ctx context.Context, req sbx.ExecRequest) error
	Get(ctx context.Context, name string) (sbx.Sandbox, error)
	Stop(ctx context.Context, name string) error
	Unpublish(ctx context.Context, name string, p sbx.Port) error
}

// WaiterSbx is what wait asks of sbx: the agent's marker file.
type WaiterSbx interface {
	DryRun() bool
	execOutputer
}

// ReporterRepo is what status reads of the host repository.
type ReporterRepo interface {
	CountRefs(ctx context.Context, base string, counted, plain []string) (map[string]gitx.CountedRef, error)
	Notes(ref string) (map[string]string, error)
}

// ReporterSbx is what status and ls ask of each machine's sbx.
type ReporterSbx interface {
	SurveySbx
	List(ctx context.Context) ([]sbx.Sandbox, error)
}

// SurveyRepo is what judging a sandbox's survey asks of the host.
type SurveyRepo interface {
	sandboxref.HostRefs
	ConfigGet(ctx context.Context, key string) (string, bool, error)
	Commits(ctx context.Context, ids []string) (map[string]bool, error)
	Unreached(ctx context.Context, commits, tips []string) (map[string]bool, error)
}

// SurveySbx runs the survey in a sandbox.
type SurveySbx interface {
	DryRun() bool
	execOutputer
}

// RemoverRepo is what rm asks of the host repository besides the fetch.
type RemoverRepo interface {
	Lock(ctx context.Context, w gitx.LockWait) (func(), error)
	Refs(prefix string) (map[string]string, error)
	Commits(ctx context.Context, ids []string) (map[string]bool, error)
	Unreached(ctx context.Context, commits, tips []string) (map[string]bool, error)
	Independent(ctx context.Context, commits []string) ([]string, error)
	ReflogsCommits(ctx context.Context, refs []string) ([]string, error)
	UpdateRefs(ctx context.Context, updates []gitx.RefUpdate) error
	DeleteRefs(ctx context.Context, names []string) error
	RemoveRemote(ctx context.Context, name string) error
	ConfigUnset(ctx context.Context, key string) error
}

// RemoverSbx is what rm asks of sbx.
type RemoverSbx interface {
	DryRun() bool
	Program() (string, error)
	Get(ctx context.Context, name string) (sbx.Sandbox, error)
	Stop(ctx context.Context, name string) error
	Remove(ctx context.Context, name string) error
	Attached(ctx context.Context, name string) ([]sbx.Attachment, error)
}

// RestorerRepo is what restore and prune ask of the host repository.
type RestorerRepo interface {
	Refs(prefix string) (map[string]string, error)
	UpdateRefs(ctx context.Context, updates []gitx.RefUpdate) error
	ConfigUnset(ctx context.Context, key string) error
}

// PublisherSbx is what ports and open ask of sbx.
type PublisherSbx interface {
	DryRun() bool
	Get(ctx context.Context, name string) (sbx.Sandbox, error)
	Ports(ctx context.Context, name string) ([]sbx.Port, error)
	Publish(ctx context.Context, name string, sandboxPort, hostPort int) error
}

var (
	_ StarterRepo  = (*gitx.Repo)(nil)
	_ GroupRepo    = (*gitx.Repo)(nil)
	_ ConsoleRepo  = (*gitx.Repo)(nil)
	_ ReporterRepo = (*gitx.Repo)(nil)
	_ SurveyRepo   = (*gitx.Repo)(nil)
	_ RemoverRepo  = (*gitx.Repo)(nil)
	_ RestorerRepo = (*gitx.Repo)(nil)
	_ StarterSbx   = (*sbx.Client)(nil)
	_ Setup        = (*sbx.Client)(nil)
	_ SeederSbx    = (*sbx.Client)(nil)
	_ GroupSbx     = (*sbx.Client)(nil)
	_ ConsoleSbx   = (*sbx.Client)(nil)
	_ WaiterSbx    = (*sbx.Client)(nil)
	_ ReporterSbx  = (*sbx.Client)(nil)
	_ RemoverSbx   = (*sbx.Client)(nil)
	_ PublisherSbx = (*sbx.Client)(nil)
)
