// Package gitx is the only way git-airlock talks to git.
//
// Exact in-process reads (objects, ancestry, and single refs by name where
// go-git reads what git reads, else git answers) go through go-git's
// storage and object packages — never its root package, which would link
// every transport (HTTP, TLS, SSH) into both binaries and slow every start;
// config (the repository format included: go-git's parser refuses bytes
// git takes), the list of refs (git passes over its lock files), and
// anything else that depends on git's own semantics (fetch, merge,
// difftool, hooks path, worktrees, revision syntax beyond ref names and
// ^/~) run the git CLI through internal/xec, in the C locale wherever gitx
// reads what git prints (parsed). Nobody else runs git.
package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

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

	once  sync.Once
	gg    *filesystem.Storage
	ggErr error
	// history: go-git walks history as git does (see plainHistory).
	history bool

	cat batches // see catfile.go
}

// Open finds the repository that contains dir with a single git call.
// `--path-format=absolute` needs git 2.31; the paths are made absolute
// here instead, so that git 2.26 works too.
func Open(ctx context.Context, run *xec.Runner, dir string) (*Repo, error) {
	out, err := run.Output(ctx, parsed(xec.Cmd{Argv: []string{"git", "-C", dir, "rev-parse",
		"--show-toplevel", "--absolute-git-dir", "--git-common-dir", "--is-shallow-repository"}}))
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
// which git starts with GIT_DIR set and possibly no work tree. In a linked
// worktree that is the worktree's own git directory; its commondir file
// names the directory that holds the objects and refs.
func OpenGitDir(run *xec.Runner, gitDir string) *Repo {
	gitDir, _ = filepath.Abs(gitDir)
	common := gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		if p := strings.TrimSpace(string(b)); p != "" {
			if !filepath.IsAbs(p) {
				p = filepath.Join(gitDir, p)
			}
			common = filepath.Clean(p)
		}
	}
	return &Repo{GitDir: gitDir, CommonDir: common, run: run}
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
	out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: r.git(args...)}))
	return string(out), err
}

// parsed is a git command whose output or error gitx reads: it runs in
// the C locale, so that what git says is git's English whatever the
// user's language (gitx matches "not a git repository" in Open's stderr;
// every reader expects git's untranslated words). LANGUAGE is emptied as
// well; gettext ignores it under LC_ALL=C anyway. Commands whose output
// goes to the user (Passthrough, Fetch) and writes keep the user's locale.
func parsed(c xec.Cmd) xec.Cmd {
	c.Env = append(slices.Clone(c.Env), "LC_ALL=C", "LANGUAGE=")
	return c
}

func (r *Repo) mutate(ctx context.Context, args ...string) error {
	r.wrote()
	return r.run.Run(ctx, xec.Cmd{Argv: r.git(args...), Mutates: true})
}

// open reads the repository's storage as go-git's PlainOpen does for a
// linked worktree (per-worktree files such as HEAD from GitDir, objects,
// refs and config from CommonDir), follows objects/info/alternates, and
// refuses a repository whose extensions change what is read in process.
// go-git's own config parser is never used: it refuses what git reads
// (a value that is not UTF-8), so the format is read by git (readFormat).
func (r *Repo) open() (*filesystem.Storage, error) {
	r.once.Do(func() {
		if err := r.checkFormat(context.Background()); err != nil {
			r.ggErr = fmt.Errorf("read repository %q: %w", r.GitDir, err)
			return
		}
		var common billy.Filesystem // nil: everything in GitDir
		if r.LinkedWorktree() {
			common = osfs.New(r.CommonDir)
		}
		fs := dotgit.NewRepositoryFilesystem(osfs.New(r.GitDir), common)
		r.gg = filesystem.NewStorageWithOptions(fs, cache.NewObjectLRUDefault(), filesystem.Options{AlternatesFS: alternatesFS})
		r.history = !r.Shallow && plainHistory(r.CommonDir)
	})
	return r.gg, r.ggErr
}

// alternatesFS is where go-git looks for the object directories that
// objects/info/alternates names. Left unset it looks inside the git
// directory only, and so misses the absolute paths `git clone --shared`
// and `--reference` write; from the file system's root it finds them. (A
// relative path it still reads from that root, not from the objects
// directory as git does; such an alternate stays unread, as before.)
var alternatesFS = osfs.New(string(filepath.Separator))

// ErrRepositoryFormat means the repository uses a format the in-process
// reads do not know (another object format, the reftable ref store, a
// partial clone, a newer core.repositoryFormatVersion).
var ErrRepositoryFormat = errors.New("repository format not supported")

// readableExtensions are the extensions that leave objects and refs where
// and as the in-process reads find them: worktreeConfig moves only
// config, which git itself reads; preciousObjects only forbids pruning.
var readableExtensions = map[string]bool{
	"noop": true, "noop-v1": true, "worktreeconfig": true, "preciousobjects": true,
}

// formatPattern matches the keys that say how a repository is laid out.
const formatPattern = `^(core\.repositoryformatversion|extensions\..*)$`

// checkFormat refuses what go-git cannot read exactly: any extension not
// in readableExtensions (objectFormat only when it says sha1), or a
// repository format version above 1. They are read as git reads them: by
// git, from the common directory's config file alone (git reads the
// repository format from that file, without includes, as `git config
// --file` does), whatever bytes the file holds elsewhere.
//
// Most repositories need no git process for it (plainFormat).
func (r *Repo) checkFormat(ctx context.Context) error {
	path := filepath.Join(r.CommonDir, "config")
	if b, err := os.ReadFile(path); err == nil && plainFormat(b) {
		return nil
	}
	argv := []string{"git", "config", "--file", path, "-z", "--get-regexp", formatPattern}
	out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: argv}))
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code == 1 {
		return nil // neither set: version 0, no extensions
	}
	if err != nil {
		return fmt.Errorf("read the repository format: %w", err)
	}
	for _, f := range splitNul(out) {
		key, value, _ := strings.Cut(string(f), "\n") // git gives the key lower-case
		if key == "core.repositoryformatversion" {
			if value != "" && value != "0" && value != "1" {
				return fmt.Errorf("%w: core.repositoryFormatVersion %s", ErrRepositoryFormat, value)
			}
			continue
		}
		ext := strings.TrimPrefix(key, "extensions.")
		if !readableExtensions[ext] && (ext != "objectformat" || !strings.EqualFold(value, "sha1")) {
			return fmt.Errorf("%w: %s = %s", ErrRepositoryFormat, key, value)
		}
	}
	return nil
}

// plainFormat reports whether a config file certainly sets no extension
// and no format version above 1, as git writes a new repository's:
// without the word "extensions" anywhere (section and key names cannot be
// escaped, and git reads the format without includes), and with
// repositoryformatversion only on lines that say "= 0" or "= 1" as git
// writes them. Anything else is git's to read.
func plainFormat(config []byte) bool {
	lower := bytes.ToLower(config)
	if bytes.Contains(lower, []byte("extensions")) {
		return false
	}
	for line := range bytes.Lines(lower) {
		if !bytes.Contains(line, []byte("repositoryformatversion")) {
			continue
		}
		switch string(bytes.TrimSpace(line)) {
		case "repositoryformatversion = 0", "repositoryformatversion = 1":
		default:
			return false
		}
	}
	return true
}

// Head describes what HEAD points at.
type Head struct {
	Hash   string // empty when the repository has no commits
	Branch string // short branch name; empty when detached
}

// Head reads HEAD in process where that reads what git reads: HEAD names
// a branch, or a commit the object store holds. Anything else (a ref file
// git would call broken, a read that fails) is git's to answer.
func (r *Repo) Head() (Head, error) {
	gg, err := r.open()
	if err != nil {
		return Head{}, err
	}
	if h, ok := r.headInProcess(gg); ok {
		return h, nil
	}
	return r.gitHead(context.Background()) // HEAD waits on nothing
}

// headInProcess reads HEAD in process and asks cat-file whether the commit
// it names is there (a commit read in process would load the whole pack
// index); ok is false for anything git might read otherwise.
func (r *Repo) headInProcess(gg *filesystem.Storage) (Head, bool) {
	sym, err := gg.Reference(plumbing.HEAD)
	if err != nil {
		return Head{}, false
	}
	var h Head
	if sym.Type() == plumbing.SymbolicReference && sym.Target().IsBranch() {
		h.Branch = sym.Target().Short()
	}
	ref, err := followRef(gg, plumbing.HEAD)
	if errors.Is(err, plumbing.ErrReferenceNotFound) && h.Branch != "" {
		return h, true // a branch with no commits yet
	}
	if err != nil {
		return Head{}, false
	}
	if !r.HasCommit(ref.Hash().String()) {
		return Head{}, false
	}
	h.Hash = ref.Hash().String()
	return h, true
}

// gitHead is Head as git reads it: `git symbolic-ref -q HEAD` (status 1:
// detached) and `git rev-parse -q --verify HEAD^{commit}` (status 1: no
// commit yet).
func (r *Repo) gitHead(ctx context.Context) (Head, error) {
	var h Head
	var ee *xec.ExitError
	out, err := r.output(ctx, "symbolic-ref", "-q", "HEAD")
	switch {
	case err == nil:
		if b, ok := strings.CutPrefix(strings.TrimSpace(out), "refs/heads/"); ok {
			h.Branch = b
		}
	case !errors.As(err, &ee) || ee.Code != 1:
		return Head{}, fmt.Errorf("read HEAD: %w", err)
	}
	out, err = r.output(ctx, "rev-parse", "-q", "--verify", "HEAD^{commit}")
	switch {
	case err == nil:
		h.Hash = strings.TrimSpace(out)
	case !errors.As(err, &ee) || ee.Code != 1:
		return Head{}, fmt.Errorf("resolve HEAD: %w", err)
	}
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

// allRefs reads every ref in one pass, as git reads them: one `git
// for-each-ref`, which resolves symbolic refs (leaving out a dangling
// one), reads packed and loose refs, and passes over what is not a ref
// (git's *.lock files, a broken ref, a name git refuses), where go-git's
// walk of refs/ failed on a lock file another git holds, or one left
// empty by a crash.
func (r *Repo) allRefs() (map[string]string, error) {
	r.refs.mu.Lock()
	defer r.refs.mu.Unlock()
	if r.refs.byName != nil {
		return r.refs.byName, nil
	}
	// Refs has no context: for-each-ref waits on nothing.
	out, err := r.output(context.Background(), "for-each-ref", "--format=%(objectname) %(refname)")
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	all := map[string]string{}
	for line := range strings.Lines(out) {
		hash, name, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if !ok || !isObjectID(hash) {
			return nil, fmt.Errorf("list refs: unexpected line %q", line)
		}
		all[name] = hash
	}
	r.refs.byName = all
	return all, nil
}

// refCache holds every ref read by allRefs.
type refCache struct {
	mu     sync.Mutex
	byName map[string]string
}

// wrote drops what the Repo keeps from earlier reads (config, refs): every
// write through the Repo calls it first.
func (r *Repo) wrote() {
	r.endBatches()
	r.config.forget()
	r.refs.mu.Lock()
	r.refs.byName = nil
	r.refs.mu.Unlock()
}

// HasCommit reports whether the object store holds the commit (git's
// cat-file answers, see catfile.go).
func (r *Repo) HasCommit(hash string) bool {
	if len(hash) != 40 && len(hash) != 64 || !isHex(hash) {
		return false
	}
	o, err := r.objectInfo(hash)
	return err == nil && o.kind == "commit"
}

// plainHistory reports whether history reads the same in go-git as in
// git: no shallow boundary (git reads those commits as roots), no grafts,
// no replace refs (git reads a replacement's parents). Any of them, and
// history is git's to walk.
func plainHistory(common string) bool {
	for _, f := range []string{"shallow", filepath.Join("info", "grafts")} {
		if _, err := os.Stat(filepath.Join(common, f)); err == nil {
			return false
		}
	}
	if b, err := os.ReadFile(filepath.Join(common, "packed-refs")); err == nil && bytes.Contains(b, []byte(" "+replacePrefix)) {
		return false
	}
	replaced := false
	_ = filepath.WalkDir(filepath.Join(common, filepath.FromSlash(replacePrefix)), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			replaced = true
			return filepath.SkipAll
		}
		return nil
	})
	return !replaced
}

// IsAncestor reports whether commit a is reachable from commit b: in
// process, or with `git merge-base --is-ancestor` where go-git would walk
// history otherwise than git (plainHistory).
func (r *Repo) IsAncestor(a, b string) (bool, error) {
	if a == b {
		return true, nil
	}
	gg, err := r.open()
	if err != nil {
		return false, err
	}
	if !r.history {
		_, err := r.output(context.Background(), "merge-base", "--is-ancestor", a, b)
		var ee *xec.ExitError
		if errors.As(err, &ee) && ee.Code == 1 {
			return false, nil
		}
		return err == nil, err
	}
	ca, err := object.GetCommit(gg, plumbing.NewHash(a))
	if err != nil {
		return false, nil
	}
	cb, err := object.GetCommit(gg, plumbing.NewHash(b))
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
// of its commit against base. One `git for-each-ref` lists the refs; the counts of a commit
// against the base's commit are kept (countCache), so only commits not
// counted before are counted: on git 2.41+ with one more for-each-ref
// (%(ahead-behind)), on older git with at most four more processes
// whatever their number (countCommits). Base "" lists the refs without
// counts, as does a base that names no commit. The branch HEAD points at
// is marked Current, so that a caller counting against "HEAD" learns its
// name from the same read. Once ctx ends, the error is its end.
func (r *Repo) CountRefs(ctx context.Context, base string, counted, plain []string) (map[string]CountedRef, error) {
	prefixes := append(slices.Clone(counted), plain...)
	if len(prefixes) == 0 {
		return map[string]CountedRef{}, nil
	}
	refs, replaced, err := r.listRefs(ctx, prefixes)
	if err != nil || base == "" {
		return refs, err
	}
	baseCommit := ""
	if base == "HEAD" {
		for name, ref := range refs {
			if ref.Current && strings.HasPrefix(name, "refs/heads/") {
				baseCommit = ref.Commit
			}
		}
	}
	if baseCommit == "" {
		if baseCommit, err = r.ResolveCommit(base); err != nil {
			return refs, nil
		}
	}
	under := func(name string) bool {
		return slices.ContainsFunc(counted, func(p string) bool { return strings.HasPrefix(name, p) })
	}
	distinct := map[string]bool{}
	for name, ref := range refs {
		if under(name) {
			distinct[ref.Commit] = true
		}
	}
	commits := slices.Sorted(maps.Keys(distinct))
	cache := r.counts(replaced)
	counts := cache.lookup(baseCommit, commits)
	if missing := slices.DeleteFunc(commits, func(c string) bool { _, ok := counts[c]; return ok }); len(missing) > 0 {
		fresh := r.countAgainst(ctx, baseCommit, missing, refs)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cache.add(baseCommit, fresh)
		if r.run.DryRun == nil {
			cache.save()
		}
		maps.Copy(counts, fresh)
	}
	for name, ref := range refs {
		if c, ok := counts[ref.Commit]; ok && under(name) {
			ref.Counts = &c
			refs[name] = ref
		}
	}
	return refs, nil
}

// listFormat is the line listRefs reads: '*' for HEAD's branch, the
// commit, the ref.
const listFormat = "--format=%(HEAD)%(objectname) %(refname)"

// replacePrefix holds replace refs, which change what history says: their
// presence turns countCache off.
const replacePrefix = "refs/replace/"

// listArgs lists the refs matching patterns, and the replace refs.
func listArgs(patterns []string) []string {
	return append([]string{"for-each-ref", listFormat}, append(slices.Clone(patterns), replacePrefix)...)
}

// listRefs lists the refs under the prefixes, with one for-each-ref, and
// reports whether the repository has replace refs.
func (r *Repo) listRefs(ctx context.Context, prefixes []string) (map[string]CountedRef, bool, error) {
	out, err := r.output(ctx, listArgs(prefixes)...)
	if err != nil {
		return nil, false, fmt.Errorf("list refs: %w", err)
	}
	refs := map[string]CountedRef{}
	replaced := false
	for line := range strings.Lines(out) {
		if len(line) < 2 {
			continue
		}
		commit, name, ok := strings.Cut(strings.TrimSpace(line[1:]), " ")
		switch {
		case !ok || !isObjectID(commit):
			return nil, false, fmt.Errorf("list refs: unexpected line %q", line)
		case strings.HasPrefix(name, replacePrefix):
			replaced = true
		case slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }):
			refs[name] = CountedRef{Commit: commit, Current: line[0] == '*'}
		}
	}
	return refs, replaced, nil
}

// countAgainst counts commits against base (a commit id): on git 2.41+
// with one for-each-ref of a ref naming each, else with countCommits.
func (r *Repo) countAgainst(ctx context.Context, base string, commits []string, refs map[string]CountedRef) map[string]Counts {
	named := map[string]string{} // a ref for each commit
	for _, c := range commits {
		named[c] = ""
	}
	for name, ref := range refs {
		if _, ok := named[ref.Commit]; ok {
			named[ref.Commit] = name
		}
	}
	names := slices.Sorted(maps.Values(named))
	out, err := r.output(ctx, append([]string{"for-each-ref", "--format=%(objectname) %(ahead-behind:" + base + ")"}, names...)...)
	if err != nil { // git before 2.41
		return r.countCommits(ctx, base, commits)
	}
	counts := map[string]Counts{}
	for line := range strings.Lines(out) {
		var commit string
		var c Counts
		if _, err := fmt.Sscan(line, &commit, &c.Ahead, &c.Behind); err == nil && named[commit] != "" {
			counts[commit] = c
		}
	}
	return counts
}

// countCommits counts each commit against base: more than three of them
// with four git processes (countTogether), fewer, or where that fails,
// with one `rev-list --left-right --count` per commit, four at a time; a
// count git cannot give is left out, and once ctx ends none is started.
func (r *Repo) countCommits(ctx context.Context, base string, commits []string) map[string]Counts {
	if ctx.Err() != nil {
		return map[string]Counts{}
	}
	if len(commits) > 4 {
		if counts, err := r.countTogether(ctx, base, commits); err == nil {
			return counts
		} else if errors.Is(err, errNoBase) || ctx.Err() != nil {
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
			if err := ctx.Err(); err != nil {
				results <- result{err: err}
				return
			}
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

// CommitOnNewBranch adds an empty commit on a new branch of the
// repository at dir (doctor --probe's throwaway repository).
func CommitOnNewBranch(ctx context.Context, run *xec.Runner, dir, branch, message string) error {
	for _, args := range [][]string{
		{"git", "-C", dir, "checkout", "-q", "-b", branch},
		{"git", "-C", dir, "commit", "-q", "--allow-empty", "-m", message},
	} {
		if err := run.Run(ctx, xec.Cmd{Argv: args, Mutates: true}); err != nil {
			return fmt.Errorf("commit on branch %q in %q: %w", branch, dir, err)
		}
	}
	return nil
}

// Version returns `git version` output, for doctor.
func Version(ctx context.Context, run *xec.Runner) (string, error) {
	out, err := run.Output(ctx, parsed(xec.Cmd{Argv: []string{"git", "version"}}))
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
