// Package lifecycle is the life of a sandbox: up, run, shell, stop, rm and
// the tmux sessions around them, and the status of a repository's
// sandboxes. It decides; gitx, sbx and internal/tmux act, and
// cmd/git-airlock renders.
//
// Each verb family is a handler (handlers.go): Starter (up, run), Console
// (shell, attach, stop, tmux), Waiter (wait), Reporter (status, ls),
// Remover (rm, with the Surveyor it shares with status --unfetched),
// Restorer (restore, prune), Publisher (ports, open), GroupRunner (run
// --agents). Each holds only the clients its verbs use, over interfaces of
// at most ten methods it declares; Common is what they share (the UI, the
// settings, the registered sandboxes, the server). cmd/git-airlock builds
// them in one place (handlers.go there).
//
// What happens on `git airlock rm`, file by file (docs/rm.md says why):
//
//  1. cmd/git-airlock/rm.go: the command resolves the sandbox and calls
//     Remover.Remove with --force as given (the Remover is bound by
//     cli.go, built by handlers.go there).
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

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

// Tmux is what the lifecycle asks of tmux.
type Tmux interface {
	HasSession(ctx context.Context, name string) (bool, error)
	NewSession(ctx context.Context, sess tmux.Session) error
	SwitchClient(ctx context.Context, name string, in io.Reader) error
	Attach(ctx context.Context, name string, in io.Reader, out, errw io.Writer) error
	Kill(ctx context.Context, name string) error
}

var _ Tmux = (*tmux.Client)(nil)

// Store is git-airlock's own records of the repository's sandboxes and
// removals, outside git config (internal/sandboxstore).
type Store interface {
	workflow.RecordStore
	Sandboxes() (map[string]sandboxstore.Sandbox, error)
	PutRemoval(r sandboxref.RemovalRecord) error
	DropRemoval(id string) error
	Removals() ([]sandboxref.RemovalRecord, error)
}

var _ Store = sandboxstore.Store{}

// SandboxRegistry is the repository's config, where the registered
// sandboxes live: read once, re-read after registering one, and the guard
// on sbx's own sandbox-<name> remote written.
type SandboxRegistry interface {
	ConfigEntries(ctx context.Context, pattern string) ([]gitx.ConfigEntry, error)
	gitx.SbxRemoteConfig
}

var _ SandboxRegistry = (*gitx.Repo)(nil)

// Common is what every handler shares: the UI, the settings and the
// registered sandboxes. One is built per command and shared by the
// handlers it uses, so that a sandbox one registers the others see.
type Common struct {
	UI       workflow.UI
	Settings *config.Settings
	// Registry is nil outside a repository.
	Registry SandboxRegistry
	// Entries are the repository's airlock.* and remote.* git config
	// entries, read once and re-read after registering a sandbox.
	Entries []gitx.ConfigEntry
	// Records are the store's records of the sandboxes, by name, read
	// with Entries.
	Records map[string]sandboxstore.Sandbox
	// Store is where the records are written; nil outside a repository.
	Store Store
	// Server is set when sbx runs on another machine (host.go); a
	// command on a sandbox that lives elsewhere moves it once its target
	// is known, after its handlers were built, so they read it here.
	Server Server
}

func (s *Common) sandboxes() []workflow.Sandbox { return workflow.Registered(s.Entries, s.Records) }

func (s *Common) mustRegistered(name string) (workflow.Sandbox, error) {
	if s.Registry == nil {
		return workflow.Sandbox{}, workflow.ErrNotRepository
	}
	return workflow.MustFind(s.sandboxes(), name)
}

func (s *Common) reloadEntries(ctx context.Context) error {
	entries, err := s.Registry.ConfigEntries(ctx, `^(airlock|remote)\.`)
	if err != nil {
		return err
	}
	s.Entries = entries
	if s.Store == nil {
		return nil
	}
	s.Records, err = s.Store.Sandboxes()
	return err
}
