// Package lifecycle is the life of a sandbox: up, run, shell, stop, rm and
// the tmux sessions around them, and the status of a repository's
// sandboxes. It decides; gitx, sbx and internal/tmux act, and
// cmd/git-airlock renders.
//
// What happens on `git airlock rm`, file by file (docs/rm.md says why):
//
//  1. cmd/git-airlock/rm.go: the command resolves the sandbox and calls
//     Service.Remove with --force as given.
//  2. rm.go: Remove takes the repository lock for the whole command, then
//     decideRemoval: open sessions (refuseOpenSessions: the session
//     record, tmux, sbx.Client.Attached), removalState (sbx ls, then sbx
//     stop, whose missing-sandbox answer alone makes the sandbox gone),
//     the fetch (workflow.FetchLocked), the survey, the refusal; then
//     actRemoval (sessions again, sbx rm --force) and reportRemoval
//     (archive, superseded tips, the removal record, the remote dropped).
//  3. survey.go: unsaved runs the survey in one exec, fails closed on any
//     "fail" line (SurveyError), and judges every commit it names in one
//     pass (gitx.Repo.Commits, gitx.Repo.Unreached).
//  4. gitx/vm.go and gitx/reach.go: the survey script and its parser
//     (refs, worktrees and their own refs, nested repositories, failures);
//     the one-process reachability questions asked of the host.
//  5. sbx/verbs.go and sbx/attached.go: Stop and Remove, which type sbx's
//     "no sandbox named" as *sbx.NotFoundError; Attached, the sbx
//     processes holding a session open.
package lifecycle

import (
	"context"
	"io"
	"time"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Repo is what the lifecycle needs of the host repository.
type Repo interface {
	workflow.FetchRepo
	workflow.Situations
	Facts() (gitx.Worktree, error)
	Head() (gitx.Head, error)
	Exists(rel string) bool
	Uncommitted(ctx context.Context) (int, error)
	AddSandboxRemote(ctx context.Context, spec gitx.RemoteSpec) error
	RemoveRemote(ctx context.Context, name string) error
	ConfigGet(ctx context.Context, key string) (string, bool, error)
	ConfigSet(ctx context.Context, key, value string) error
	ConfigUnset(ctx context.Context, key string) error
	ConfigEntries(ctx context.Context, pattern string) ([]gitx.ConfigEntry, error)
	Refs(prefix string) (map[string]string, error)
	Notes(ref string) (map[string]string, error)
	HasCommit(hash string) bool
	Commits(ctx context.Context, ids []string) (map[string]bool, error)
	Unreached(ctx context.Context, commits, tips []string) (map[string]bool, error)
	Independent(ctx context.Context, commits []string) ([]string, error)
	CountRefs(ctx context.Context, base string, counted, plain []string) (map[string]gitx.CountedRef, error)
	ReflogsCommits(ctx context.Context, refs []string) ([]string, error)
	UpdateRefs(ctx context.Context, updates []gitx.RefUpdate) error
	DeleteRefs(ctx context.Context, names []string) error
	HooksDir(ctx context.Context) (string, error)
}

// Sbx is what the lifecycle asks of sbx.
type Sbx interface {
	DryRun() bool
	Program() (string, error)
	Probe(ctx context.Context) (sbx.Capabilities, error)
	RequireClone(ctx context.Context) (sbx.Capabilities, error)
	List(ctx context.Context) ([]sbx.Sandbox, error)
	Get(ctx context.Context, name string) (sbx.Sandbox, error)
	PolicyInitialised(ctx context.Context) (bool, error)
	PolicyKnownInitialised(ctx context.Context) (bool, error)
	PolicyInit(ctx context.Context, preset string) error
	PolicyPreset() string
	PolicyInitCommand(caps sbx.Capabilities, preset string) []string
	PolicyAllow(ctx context.Context, name string, hosts []string) error
	Create(ctx context.Context, req sbx.CreateRequest) error
	Attach(ctx context.Context, name string, agentArgs []string, s xec.Streams) error
	Exec(ctx context.Context, req sbx.ExecRequest) error
	ExecOutput(ctx context.Context, req sbx.ExecRequest) (string, error)
	Put(ctx context.Context, req sbx.PutRequest) error
	Ports(ctx context.Context, name string) ([]sbx.Port, error)
	Publish(ctx context.Context, name string, sandboxPort, hostPort int) error
	Unpublish(ctx context.Context, name string, p sbx.Port) error
	Stop(ctx context.Context, name string) error
	Remove(ctx context.Context, name string) error
	Attached(ctx context.Context, name string) ([]sbx.Attachment, error)
	Secrets(ctx context.Context) ([]sbx.Secret, error)
	SecretSetCommand(caps sbx.Capabilities, service string) []string
}

// Store is git-airlock's own records of the repository's sandboxes and
// removals, outside git config.
type Store interface {
	workflow.RecordStore
	Sandboxes() (map[string]sandboxstore.Sandbox, error)
	PutRemoval(r sandboxref.RemovalRecord) error
	DropRemoval(id string) error
	Removals() ([]sandboxref.RemovalRecord, error)
}

// Tmux is what the lifecycle asks of tmux.
type Tmux interface {
	HasSession(ctx context.Context, name string) (bool, error)
	NewSession(ctx context.Context, sess tmux.Session) error
	SwitchClient(ctx context.Context, name string, in io.Reader) error
	Attach(ctx context.Context, name string, in io.Reader, out, errw io.Writer) error
	Kill(ctx context.Context, name string) error
}

var (
	_ Repo  = (*gitx.Repo)(nil)
	_ Sbx   = (*sbx.Client)(nil)
	_ Tmux  = (*tmux.Client)(nil)
	_ Store = sandboxstore.Store{}
)

// Service runs the lifecycle of the sandboxes of one repository.
type Service struct {
	UI   workflow.UI
	Repo Repo // nil outside a repository
	Sbx  Sbx
	// Server is set when sbx runs on another machine (host.go).
	Server Server
	// SbxOn is sbx on another machine, for commands over sandboxes of
	// several (status, ls); nil: those are listed as unreachable.
	SbxOn    func(host string) Sbx
	Tmux     Tmux
	Settings *config.Settings
	// Entries are the repository's airlock.* and remote.* git config
	// entries, read once and re-read after registering a sandbox.
	Entries []gitx.ConfigEntry
	// Records are the store's records of the sandboxes, by name, read with
	// Entries.
	Records map[string]sandboxstore.Sandbox
	// Store is where the records are written; nil outside a repository.
	Store Store
	// Self is the path of the running git-airlock, for tmux sessions.
	Self string
	// Home is the user's home directory, the only root seed paths may name.
	Home string
	// Files is what seeding reads of this machine; the real file system
	// when nil.
	Files Files
	// Progress receives git's own progress output (stderr).
	Progress io.Writer
	// Sessions records the agent sessions run and up start, for wait; nil
	// outside a repository.
	Sessions Sessions
	// Now and Sleep are wait's clock; the real one when nil.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// beginSession records that this process starts the agent's session;
// endSession records its end. A record that cannot be written is a
// warning: wait will say it knows of no session, the agent runs anyway.
func (s *Service) beginSession(name, agentName, mode string) {
	if s.Sessions == nil || s.Sbx.DryRun() {
		return
	}
	if err := s.Sessions.Begin(name, agentName, mode); err != nil {
		s.UI.Warnf("%v", err)
	}
}

func (s *Service) endSession(name string, code int) {
	if s.Sessions == nil || s.Sbx.DryRun() {
		return
	}
	if err := s.Sessions.End(name, code); err != nil {
		s.UI.Warnf("%v", err)
	}
}

func (s *Service) sandboxes() []workflow.Sandbox { return workflow.Registered(s.Entries, s.Records) }

func (s *Service) mustRegistered(name string) (workflow.Sandbox, error) {
	if s.Repo == nil {
		return workflow.Sandbox{}, workflow.ErrNotRepository
	}
	return workflow.MustFind(s.sandboxes(), name)
}

func (s *Service) reloadEntries(ctx context.Context) error {
	entries, err := s.Repo.ConfigEntries(ctx, `^(airlock|remote)\.`)
	if err != nil {
		return err
	}
	records, err := s.Store.Sandboxes()
	if err != nil {
		return err
	}
	s.Entries, s.Records = entries, records
	return nil
}

func (s *Service) fetch(ctx context.Context, sb workflow.Sandbox) error {
	return workflow.Fetch(ctx, s.Repo, s.Store, s.UI, xec.Streams{Err: s.Progress}, s.Sbx.DryRun(), sb)
}
