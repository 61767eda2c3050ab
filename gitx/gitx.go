// Package gitx is the only way git-airlock talks to git.
//
// Exact in-process reads (refs, objects, HEAD, ancestry) go through go-git;
// anything that depends on git's own semantics (config scopes and includes,
// fetch, merge, difftool, hooks path, worktrees) runs the git CLI through
// internal/xec. Nobody else runs git.
package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// ErrNotRepository means the directory is not inside a git repository.
var ErrNotRepository = errors.New("not a git repository")

// ErrNoWorkTree means the directory is in a repository without a work tree
// there: a bare repository, or inside the .git directory.
var ErrNoWorkTree = errors.New("no work tree here: a bare repository, or inside a .git directory")

// Repo is a non-bare git repository with a work tree.
type Repo struct {
	Root      string // absolute top level of the work tree
	GitDir    string // absolute
	CommonDir string // absolute; differs from GitDir in a linked worktree
	Shallow   bool

	run *xec.Runner

	// config is the last config read (see ConfigEntries): valid until
	// this Repo writes anything.
	config configSnapshot
	refs   refCache
	early  *earlyCount // see OpenWithConfig

	once  sync.Once
	gg    *git.Repository
	ggErr error
}

// Open finds the repository that contains dir with a single git call.
// `--path-format=absolute` needs git 2.31; the paths are made absolute
// here instead, so that git 2.26 works too.
func Open(ctx context.Context, run *xec.Runner, dir string) (*Repo, error) {
	out, err := run.Output(ctx, xec.Cmd{Argv: []string{"git", "-C", dir, "rev-parse",
		"--show-toplevel", "--absolute-git-dir", "--git-common-dir", "--is-shallow-repository"}})
	if err != nil {
		var ee *xec.ExitError
		if errors.As(err, &ee) && strings.Contains(ee.Stderr, "not a git repository") {
			return nil, ErrNotRepository
		}
		if errors.As(err, &ee) && strings.Contains(ee.Stderr, "must be run in a work tree") {
			return nil, ErrNoWorkTree
		}
		return nil, fmt.Errorf("open repository in %q: %w", dir, err)
	}
	f := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(f) != 4 || !filepath.IsAbs(f[0]) || !filepath.IsAbs(f[1]) {
		return nil, fmt.Errorf("open repository in %q: unexpected rev-parse output %q", dir, out)
	}
	common := f[2]
	if !filepath.IsAbs(common) { // relative to where git ran
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("open repository in %q: %w", dir, err)
		}
		common = filepath.Join(abs, common)
	}
	// Physical, like the git dir git printed, so that the two compare
	// equal outside a linked worktree even when dir is reached by symlink.
	if real, err := filepath.EvalSymlinks(common); err == nil {
		common = real
	}
	return &Repo{Root: f[0], GitDir: f[1], CommonDir: filepath.Clean(common), Shallow: f[3] == "true", run: run}, nil
}

// OpenGitDir opens a repository by its git directory, for the remote helper,
// which git starts with GIT_DIR set and possibly no work tree.
func OpenGitDir(run *xec.Runner, gitDir string) *Repo {
	gitDir, _ = filepath.Abs(gitDir)
	return &Repo{GitDir: gitDir, CommonDir: gitDir, run: run}
}

// LinkedWorktree reports whether this is a worktree added with
// `git worktree add` rather than the main one.
func (r *Repo) LinkedWorktree() bool {
	return filepath.Clean(r.GitDir) != filepath.Clean(r.CommonDir)
}

func (r *Repo) git(args ...string) []string {
	dir := r.Root
	if dir == "" {
		return append([]string{"git", "--git-dir", r.GitDir}, args...)
	}
	return append([]string{"git", "-C", dir}, args...)
}

func (r *Repo) output(ctx context.Context, args ...string) (string, error) {
	out, err := r.run.Output(ctx, xec.Cmd{Argv: r.git(args...)})
	return string(out), err
}

func (r *Repo) mutate(ctx context.Context, args ...string) error {
	r.wrote()
	return r.run.Run(ctx, xec.Cmd{Argv: r.git(args...), Mutates: true})
}

func (r *Repo) open() (*git.Repository, error) {
	r.once.Do(func() {
		r.gg, r.ggErr = git.PlainOpenWithOptions(r.GitDir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
		if r.ggErr != nil {
			r.ggErr = fmt.Errorf("read repository %q: %w", r.GitDir, r.ggErr)
		}
	})
	return r.gg, r.ggErr
}

// Head describes what HEAD points at.
type Head struct {
	Hash   string // empty when the repository has no commits
	Branch string // short branch name; empty when detached
}

// Head reads HEAD in process.
func (r *Repo) Head() (Head, error) {
	gg, err := r.open()
	if err != nil {
		return Head{}, err
	}
	sym, err := gg.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return Head{}, fmt.Errorf("read HEAD: %w", err)
	}
	var h Head
	if sym.Type() == plumbing.SymbolicReference && sym.Target().IsBranch() {
		h.Branch = sym.Target().Short()
	}
	ref, err := gg.Reference(plumbing.HEAD, true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return h, nil
	}
	if err != nil {
		return Head{}, fmt.Errorf("resolve HEAD: %w", err)
	}
	h.Hash = ref.Hash().String()
	return h, nil
}

// Refs returns the refs under prefix (for example "refs/remotes/airlock-x/"),
// keyed by their full name, with the hash each points at. Symbolic refs
// are resolved. Every ref is read once per Repo and kept until the Repo
// writes anything (as ConfigEntries' answer is), so listing fifty
// sandboxes' branches reads the refs once, not fifty times.
func (r *Repo) Refs(prefix string) (map[string]string, error) {
	all, err := r.allRefs()
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for name, hash := range all {
		if strings.HasPrefix(name, prefix) {
			refs[name] = hash
		}
	}
	return refs, nil
}

// allRefs reads every ref in one pass, resolving symbolic refs through
// what that pass read.
func (r *Repo) allRefs() (map[string]string, error) {
	r.refs.mu.Lock()
	defer r.refs.mu.Unlock()
	if r.refs.byName != nil {
		return r.refs.byName, nil
	}
	gg, err := r.open()
	if err != nil {
		return nil, err
	}
	iter, err := gg.References()
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	direct := map[string]string{}
	symbolic := map[string]string{}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.SymbolicReference {
			symbolic[ref.Name().String()] = ref.Target().String()
		} else {
			direct[ref.Name().String()] = ref.Hash().String()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	for name, target := range symbolic {
		// git follows at most five levels; a dangling symref is left out.
		for i := 0; i < 5; i++ {
			if hash, ok := direct[target]; ok {
				direct[name] = hash
				break
			}
			next, ok := symbolic[target]
			if !ok {
				break
			}
			target = next
		}
	}
	r.refs.byName = direct
	return direct, nil
}

// refCache holds every ref read by allRefs.
type refCache struct {
	mu     sync.Mutex
	byName map[string]string
}

// wrote drops what the Repo keeps from earlier reads (config, refs): every
// write through the Repo calls it first.
func (r *Repo) wrote() {
	r.config.forget()
	r.early.drop()
	r.refs.mu.Lock()
	r.refs.byName = nil
	r.refs.mu.Unlock()
}

// ResolveCommit resolves a revision (branch, remote branch, hash) in process.
func (r *Repo) ResolveCommit(rev string) (string, error) {
	gg, err := r.open()
	if err != nil {
		return "", err
	}
	h, err := gg.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", rev, err)
	}
	return h.String(), nil
}

// HasCommit reports whether the object store holds the commit.
func (r *Repo) HasCommit(hash string) bool {
	gg, err := r.open()
	if err != nil {
		return false
	}
	_, err = gg.CommitObject(plumbing.NewHash(hash))
	return err == nil
}

// IsAncestor reports whether commit a is reachable from commit b.
func (r *Repo) IsAncestor(a, b string) (bool, error) {
	if a == b {
		return true, nil
	}
	gg, err := r.open()
	if err != nil {
		return false, err
	}
	ca, err := gg.CommitObject(plumbing.NewHash(a))
	if err != nil {
		return false, nil
	}
	cb, err := gg.CommitObject(plumbing.NewHash(b))
	if err != nil {
		return false, nil
	}
	return ca.IsAncestor(cb)
}

// AheadBehind counts the commits only in a and only in b.
func (r *Repo) AheadBehind(ctx context.Context, a, b string) (ahead, behind int, err error) {
	out, err := r.output(ctx, "rev-list", "--left-right", "--count", a+"..."+b, "--")
	if err != nil {
		return 0, 0, fmt.Errorf("compare %q with %q: %w", a, b, err)
	}
	_, err = fmt.Sscan(out, &ahead, &behind)
	return ahead, behind, err
}

// Counts is how many commits only a ref has (Ahead) and only the base has
// (Behind).
type Counts struct{ Ahead, Behind int }

// CountedRef is a ref, the commit it names, and how far that commit is
// from a base: Counts is nil where git could not count (the base does not
// resolve, or a count failed).
type CountedRef struct {
	Commit string
	Counts *Counts
	// Current marks the branch HEAD points at (listed under refs/heads/).
	Current bool
}

// CountRefs lists every ref under the prefixes counted and plain (as Refs
// does; symbolic refs resolved) and, for those under counted, ahead/behind
// of its commit against base. On git 2.41+ one `git for-each-ref
// --format=%(ahead-behind:<base>)` answers everything, refs included;
// older git (whose for-each-ref refuses that field) reads the refs in
// process and counts the distinct commits with at most three more git
// processes (countCommits), however many sandboxes there are. Base "" lists
// the refs without counts. The branch HEAD points at is marked Current,
// so that a caller counting against "HEAD" learns its name from the same
// read.
func (r *Repo) CountRefs(ctx context.Context, base string, counted, plain []string) (map[string]CountedRef, error) {
	prefixes := append(slices.Clone(counted), plain...)
	if len(prefixes) == 0 {
		return map[string]CountedRef{}, nil
	}
	under := func(name string, ps []string) bool {
		return slices.ContainsFunc(ps, func(p string) bool { return strings.HasPrefix(name, p) })
	}
	if base != "" {
		out, err, early := r.early.take(base, prefixes)
		if !early {
			out, err = r.output(ctx, append([]string{"for-each-ref", countFormat(base)}, prefixes...)...)
		}
		if err == nil {
			refs, err := parseCountedRefs(out, prefixes)
			for name, ref := range refs {
				if !under(name, counted) {
					ref.Counts = nil
					refs[name] = ref
				}
			}
			return refs, err
		}
	}
	out := map[string]CountedRef{}
	var commits []string
	for _, p := range prefixes {
		refs, err := r.Refs(p)
		if err != nil {
			return nil, err
		}
		for name, hash := range refs {
			out[name] = CountedRef{Commit: hash}
			if base != "" && under(name, counted) && !slices.Contains(commits, hash) {
				commits = append(commits, hash)
			}
		}
	}
	counts := r.countCommits(ctx, base, commits)
	head, _ := r.Head()
	for name, ref := range out {
		if c, ok := counts[ref.Commit]; ok && under(name, counted) {
			ref.Counts = &c
		}
		ref.Current = head.Branch != "" && name == "refs/heads/"+head.Branch
		out[name] = ref
	}
	return out, nil
}

// countCommits counts each commit against base: more than three of them
// with three git processes (countTogether), fewer, or where that fails,
// with one `rev-list --left-right --count` per commit, four at a time; a
// count git cannot give is left out.
func (r *Repo) countCommits(ctx context.Context, base string, commits []string) map[string]Counts {
	if len(commits) > 3 {
		if counts, err := r.countTogether(ctx, base, commits); err == nil {
			return counts
		} else if errors.Is(err, errNoBase) {
			return map[string]Counts{}
		}
	}
	type result struct {
		commit string
		c      Counts
		err    error
	}
	results := make(chan result, len(commits))
	limit := make(chan struct{}, 4)
	for _, commit := range commits {
		go func() {
			limit <- struct{}{}
			defer func() { <-limit }()
			a, b, err := r.AheadBehind(ctx, commit, base)
			results <- result{commit, Counts{a, b}, err}
		}()
	}
	out := map[string]Counts{}
	for range commits {
		if res := <-results; res.err == nil {
			out[res.commit] = res.c
		}
	}
	return out
}

// parseCountedRefs reads "<*| ><commit> <ahead> <behind> <ref>" lines
// ('*' marks HEAD's branch), keeping the refs under the prefixes asked for
// (git also matches a pattern by path components).
func parseCountedRefs(out string, prefixes []string) (map[string]CountedRef, error) {
	refs := map[string]CountedRef{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if len(line) < 2 {
			continue
		}
		f := strings.Fields(line[1:])
		if len(f) != 4 || !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(f[3], p) }) {
			continue
		}
		var c Counts
		if _, err := fmt.Sscan(f[1]+" "+f[2], &c.Ahead, &c.Behind); err != nil {
			return nil, fmt.Errorf("read ahead/behind: unexpected line %q", line)
		}
		refs[f[3]] = CountedRef{Commit: f[0], Counts: &c, Current: line[0] == '*'}
	}
	return refs, nil
}

// MergeBase returns the best common ancestor of a and b, or "" if none.
func (r *Repo) MergeBase(ctx context.Context, a, b string) (string, error) {
	out, err := r.output(ctx, "merge-base", a, b)
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code == 1 {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("merge-base %q %q: %w", a, b, err)
	}
	return strings.TrimSpace(out), nil
}

// Init creates a repository with one commit holding the current files, for
// `up` in a folder that is not yet a repository (asked on a terminal only).
func Init(ctx context.Context, run *xec.Runner, dir string) error {
	for _, args := range [][]string{
		{"git", "-C", dir, "init", "-q"},
		{"git", "-C", dir, "add", "-A"},
		{"git", "-C", dir, "commit", "-q", "--allow-empty", "-m", "Initial commit"},
	} {
		if err := run.Run(ctx, xec.Cmd{Argv: args, Mutates: true}); err != nil {
			return fmt.Errorf("initialise repository in %q: %w", dir, err)
		}
	}
	return nil
}

// Version returns `git version` output, for doctor.
func Version(ctx context.Context, run *xec.Runner) (string, error) {
	out, err := run.Output(ctx, xec.Cmd{Argv: []string{"git", "version"}})
	return strings.TrimSpace(string(out)), err
}

func splitNul(b []byte) [][]byte {
	b = bytes.TrimSuffix(b, []byte{0})
	if len(b) == 0 {
		return nil
	}
	return bytes.Split(b, []byte{0})
}

// HooksDir is where git looks for hooks: core.hooksPath when set, else
// $GIT_DIR/hooks, as an absolute path.
func (r *Repo) HooksDir(ctx context.Context) (string, error) {
	out, err := r.output(ctx, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return "", fmt.Errorf("find the hooks directory: %w", err)
	}
	p := strings.TrimSpace(out)
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.Root, p)
	}
	return p, nil
}

// Lock takes an exclusive lock shared by git-airlock processes working on
// this repository (an IDE's fetch while the user merges), released by the
// returned function. git's own ref and config locks fail fast instead of
// waiting; this makes our own commands queue behind each other.
func (r *Repo) Lock(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(filepath.Join(r.CommonDir, "airlock.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock repository: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- lockFile(f) }()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock repository: %w", err)
		}
	case <-ctx.Done():
		f.Close()
		return nil, ctx.Err()
	}
	return func() { _ = unlockFile(f); f.Close() }, nil
}
