package gitx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// ConfigEntry is one value of a git config key, in the order git reads them
// (system, global, local, worktree, command line).
type ConfigEntry struct {
	Key     string // lower-cased section and name, subsection as written
	Value   string
	Scope   string // system, global, local, worktree, command
	Origin  string // for example "file:.git/config"
	NoValue bool   // `[airlock] key` without "= value"
}

// ConfigEntries reads every entry whose key matches the regular expression,
// in one git call. The answer is kept: later reads of keys the pattern
// matches (SandboxRemote) are answered from it, until this Repo writes
// anything (config, refs, a fetch, whose remote helper may rewrite the
// remote). Writes by other processes during one command are not seen; the
// command has already acted on what it read.
func (r *Repo) ConfigEntries(ctx context.Context, pattern string) ([]ConfigEntry, error) {
	entries, err := readConfig(ctx, r.run, r.git(), pattern)
	if err == nil {
		r.config.keep(pattern, entries)
	}
	return entries, err
}

// ConfigRead reads every entry whose key matches the regular expression,
// in one git call, and keeps nothing: for a value another process may
// have just rewritten (sbx rewrites its own remote when it starts a
// sandbox), where ConfigEntries' kept answer would be stale.
func (r *Repo) ConfigRead(ctx context.Context, pattern string) ([]ConfigEntry, error) {
	return readConfig(ctx, r.run, r.git(), pattern)
}

// KeepConfig records entries read elsewhere for this repository with
// pattern (the remote helper reads its keys in one call), as ConfigEntries
// does.
func (r *Repo) KeepConfig(pattern string, entries []ConfigEntry) {
	r.config.keep(pattern, entries)
}

// configSnapshot is one config read: every entry whose key its pattern
// matches. It answers for a key only when the pattern matches that key, so
// an absent entry means unset, not unknown.
type configSnapshot struct {
	mu      sync.Mutex
	pattern *regexp.Regexp
	entries []ConfigEntry
}

func (c *configSnapshot) keep(pattern string, entries []ConfigEntry) {
	// git matches POSIX extended regexps; the patterns used here mean the
	// same in Go's syntax. One that does not compile is not kept.
	re, err := regexp.Compile(pattern)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.pattern, c.entries = nil, nil
		return
	}
	c.pattern, c.entries = re, entries
}

func (c *configSnapshot) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pattern, c.entries = nil, nil
}

// covering returns the kept entries of keys (canonical: lower-case section
// and name), and false unless the snapshot covers every one of them.
func (c *configSnapshot) covering(keys ...string) ([]ConfigEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pattern == nil {
		return nil, false
	}
	for _, k := range keys {
		if !c.pattern.MatchString(k) {
			return nil, false
		}
	}
	var out []ConfigEntry
	for _, e := range c.entries {
		if slices.Contains(keys, e.Key) {
			out = append(out, e)
		}
	}
	return out, true
}

func parseConfigZ(out []byte) ([]ConfigEntry, error) {
	fields := splitNul(out)
	if len(fields)%3 != 0 {
		return nil, fmt.Errorf("read git config: unexpected output %q", out)
	}
	entries := make([]ConfigEntry, 0, len(fields)/3)
	for i := 0; i < len(fields); i += 3 {
		e := ConfigEntry{Scope: string(fields[i]), Origin: string(fields[i+1])}
		key, value, found := strings.Cut(string(fields[i+2]), "\n")
		if key == "" {
			return nil, fmt.Errorf("read git config: an entry without a key in %q", out)
		}
		e.Key, e.Value, e.NoValue = canonicalKey(key), value, !found
		entries = append(entries, e)
	}
	return entries, nil
}

// canonicalKey lower-cases section and variable name, as git compares them,
// and keeps the subsection's case.
func canonicalKey(k string) string {
	first := strings.Index(k, ".")
	last := strings.LastIndex(k, ".")
	if first < 0 {
		return strings.ToLower(k)
	}
	return strings.ToLower(k[:first]) + k[first:last] + strings.ToLower(k[last:])
}

// ConfigGet returns the last value of key, and whether it is set.
func (r *Repo) ConfigGet(ctx context.Context, key string) (string, bool, error) {
	out, err := r.output(ctx, "config", "--get", key)
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code == 1 {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read git config %q: %w", key, err)
	}
	return strings.TrimSuffix(out, "\n"), true, nil
}

// ConfigSet writes key=value to the repository's local config.
func (r *Repo) ConfigSet(ctx context.Context, key, value string) error {
	if err := r.mutate(ctx, "config", "--local", key, value); err != nil {
		return fmt.Errorf("set git config %q: %w", key, err)
	}
	return nil
}

// ConfigAdd appends a value to a multi-valued key in local config.
func (r *Repo) ConfigAdd(ctx context.Context, key, value string) error {
	if err := r.mutate(ctx, "config", "--local", "--add", key, value); err != nil {
		return fmt.Errorf("add git config %q: %w", key, err)
	}
	return nil
}

// ConfigUnset removes every value of key from local config; unset is no error.
func (r *Repo) ConfigUnset(ctx context.Context, key string) error {
	err := r.mutate(ctx, "config", "--local", "--unset-all", key)
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code == 5 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unset git config %q: %w", key, err)
	}
	return nil
}

// OpenWithConfig is Open and ConfigEntries(pattern) in one step, the two
// git processes side by side: `git config` run where the repository is
// discovered reads the same files as one run at its top level. Outside a
// repository (ErrNotRepository) the entries are the user's (system and
// global), as UserConfigEntries reads them. also adds what a command
// knows it will read first.
func OpenWithConfig(ctx context.Context, run *xec.Runner, dir, pattern string, also Also) (*Repo, []ConfigEntry, error) {
	rc := make(chan configRead, 1)
	others := func() {
		go func() {
			entries, err := readConfig(ctx, run, []string{"git", "-C", dir}, pattern)
			rc <- configRead{entries, err}
		}()
	}
	if also.Found == nil {
		others()
	}
	repo, err := Open(ctx, run, dir)
	if also.Found != nil {
		// rev-parse ran alone first, so that Found came as soon as it could.
		if err == nil {
			also.Found()
		}
		others()
	}
	c := <-rc
	if err != nil && !errors.Is(err, ErrNotRepository) {
		return nil, nil, err
	}
	if c.err != nil {
		return nil, nil, c.err
	}
	if repo != nil {
		repo.config.keep(pattern, c.entries)
	}
	return repo, c.entries, err
}

type configRead struct {
	entries []ConfigEntry
	err     error
}

// Also is what OpenWithConfig does besides, for a command that knows its
// first reads.
type Also struct {
	// Found is called once dir is known to be in a work tree, while the
	// config is still being read: where to start what must not start
	// anywhere else (a call to sbx).
	Found func()
}

// SeemsWorkTree guesses, without a process, whether dir is inside a work
// tree: neither GIT_DIR nor GIT_WORK_TREE set, no ".git" among dir's own
// path components (inside a .git directory there is no work tree), and a
// ".git" entry in dir or above it. It decides only what may start before
// Open answers (ls starts sbx's list); Open's answer is the fact.
func SeemsWorkTree(dir string, env func(string) (string, bool)) bool {
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE"} {
		if _, set := env(k); set {
			return false
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil || slices.Contains(strings.Split(filepath.ToSlash(abs), "/"), ".git") {
		return false
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

// UserConfigEntries reads matching entries outside any repository (system
// and global scopes), for commands run elsewhere.
func UserConfigEntries(ctx context.Context, run *xec.Runner, pattern string) ([]ConfigEntry, error) {
	return readConfig(ctx, run, []string{"git"}, pattern)
}

// readConfig runs `git config --get-regexp` with scopes and origins; git
// (the argv prefix) picks the repository, or none.
func readConfig(ctx context.Context, run *xec.Runner, git []string, pattern string) ([]ConfigEntry, error) {
	argv := append(git, "config", "--show-scope", "--show-origin", "-z", "--get-regexp", pattern)
	out, err := run.Output(ctx, parsed(xec.Cmd{Argv: argv}))
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code == 1 {
		return nil, nil // no matching key
	}
	if err != nil {
		return nil, fmt.Errorf("read git config %q: %w", pattern, err)
	}
	return parseConfigZ(out)
}
