package review

import (
	"context"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// The handlers: Reviewer (fetch, diff, log, review, inspect, compare,
// the review records) and Lander (merge, apply, pr, push), each over
// interfaces of at most ten methods it declares; Common is what both
// share: the sandbox and base a command names, resolved (sides), and the
// gate.

// Common is what every review handler shares.
type Common struct {
	UI       workflow.UI
	Host     HostRepo // nil outside a repository
	GateRepo gate.Repo
	Notes    gate.NoteStore
	Root     string
	Settings *config.Settings
	Entries  []gitx.ConfigEntry
	// Records are the store's records of the sandboxes, by name.
	Records map[string]sandboxstore.Sandbox
	// Store is where a fetch moves the record of a sandbox registered by
	// an older git-airlock (workflow.MoveRecords); nil moves nothing.
	Store workflow.RecordStore
	// DryRun: commands are printed, not run; nothing is resolved.
	DryRun bool
}

// HostRepo is what resolving a command's two sides asks of the host
// repository: the fetch, and the commits both sides name.
type HostRepo interface {
	workflow.FetchRepo
	Head() (gitx.Head, error)
	ResolveCommit(rev string) (string, error)
}

// Reviewer shows what a sandbox brings, without landing it.
type Reviewer struct {
	*Common
	Repo ReviewRepo // nil outside a repository
	Sbx  Execer     // runs compare's --check inside a sandbox
}

// ReviewRepo is what the reviewing verbs ask of the host repository.
type ReviewRepo interface {
	workflow.Situations
	ConfigGet(ctx context.Context, key string) (string, bool, error)
	Diff(ctx context.Context, req gitx.CompareRequest, form gitx.Form) error
	Log(ctx context.Context, req gitx.CompareRequest, form gitx.Form) error
	DirDiff(ctx context.Context, req gitx.CompareRequest, tool string) error
	ShowNoted(ctx context.Context, s xec.Streams, ref string, commits []string, oneline bool) error
	AheadBehind(ctx context.Context, a, b string) (ahead, behind int, err error)
	DiffStat(ctx context.Context, base, theirs string) (gitx.DiffStat, error)
	IsAncestor(a, b string) (bool, error)
}

// Lander lands a sandbox's work through the gate: merge, apply, pr, push.
type Lander struct {
	*Common
	Repo   LandRepo // nil outside a repository
	Remote Pusher
	Forge  Forge
	// ConfirmRisk shows high-severity findings and, on a terminal, asks
	// whether to go on; it answers false when nobody can be asked.
	ConfirmRisk func(gate.Report) bool
}

// LandRepo is what landing asks of the host repository.
type LandRepo interface {
	Head() (gitx.Head, error)
	ResolveCommit(rev string) (string, error)
	IsAncestor(a, b string) (bool, error)
	ConfigGet(ctx context.Context, key string) (string, bool, error)
	Merge(ctx context.Context, req gitx.MergeRequest) error
	MergeHeads() []string
	StagedFiles(ctx context.Context) (int, error)
	AppendSquashMessage(text string) error
	LandingMerge(ctx context.Context, commit, tip string) (string, error)
	QuitMerge(ctx context.Context) error
}

// Pusher pushes a landed branch and its review notes.
type Pusher interface {
	Push(ctx context.Context, req gitx.PushRequest) error
	PushNotes(ctx context.Context, s xec.Streams, remote, ref string) error
}

var (
	_ HostRepo   = (*gitx.Repo)(nil)
	_ ReviewRepo = (*gitx.Repo)(nil)
	_ LandRepo   = (*gitx.Repo)(nil)
	_ Pusher     = (*gitx.Repo)(nil)
)
