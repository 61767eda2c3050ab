// Package workflow holds what git-airlock's use cases share: the sandboxes
// registered in a repository, which one a command acts on, fetching them,
// and the next step for each typed sbx failure.
//
// The use cases themselves live in the sub-packages, split by seam:
// lifecycle (up, run, shell, stop, rm, status), review (fetch, diff, log,
// review, inspect, merge, apply, pr, push) and machine (doctor, setup,
// network, settings, hooks). Each declares the few methods it needs of git
// and sbx as interfaces, is unit-tested against fakes, and only decides:
// argv is built in gitx and sbx, text for people in cmd/git-airlock.
package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// UI is how a use case narrates and asks: progress, warnings and next
// steps on stderr, and yes/no questions when someone can answer. The edge
// renders them (prefix, colour, -q).
type UI interface {
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
	Hint(format string, args ...any)
	// Confirm asks a yes/no question; without a terminal it answers no.
	Confirm(question string) bool
	// CanAsk reports whether a terminal can answer questions.
	CanAsk() bool
}

// Sandbox is a sandbox registered in this repository as a remote.
type Sandbox struct {
	Name   string `json:"name"`
	Remote string `json:"remote"`
	URL    string `json:"url"`
	Path   string `json:"path"`  // the clone's path inside the VM
	Agent  string `json:"agent"` // as recorded at registration
	Base   string `json:"base"`  // host branch checked out when it was created
	// Host is the machine whose sbx runs it ([user@]server[:port]); ""
	// for this one.
	Host string `json:"host,omitempty"`
	// Record is git-airlock's record of it (the store's, else what an
	// older git-airlock kept in git config); Agent and Base come from it.
	Record sandboxstore.Sandbox `json:"-"`
	// Legacy are the git config keys in which an older git-airlock kept
	// the record: MoveRecord moves them into the store.
	Legacy []string `json:"-"`
}

// Target is the sandbox's airlock:// target.
func (s Sandbox) Target() sandboxref.Target {
	return sandboxref.Target{Sandbox: s.Name, Path: s.Path, Host: s.Host}
}

// Registered lists the sandboxes registered in a repository, sorted by
// name: the remotes of its remote.* config entries that git-airlock owns
// (sandboxref.Owns), each with its record in the store (records, by
// sandbox name; nil when none was read), or, for a sandbox registered by an
// older git-airlock, the keys it kept in the remote's section.
func Registered(entries []gitx.ConfigEntry, records map[string]sandboxstore.Sandbox) []Sandbox {
	var out []Sandbox
	for _, r := range gitx.Remotes(entries) {
		t, ok := sandboxref.Owns(r.Name, r.URL)
		if !ok {
			continue
		}
		old, legacy := sandboxstore.FromConfig(r.Name, r.Extra)
		rec := records[t.Sandbox].Merge(old)
		out = append(out, Sandbox{Name: t.Sandbox, Remote: r.Name, URL: r.URL, Path: t.Path,
			Agent: rec.Agent, Base: rec.Base, Host: t.Host, Record: rec, Legacy: legacy})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Find returns the registered sandbox of that name.
func Find(list []Sandbox, name string) (Sandbox, bool) {
	for _, sb := range list {
		if sb.Name == name {
			return sb, true
		}
	}
	return Sandbox{}, false
}

// MustFind is Find with the error a user needs.
func MustFind(list []Sandbox, name string) (Sandbox, error) {
	sb, ok := Find(list, name)
	if !ok {
		return sb, hint.Errorf([]string{"start one with 'git airlock up', or list them with 'git airlock ls'"},
			"no sandbox %q in this repository", name)
	}
	return sb, nil
}

// PickTarget chooses the sandbox a command acts on: the named one; else
// the repository's only sandbox; else, with none, the default name. With
// several and no name the choice is the user's: an *AmbiguousError that
// lists them (the agent's default name does not pick one of several: it
// would be a guess the user cannot see).
func PickTarget(named string, list []Sandbox, def string) (string, error) {
	if named != "" {
		return named, nil
	}
	switch len(list) {
	case 0:
		return def, nil
	case 1:
		return list[0].Name, nil
	}
	return "", &AmbiguousError{Sandboxes: list}
}

// PickStart chooses the sandbox up and run start without several agents:
// the named one; else the default name when it is registered or when no
// sandbox is; else, when others are registered and the default is not one
// of them, the user's choice between them and a new one (an
// *AmbiguousError with New set): starting a second sandbox is a decision,
// not a side effect of AGENT=codex.
func PickStart(named string, list []Sandbox, def string) (string, error) {
	if named != "" {
		return named, nil
	}
	if _, ok := Find(list, def); ok || len(list) == 0 {
		return def, nil
	}
	return "", &AmbiguousError{Sandboxes: list, New: def}
}

// AmbiguousError is a command without --name in a repository whose
// sandboxes leave the choice open. The edge adds the command lines that
// pick each one.
type AmbiguousError struct {
	Sandboxes []Sandbox
	New       string // for up and run: the sandbox they would create
}

func (e *AmbiguousError) Error() string {
	list := make([]string, len(e.Sandboxes))
	for i, sb := range e.Sandboxes {
		list[i] = sb.Name
		if sb.Agent != "" {
			list[i] += " (" + sb.Agent + ")"
		}
	}
	if e.New != "" {
		return fmt.Sprintf("which sandbox? this repository has %s, and this would start a new one, %s",
			strings.Join(list, ", "), e.New)
	}
	return fmt.Sprintf("which sandbox? this repository has %d: %s", len(list), strings.Join(list, ", "))
}

// Names are the sandboxes to choose from, the new one last.
func (e *AmbiguousError) Names() []string {
	var out []string
	for _, sb := range e.Sandboxes {
		out = append(out, sb.Name)
	}
	if e.New != "" {
		out = append(out, e.New)
	}
	return out
}

// ErrNotRepository is returned by use cases that need a repository.
var ErrNotRepository = hint.Errorf([]string{"run git-airlock inside a git repository, or create one with 'git init' and a first commit"},
	"not a git repository")

// SbxError adds the next step to typed sbx failures: sbx.WithNextStep,
// under the name the use cases call it by.
func SbxError(err error) error { return sbx.WithNextStep(err) }

// CurrentBranch is the checked-out branch, or "" when HEAD is detached or
// unreadable.
func CurrentBranch(repo interface{ Head() (gitx.Head, error) }) string {
	h, err := repo.Head()
	if err != nil {
		return ""
	}
	return h.Branch
}

// Plural renders a count with the singular or plural form of a noun.
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// FetchRepo is what fetching needs of the repository.
type FetchRepo interface {
	Lock(ctx context.Context, w gitx.LockWait) (func(), error)
	ConfigUnset(ctx context.Context, key string) error
	Fetch(ctx context.Context, s xec.Streams, remotes ...string) error
	InitialisedSubmodules(ctx context.Context) ([]string, error)
	FetchInto(ctx context.Context, s xec.Streams, dir, url, namespace string) error
	gitx.SbxRemoteConfig
}

var _ FetchRepo = (*gitx.Repo)(nil)

// Fetch brings sandboxes' branches into refs/remotes/airlock-<name>/*, and
// the agent's commits in the host's initialised submodules into each
// submodule's refs/remotes/airlock-<name>/*, so that the superproject's new
// pointers can be checked out after a merge. A submodule the sandbox has
// not checked out is skipped with a warning. Our own commands queue behind
// each other on the repository lock (skipped under dry-run, which changes
// nothing), saying whom they wait for, for gitx.DefaultLockWait at most. A fetch wakes a stopped sandbox, and sbx then rewrites its own
// sandbox-<name> remote: every fetched sandbox's is guarded again
// (gitx.GuardSbxRemote) before the lock is released, whether the fetch succeeded
// or not; a failure to guard is a warning.
//
// Under the lock, before the fetch, the record of a sandbox registered by
// an older git-airlock moves from its remote's section of git config into
// store (MoveRecords); nil store moves nothing.
func Fetch(ctx context.Context, repo FetchRepo, store RecordStore, ui UI, st xec.Streams, dryRun bool, sandboxes ...Sandbox) error {
	if !dryRun {
		unlock, err := repo.Lock(ctx, gitx.LockWait{Waiting: func(h gitx.LockHolder) {
			ui.Infof("waiting for %s, which holds the repository lock", h)
		}})
		if err != nil {
			return err
		}
		defer unlock()
	}
	return FetchLocked(ctx, repo, store, ui, st, dryRun, sandboxes...)
}

// FetchLocked is Fetch for a caller that holds the repository lock (rm
// holds it from its first step to its last).
func FetchLocked(ctx context.Context, repo FetchRepo, store RecordStore, ui UI, st xec.Streams, dryRun bool, sandboxes ...Sandbox) error {
	if !dryRun {
		defer GuardSbxRemotes(ctx, repo, ui, sandboxes...)
		if err := MoveRecords(ctx, store, repo, sandboxes...); err != nil {
			return err
		}
	}
	remotes := make([]string, len(sandboxes))
	for i, sb := range sandboxes {
		remotes[i] = sb.Remote
	}
	if err := repo.Fetch(ctx, st, remotes...); err != nil {
		if st.Err != nil {
			return Shown("git fetch", err)
		}
		return err
	}
	paths, err := repo.InitialisedSubmodules(ctx)
	if err != nil || len(paths) == 0 {
		return err
	}
	for _, sb := range sandboxes {
		if sb.Path == "" || !slices.Contains(remotes, sb.Remote) {
			continue
		}
		for _, p := range paths {
			if err := repo.FetchInto(ctx, st, p, sb.Target().Sub(p).URL(), sb.Remote); err != nil {
				ui.Warnf("sandbox %q: submodule %s not fetched (is it checked out in the sandbox?)", sb.Name, p)
			}
		}
	}
	return nil
}

// ShownError is a git command that failed after printing its own error
// on the user's stderr (a fetch the remote helper stopped, a merge over an
// untracked file, a rejected push): the message only names the step, so
// that git's words are not printed a second time wrapped in argv; Err
// keeps the whole story for -v.
type ShownError struct {
	Step string // "git merge"
	Err  error
}

func (e *ShownError) Error() string { return e.Step + " failed (its message is above)" }
func (e *ShownError) Unwrap() error { return e.Err }

// Shown marks err as already printed by git when git ran attached to the
// user's stderr and failed.
func Shown(step string, err error) error {
	var xe *xec.ExitError
	if errors.As(err, &xe) {
		return &ShownError{Step: step, Err: err}
	}
	return err
}

// DryRunClonePath stands for the clone's path under dry-run when the
// sandbox cannot be asked (not created yet, or stopped).
const DryRunClonePath = "/path/discovered/in/the/sandbox"

// ClonePath asks the sandbox where its clone lives (never assumed: real
// sbx mirrors the host path, other setups may not).
func ClonePath(ctx context.Context, c interface {
	DryRun() bool
	ExecOutput(context.Context, sbx.ExecRequest) (string, error)
}, name string) (string, error) {
	out, err := c.ExecOutput(ctx, sbx.ExecRequest{Name: name, Argv: gitx.CloneTopLevelArgv()})
	if c.DryRun() && (err != nil || out == "") {
		// Not asked: the sandbox is yet to be created, or not running
		// (a dry run starts nothing).
		return DryRunClonePath, nil
	}
	if err != nil {
		return "", fmt.Errorf("find the clone in sandbox %q: %w", name, SbxError(err))
	}
	p, err := gitx.ParseCloneTopLevel(out)
	if err != nil {
		return "", fmt.Errorf("find the clone in sandbox %q: %w", name, err)
	}
	return p, nil
}

// ErrorText is an error with its first hint on one line, for a row of a
// table (run --agents, compare) where one sandbox failed and others not.
func ErrorText(err error) string {
	if h := hint.Of(err); len(h) > 0 {
		return err.Error() + " (" + h[0] + ")"
	}
	return err.Error()
}

// RecordStore is where git-airlock keeps its records of the sandboxes
// (*sandboxstore.Store, or a use case's fake).
type RecordStore interface {
	PutSandbox(name string, r sandboxstore.Sandbox) error
	DropSandbox(name string) error
}

var _ RecordStore = sandboxstore.Store{}

// MoveRecords moves the record of each sandbox registered by an older
// git-airlock (sb.Legacy) into store, and out of .git/config. A fetch does
// it under the repository lock (a dry run, which changes nothing, does
// not), so a repository registered before the store sheds the old keys on
// its first fetch. Sandboxes without old keys cost nothing.
func MoveRecords(ctx context.Context, store RecordStore, repo interface {
	ConfigUnset(ctx context.Context, key string) error
}, sandboxes ...Sandbox) error {
	if store == nil {
		return nil
	}
	for _, sb := range sandboxes {
		if len(sb.Legacy) == 0 {
			continue
		}
		if err := PutRecord(ctx, store, repo, sb, sb.Record); err != nil {
			return fmt.Errorf("move the record of sandbox %q out of git config: %w", sb.Name, err)
		}
	}
	return nil
}

// PutRecord writes a sandbox's record, and unsets the git config keys in
// which an older git-airlock kept it (sb.Legacy), once the store holds
// them: each write of a record moves a sandbox registered before the
// store out of .git/config (the record is written first, so that a failed
// unset loses nothing; Registered prefers the store).
func PutRecord(ctx context.Context, store RecordStore, repo interface {
	ConfigUnset(ctx context.Context, key string) error
}, sb Sandbox, rec sandboxstore.Sandbox) error {
	if err := store.PutSandbox(sb.Name, rec); err != nil {
		return err
	}
	for _, k := range sb.Legacy {
		if err := repo.ConfigUnset(ctx, k); err != nil {
			return err
		}
	}
	return nil
}
