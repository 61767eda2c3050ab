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
const Version = 2

// Marker identifies our shims, whatever their version.
const Marker = "# git-airlock hook shim"

// Names are the hooks git-airlock installs. reference-transaction (git
// 2.28+; older gits never run it) sees fast-forwards, pulls and resets.
var Names = []string{"pre-merge-commit", "reference-transaction"}

// Shim returns the script for a hook.
func Shim(name string) string {
	if name == "reference-transaction" {
		return refTxShim()
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

// refTxShim is the reference-transaction shim. git runs it for every ref
// transaction (each fetched ref, every commit), three states each, so it
// stays in the shell unless a committed transaction updates a branch or
// HEAD (a detached checkout, a rebase's steps): only then does git-airlock
// start. It never fails a transaction: a
// missing git-airlock is silent here (pre-merge-commit reports it).
func refTxShim() string {
	return fmt.Sprintf(`#!/bin/sh
%s v%d: reference-transaction. Installed by 'git airlock hooks install';
# remove with 'git airlock hooks uninstall'.
in=$(cat)
if [ -x "$0.local" ]; then printf '%%s\n' "$in" | "$0.local" "$@" || exit $?; fi
[ "$1" = committed ] || exit 0
case "$in" in *" refs/heads/"* | *" HEAD"*) ;; *) exit 0 ;; esac
command -v git-airlock >/dev/null 2>&1 || exit 0
printf '%%s\n' "$in" | git-airlock hook reference-transaction "$@"
exit 0
`, Marker, Version)
}
