package gitx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/git-airlock/git-airlock/internal/sandboxref"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Remote is one configured remote, read from git config entries.
type Remote struct {
	Name  string
	URL   string
	Extra map[string]string // other keys of the remote's section, lower-cased
}

// Remotes groups `remote.*` entries (as returned by ConfigEntries) into
// remotes, sorted by name.
func Remotes(entries []ConfigEntry) []Remote {
	byName := map[string]*Remote{}
	for _, e := range entries {
		if !strings.HasPrefix(e.Key, "remote.") {
			continue
		}
		rest := strings.TrimPrefix(e.Key, "remote.")
		dot := strings.LastIndex(rest, ".")
		if dot < 0 {
			continue
		}
		name, key := rest[:dot], rest[dot+1:]
		rm := byName[name]
		if rm == nil {
			rm = &Remote{Name: name, Extra: map[string]string{}}
			byName[name] = rm
		}
		if key == "url" {
			rm.URL = e.Value
		} else {
			rm.Extra[key] = e.Value
		}
	}
	out := make([]Remote, 0, len(byName))
	for _, rm := range byName {
		out = append(out, *rm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RemoteSpec is a remote to register.
type RemoteSpec struct {
	Name string // required
	URL  string // required
}

// sandboxRefspecs are a sandbox remote's fetch refspecs.
func sandboxRefspecs(remote string) []string {
	return []string{"+refs/heads/*:refs/remotes/" + remote + "/*", "+HEAD:" + sandboxref.Head(remote)}
}

// legacyHeadRefspec is what remotes registered before 2026-11-27 fetch
// HEAD with: it writes through refs/remotes/<remote>/HEAD once that is a
// symref, moving another branch's tracking ref.
func legacyHeadRefspec(remote string) string {
	return "+HEAD:refs/remotes/" + remote + "/HEAD"
}

// AddSandboxRemote registers a remote for an agent's clone: no tags, neither
// followed nor pruned (an agent must not plant tags in the host, and the
// helper advertises none, so fetch.pruneTags would delete every host tag),
// forced fetch of every branch into
// refs/remotes/<name>/* (agents rewrite history; the reflog keeps the old
// tips), and the sandbox's HEAD commit into sandboxref.Head so that a
// detached HEAD's commits come back too. refs/remotes/<name>/HEAD is the
// symref the helper keeps (FollowSandboxHead).
func (r *Repo) AddSandboxRemote(ctx context.Context, spec RemoteSpec) error {
	// Only what git itself reads: git-airlock's own records of the
	// sandbox live outside git config (internal/sandboxstore), so that no
	// git command in the repository pays for them.
	steps := [][]string{
		{"remote", "add", "--no-tags", spec.Name, spec.URL},
		{"config", "--local", "--add", "remote." + spec.Name + ".fetch", sandboxRefspecs(spec.Name)[1]},
		{"config", "--local", "remote." + spec.Name + ".pruneTags", "false"},
	}
	for i, args := range steps {
		if err := r.mutate(ctx, args...); err != nil {
			if i > 0 {
				_ = r.mutate(ctx, "remote", "remove", spec.Name)
			}
			return fmt.Errorf("add remote %q: %w", spec.Name, err)
		}
	}
	r.keepReflog(sandboxref.Head(spec.Name))
	return nil
}

// keepReflog makes git log every update of ref, as it does for
// refs/remotes/* (core.logAllRefUpdates covers refs/heads, refs/remotes and
// refs/notes only): the files backend appends to a reflog that exists, so
// an empty one is created. rm keeps what the sandbox's HEAD pointed at
// before the agent rewrote it from there. Nothing under dry-run; a
// repository without a files-backend logs directory is left as it is.
func (r *Repo) keepReflog(ref string) {
	if r.run.DryRun != nil || r.CommonDir == "" {
		return
	}
	logs := filepath.Join(r.CommonDir, "logs")
	if fi, err := os.Stat(logs); err != nil || !fi.IsDir() {
		return
	}
	p := filepath.Join(logs, filepath.FromSlash(ref))
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return
	}
	if f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o666); err == nil {
		f.Close()
	}
}

// SandboxRemoteState is what FollowSandboxHead and MigrateSandboxRemote
// need to know of a remote, read in one git call.
type SandboxRemoteState struct {
	Sandbox          bool   // fetches HEAD into sandboxref.Head: registered by git-airlock
	Legacy           bool   // still fetches HEAD through refs/remotes/<remote>/HEAD
	FollowRemoteHEAD string // remote.<remote>.followRemoteHEAD, "" when unset
}

// SandboxRemote reads a remote's fetch refspecs and followRemoteHEAD.
func (r *Repo) SandboxRemote(ctx context.Context, remote string) (SandboxRemoteState, error) {
	var st SandboxRemoteState
	entries, known := r.config.covering("remote."+remote+".fetch", "remote."+remote+".followremotehead")
	if !known {
		var err error
		entries, err = r.ConfigEntries(ctx, `^remote\.`+regexp.QuoteMeta(remote)+`\.(fetch|followremotehead)$`)
		if err != nil {
			return st, err
		}
	}
	for _, e := range entries {
		switch {
		case e.Key != "remote."+remote+".fetch":
			st.FollowRemoteHEAD = e.Value
		case e.Value == legacyHeadRefspec(remote):
			st.Legacy = true
		case e.Value == sandboxRefspecs(remote)[1]:
			st.Sandbox = true
		}
	}
	return st, nil
}

// MigrateSandboxRemote rewrites a sandbox remote registered with the legacy
// HEAD refspec: HEAD is fetched into sandboxref.Head from now on, and a plain
// refs/remotes/<remote>/HEAD (the old fetched HEAD) moves there, so that a
// detached HEAD's commits stay reachable. A symref made by `git remote
// set-head` is left alone. It reports whether anything changed.
func (r *Repo) MigrateSandboxRemote(ctx context.Context, remote string) (bool, error) {
	st, err := r.SandboxRemote(ctx, remote)
	if err != nil || !st.Legacy {
		return false, err
	}
	key := "remote." + remote + ".fetch"
	head := "refs/remotes/" + remote + "/HEAD"
	if err := r.mutate(ctx, "config", "--local", "--fixed-value", "--replace-all", key, sandboxRefspecs(remote)[1], legacyHeadRefspec(remote)); err != nil {
		// git before 2.30 has no --fixed-value: the refspec as a regexp.
		if err := r.mutate(ctx, "config", "--local", "--replace-all", key, sandboxRefspecs(remote)[1], "^"+regexp.QuoteMeta(legacyHeadRefspec(remote))+"$"); err != nil {
			return false, fmt.Errorf("migrate remote %q: %w", remote, err)
		}
	}
	if _, err := r.output(ctx, "symbolic-ref", "-q", head); err == nil {
		return true, nil // a symref: not a fetched HEAD
	}
	hash, err := r.output(ctx, "rev-parse", "-q", "--verify", head+"^{commit}")
	if err != nil {
		return true, nil // no fetched HEAD to keep
	}
	var in strings.Builder
	// One --stdin run is one transaction (start/commit would need git 2.28).
	fmt.Fprintf(&in, "update %s %s\ndelete %s\n", sandboxref.Head(remote), strings.TrimSpace(hash), head)
	r.wrote()
	err = r.run.Run(ctx, xec.Cmd{Argv: r.git("update-ref", "--no-deref", "--create-reflog", "--stdin"),
		Stdin: strings.NewReader(in.String()), Mutates: true})
	if err != nil {
		return true, fmt.Errorf("migrate remote %q: move its fetched HEAD: %w", remote, err)
	}
	return true, nil
}

// FollowSandboxHead points refs/remotes/<remote>/HEAD at the branch the
// sandbox has checked out (as followRemoteHEAD=always does on git 2.48+,
// for every git), or at sandboxref.Head when the sandbox's HEAD is detached
// (branch ""). It leaves the ref to git when the user set
// remote.<remote>.followRemoteHEAD, and leaves remotes git-airlock did not
// register (or not yet migrated: their HEAD refspec would write through the
// symref) alone. The target may not exist yet: git writes the fetched refs
// after the helper ends.
func (r *Repo) FollowSandboxHead(ctx context.Context, remote, branch string) error {
	st, err := r.SandboxRemote(ctx, remote)
	if err != nil || !st.Sandbox || st.Legacy || st.FollowRemoteHEAD != "" {
		return err
	}
	head := "refs/remotes/" + remote + "/HEAD"
	target := sandboxref.Head(remote)
	if branch != "" {
		target = "refs/remotes/" + remote + "/" + branch
	}
	// Read in process: one git process less on every fetch.
	cur := r.SymrefTarget(head)
	if cur == target {
		return nil
	}
	// git 2.48+ creates a missing remote HEAD itself at the end of this
	// fetch (followRemoteHEAD's default, "create"); writing it here too
	// would race git for the ref's lock. A detached HEAD it leaves alone.
	if cur == "" && branch != "" && gitAtLeast(ctx, r.run, 2, 48) {
		if _, exists := r.output(ctx, "rev-parse", "-q", "--verify", head); exists != nil {
			return nil
		}
	}
	if err := r.mutate(ctx, "symbolic-ref", "-m", "git-airlock: follow the sandbox's HEAD", head, target); err != nil {
		return fmt.Errorf("point %s at %s: %w", head, target, err)
	}
	return nil
}

// gitAtLeast reports whether the git on PATH is major.minor or newer.
func gitAtLeast(ctx context.Context, run *xec.Runner, major, minor int) bool {
	v, err := Version(ctx, run)
	if err != nil {
		return false
	}
	var ma, mi int
	if _, err := fmt.Sscanf(strings.TrimPrefix(v, "git version "), "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// RemoveRemote removes a remote's configuration, its remote-tracking refs
// and the sandbox HEAD it fetched (sandboxref.Head).
func (r *Repo) RemoveRemote(ctx context.Context, name string) error {
	if err := r.mutate(ctx, "remote", "remove", name); err != nil {
		return fmt.Errorf("remove remote %q: %w", name, err)
	}
	// Read in process (the refs are read afresh after the write above).
	if refs, err := r.Refs(sandboxref.Head(name)); err == nil && refs[sandboxref.Head(name)] != "" {
		if err := r.mutate(ctx, "update-ref", "--no-deref", "-d", sandboxref.Head(name)); err != nil {
			return fmt.Errorf("remove remote %q: %w", name, err)
		}
	}
	return nil
}

// WakeEnv, set to 1 for a fetch git-airlock runs itself, tells the remote
// helper that someone waits for this fetch: it wakes a stopped sandbox
// whatever airlock.wakeOnFetch says, and fails rather than serve the refs
// fetched last time.
const WakeEnv = "GIT_AIRLOCK_WAKE"

// Fetch runs `git fetch` for the named remotes, with progress on s.Err,
// migrating sandbox remotes registered with the legacy HEAD refspec first.
func (r *Repo) Fetch(ctx context.Context, s xec.Streams, remotes ...string) error {
	// Submodules are fetched from the sandbox by the caller: git's own
	// on-demand recursion would ask the submodule's origin for the agent's
	// commits, which only the sandbox has.
	for _, name := range remotes {
		if _, err := r.MigrateSandboxRemote(ctx, name); err != nil {
			return err
		}
	}
	// Several sandboxes are fetched side by side (each may have to wake):
	// --jobs, git 2.24+, runs one fetch per remote at once.
	args := []string{"fetch", "--recurse-submodules=no", "--multiple", fmt.Sprintf("--jobs=%d", min(len(remotes), 8))}
	if len(remotes) == 1 {
		args = args[:2]
	}
	args = append(args, remotes...)
	// The remote helper may rewrite the remote's config during the fetch.
	r.wrote()
	err := r.run.Run(ctx, xec.Cmd{Argv: r.git(args...), Env: []string{WakeEnv + "=1", xec.Owner()}, Stdout: s.Out, Stderr: s.Err, Mutates: true})
	if err != nil {
		return fmt.Errorf("fetch %s: %w", strings.Join(remotes, ", "), err)
	}
	return nil
}

// SymrefTarget is the ref a symbolic ref points at, or "" when name is not
// a symbolic ref.
func (r *Repo) SymrefTarget(name string) string {
	gg, err := r.open()
	if err != nil {
		return ""
	}
	ref, err := gg.Reference(plumbing.ReferenceName(name))
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		return ""
	case err != nil: // a file go-git cannot read: git's answer
		out, err := r.output(context.Background(), "symbolic-ref", "-q", name)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(out)
	case ref.Type() != plumbing.SymbolicReference:
		return ""
	}
	return ref.Target().String()
}

// RefUpdate sets Name to Hash; an empty Hash deletes Name.
type RefUpdate struct {
	Name string
	Hash string
}

// UpdateRefs applies all updates in one transaction, keeping reflogs.
func (r *Repo) UpdateRefs(ctx context.Context, updates []RefUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	// One `update-ref --stdin` applies all its lines in one transaction;
	// the explicit start/commit verbs would need git 2.28.
	var in strings.Builder
	for _, u := range updates {
		if u.Hash == "" {
			fmt.Fprintf(&in, "delete %s\n", u.Name)
		} else {
			fmt.Fprintf(&in, "update %s %s\n", u.Name, u.Hash)
		}
	}
	r.wrote()
	err := r.run.Run(ctx, xec.Cmd{Argv: r.git("update-ref", "--create-reflog", "--stdin"),
		Stdin: strings.NewReader(in.String()), Mutates: true})
	if err != nil {
		return fmt.Errorf("update refs: %w", err)
	}
	return nil
}

// InitialisedSubmodules lists the paths of submodules checked out in the
// work tree. Repositories without .gitmodules cost no child process.
func (r *Repo) InitialisedSubmodules(ctx context.Context) ([]string, error) {
	if _, err := os.Stat(filepath.Join(r.Root, ".gitmodules")); err != nil {
		return nil, nil
	}
	out, err := r.output(ctx, "submodule", "status", "--recursive")
	if err != nil {
		return nil, fmt.Errorf("list submodules: %w", err)
	}
	var paths []string
	for _, line := range strings.Split(out, "\n") {
		if len(line) < 42 || line[0] == '-' {
			continue // not initialised
		}
		rest := strings.TrimSpace(line[41:])
		if i := strings.LastIndex(rest, " ("); i >= 0 {
			rest = rest[:i]
		}
		paths = append(paths, rest)
	}
	return paths, nil
}

// FetchInto fetches url into a nested repository (a submodule) under the
// given remote-tracking namespace, with the same refspecs as a sandbox
// remote.
func (r *Repo) FetchInto(ctx context.Context, s xec.Streams, dir, url, namespace string) error {
	r.wrote()
	err := r.run.Run(ctx, xec.Cmd{Argv: []string{"git", "-C", filepath.Join(r.Root, dir), "fetch", "--no-tags", url,
		"+refs/heads/*:refs/remotes/" + namespace + "/*", "+HEAD:refs/remotes/" + namespace + "/HEAD"},
		Env: []string{WakeEnv + "=1", xec.Owner()}, Stdout: s.Out, Stderr: s.Err, Mutates: true})
	if err != nil {
		return fmt.Errorf("fetch submodule %q: %w", dir, err)
	}
	return nil
}

// ReflogCommits lists the commits a ref's reflog remembers, newest first.
func (r *Repo) ReflogCommits(ctx context.Context, ref string) ([]string, error) {
	out, err := r.output(ctx, "log", "-g", "--format=%H", ref, "--")
	if err != nil {
		return nil, fmt.Errorf("read the reflog of %q: %w", ref, err)
	}
	return strings.Fields(out), nil
}
