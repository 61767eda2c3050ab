// Package hooks installs, upgrades and removes git-airlock's git hooks.
//
// A hook is a tiny /bin/sh shim that calls back into git-airlock, where all
// the logic lives (`git airlock hook <name>`). Only files that carry our
// marker are ever upgraded or removed; a foreign hook is refused unless the
// user forces it, and then it is kept beside ours as <hook>.local and run
// first, so it keeps working. The package touches files only: the caller
// resolves the hooks directory (core.hooksPath) with git.
package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
)

// Version is the shim format; older shims of ours are upgraded.
const Version = 3

// Marker identifies our shims, whatever their version.
const Marker = "# git-airlock hook shim"

// Names are the hooks git-airlock installs (docs/gate.md: which stops
// what, on which git). reference-transaction (git 2.28+; older gits never
// run it) sees every branch move; pre-commit a merge or cherry-pick
// finished by git commit; prepare-commit-msg every commit a cherry-pick or
// rebase copies (git runs no pre-commit for those, and --no-verify does
// not skip it); pre-rebase a rebase onto sandbox history, before it
// writes anything.
var Names = []string{"pre-merge-commit", "pre-commit", "prepare-commit-msg", "pre-rebase", "reference-transaction"}

// Shim returns the script for a hook.
func Shim(name string) string {
	switch name {
	case "reference-transaction":
		return refTxShim()
	case "pre-commit", "prepare-commit-msg":
		return commitShim(name)
	case "pre-rebase":
		return rebaseShim()
	}
	return fmt.Sprintf(`#!/bin/sh
%s v%d: %s. Installed by 'git airlock hooks install';
# remove with 'git airlock hooks uninstall'.
if [ -x "$0.local" ]; then "$0.local" "$@" || exit $?; fi
command -v git-airlock >/dev/null 2>&1 || {
	echo >&2 "git-airlock is not on PATH, so this merge cannot be checked."
	echo >&2 "hint: reinstall git-airlock, or run 'git airlock hooks uninstall'"
	exit 1
}
exec git-airlock hook %s "$@"
`, Marker, Version, name, name)
}

var versionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(Marker) + ` v(\d+)`) })

// State of one hook file.
type State int

const (
	Absent State = iota
	Current
	Outdated // ours, older version
	Foreign
)

func (s State) String() string {
	return [...]string{"absent", "installed", "outdated", "foreign"}[s]
}

// Status reads the state of a hook in dir.
func Status(dir, name string) (State, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return Absent, nil
	}
	if err != nil {
		return 0, err
	}
	m := versionRE().FindSubmatch(b)
	if m == nil {
		return Foreign, nil
	}
	if v, _ := strconv.Atoi(string(m[1])); v < Version {
		return Outdated, nil
	}
	return Current, nil
}

// ForeignError is a hook that is not ours.
type ForeignError struct {
	Path    string
	Preview string
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("%s exists and is not git-airlock's:\n%s", e.Path, e.Preview)
}

// Install writes the shim. A foreign hook is refused unless force, in
// which case it moves to <name>.local and keeps running before ours.
func Install(dir, name string, force bool) (State, error) {
	p := filepath.Join(dir, name)
	st, err := Status(dir, name)
	if err != nil {
		return st, err
	}
	if st == Foreign {
		if !force {
			b, _ := os.ReadFile(p)
			return st, &ForeignError{Path: p, Preview: preview(b)}
		}
		if _, err := os.Stat(p + ".local"); err == nil {
			return st, fmt.Errorf("%s.local already exists; move one of them aside by hand", p)
		}
		if err := os.Rename(p, p+".local"); err != nil {
			return st, err
		}
	}
	if st == Current {
		return st, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return st, err
	}
	tmp := p + ".airlock-tmp"
	if err := os.WriteFile(tmp, []byte(Shim(name)), 0o755); err != nil {
		return st, err
	}
	return st, os.Rename(tmp, p)
}

// Uninstall removes our shim and puts a chained foreign hook back. A hook
// that is not ours is left alone.
func Uninstall(dir, name string) (State, error) {
	p := filepath.Join(dir, name)
	st, err := Status(dir, name)
	if err != nil || st == Absent {
		return st, err
	}
	if st == Foreign {
		b, _ := os.ReadFile(p)
		return st, &ForeignError{Path: p, Preview: preview(b)}
	}
	if err := os.Remove(p); err != nil {
		return st, err
	}
	if _, err := os.Stat(p + ".local"); err == nil {
		return st, os.Rename(p+".local", p)
	}
	return st, nil
}

func preview(b []byte) string {
	lines := bytes.SplitN(b, []byte("\n"), 6)
	if len(lines) > 5 {
		lines = append(lines[:5], []byte("…"))
	}
	return "  " + string(bytes.Join(lines, []byte("\n  ")))
}

// sandboxBrings is shell for a shim that cannot run git-airlock: the
// function answers whether moving from $2 to $1 brings a commit of any
// sandbox namespace (two rev-lists, as gate.CheckMove's provenance), so
// that the hook fails safe for exactly those moves.
const sandboxBrings = `sandbox_brings() {
	not=$(git for-each-ref --format='%(objectname) %(refname)' refs/remotes/ refs/airlock/ refs/sandboxes/ |
		while read -r id ref; do case "$ref" in refs/remotes/airlock-* | refs/remotes/sandbox-* | refs/airlock/* | refs/sandboxes/*) echo "^$id" ;; esac; done)
	[ -n "$not" ] || return 1
	a=$(git rev-list --count "$1" "^$2") || return 0
	b=$(printf '%s\n' "$1" "^$2" $not | git rev-list --count --stdin) || return 0
	[ "$a" != "$b" ]
}
`

// refTxShim is the reference-transaction shim. git runs it for every ref
// transaction (each fetched ref, every commit), three states each, so it
// reads nothing in two of them (git ignores EPIPE there) and stays in the
// shell unless a prepared transaction updates a branch or
// HEAD: only then does git-airlock start, and its exit status is the
// verdict (non-zero aborts the transaction). Without git-airlock on PATH
// it refuses the branch moves that bring sandbox commits, and nothing
// else: fetches (remote-tracking refs) always pass.
func refTxShim() string {
	return fmt.Sprintf(`#!/bin/sh
%s v%d: reference-transaction. Installed by 'git airlock hooks install';
# remove with 'git airlock hooks uninstall'.
if [ -x "$0.local" ]; then
	in=$(cat)
	printf '%%s\n' "$in" | "$0.local" "$@" || exit $?
	[ "$1" = prepared ] || exit 0
else
	# git tolerates a hook that leaves its input unread
	[ "$1" = prepared ] || exit 0
	in=$(cat)
fi
case "$in" in *" refs/heads/"* | *" HEAD"*) ;; *) exit 0 ;; esac
if command -v git-airlock >/dev/null 2>&1; then
	printf '%%s\n' "$in" | git-airlock hook reference-transaction "$@"
	exit $?
fi
%s
printf '%%s\n' "$in" | while read -r old new ref; do
	case "$ref" in refs/heads/*) ;; *) continue ;; esac
	case "$new" in ref:*) continue ;; *[!0]*) ;; *) continue ;; esac
	cur=$(git rev-parse -q --verify "$ref") || continue
	if sandbox_brings "$new" "$cur"; then
		echo >&2 "git-airlock is not on PATH, so this move of $ref into sandbox history cannot be checked."
		echo >&2 "hint: put git-airlock back on PATH (or remove $0)"
		exit 1
	fi
done
`, Marker, Version, sandboxBrings)
}

// commitShim is the pre-commit and prepare-commit-msg shim: it stays in
// the shell unless a merge or cherry-pick is being finished (MERGE_HEAD,
// CHERRY_PICK_HEAD), so an ordinary commit costs one git rev-parse.
func commitShim(name string) string {
	return fmt.Sprintf(`#!/bin/sh
%s v%d: %s. Installed by 'git airlock hooks install';
# remove with 'git airlock hooks uninstall'.
if [ -x "$0.local" ]; then "$0.local" "$@" || exit $?; fi
gd=$(git rev-parse --git-dir) || exit 0
head=""
[ -f "$gd/MERGE_HEAD" ] && head=$(head -n 1 "$gd/MERGE_HEAD")
[ -f "$gd/CHERRY_PICK_HEAD" ] && head=$(cat "$gd/CHERRY_PICK_HEAD")
[ -n "$head" ] || exit 0
command -v git-airlock >/dev/null 2>&1 && exec git-airlock hook %s "$@"
%s
cur=$(git rev-parse -q --verify HEAD) || exit 0
if sandbox_brings "$head" "$cur"; then
	echo >&2 "git-airlock is not on PATH, so this commit of sandbox work cannot be checked."
	echo >&2 "hint: put git-airlock back on PATH (or remove $0)"
	exit 1
fi
`, Marker, Version, name, name, sandboxBrings)
}

// rebaseShim is the pre-rebase shim (git rebase UPSTREAM [BRANCH]).
func rebaseShim() string {
	return fmt.Sprintf(`#!/bin/sh
%s v%d: pre-rebase. Installed by 'git airlock hooks install';
# remove with 'git airlock hooks uninstall'.
if [ -x "$0.local" ]; then "$0.local" "$@" || exit $?; fi
[ -n "$1" ] || exit 0
command -v git-airlock >/dev/null 2>&1 && exec git-airlock hook pre-rebase "$@"
%s
up=$(git rev-parse -q --verify "$1^{commit}") || exit 0
cur=$(git rev-parse -q --verify "${2:-HEAD}^{commit}") || exit 0
if sandbox_brings "$up" "$cur"; then
	echo >&2 "git-airlock is not on PATH, so this rebase onto sandbox history cannot be checked."
	echo >&2 "hint: put git-airlock back on PATH (or remove $0)"
	exit 1
fi
`, Marker, Version, sandboxBrings)
}
