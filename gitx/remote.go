package gitx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
	// Extra keys written into the remote's section (remote.<name>.<key>).
	Extra map[string]string
}

// AddSandboxRemote registers a remote for an agent's clone: no tags (an agent
// must not plant tags in the host), forced fetch of every branch into
// refs/remotes/<name>/* (agents rewrite history; the reflog keeps the old
// tips), and the sandbox's HEAD as <name>/HEAD so that a detached HEAD's
// commits come back too.
func (r *Repo) AddSandboxRemote(ctx context.Context, spec RemoteSpec) error {
	steps := [][]string{
		{"remote", "add", "--no-tags", spec.Name, spec.URL},
		{"config", "--local", "--add", "remote." + spec.Name + ".fetch", "+HEAD:refs/remotes/" + spec.Name + "/HEAD"},
	}
	keys := make([]string, 0, len(spec.Extra))
	for k := range spec.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		steps = append(steps, []string{"config", "--local", "remote." + spec.Name + "." + k, spec.Extra[k]})
	}
	for i, args := range steps {
		if err := r.mutate(ctx, args...); err != nil {
			if i > 0 {
				_ = r.mutate(ctx, "remote", "remove", spec.Name)
			}
			return fmt.Errorf("add remote %q: %w", spec.Name, err)
		}
	}
	return nil
}

// RemoveRemote removes a remote's configuration and its remote-tracking refs.
func (r *Repo) RemoveRemote(ctx context.Context, name string) error {
	if err := r.mutate(ctx, "remote", "remove", name); err != nil {
		return fmt.Errorf("remove remote %q: %w", name, err)
	}
	return nil
}

// Fetch runs `git fetch` for the named remotes, with progress on s.Err.
func (r *Repo) Fetch(ctx context.Context, s xec.Streams, remotes ...string) error {
	// Submodules are fetched from the sandbox by the caller: git's own
	// on-demand recursion would ask the submodule's origin for the agent's
	// commits, which only the sandbox has.
	args := []string{"fetch", "--recurse-submodules=no", "--multiple"}
	if len(remotes) == 1 {
		args = args[:2]
	}
	args = append(args, remotes...)
	err := r.run.Run(ctx, xec.Cmd{Argv: r.git(args...), Stdout: s.Out, Stderr: s.Err, Mutates: true})
	if err != nil {
		return fmt.Errorf("fetch %s: %w", strings.Join(remotes, ", "), err)
	}
	return nil
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
	err := r.run.Run(ctx, xec.Cmd{Argv: []string{"git", "-C", filepath.Join(r.Root, dir), "fetch", "--no-tags", url,
		"+refs/heads/*:refs/remotes/" + namespace + "/*", "+HEAD:refs/remotes/" + namespace + "/HEAD"},
		Stdout: s.Out, Stderr: s.Err, Mutates: true})
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
