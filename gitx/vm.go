package gitx

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Git commands that run inside a sandbox's VM, described as data: sbx
// executes the argv, and the parsers here read the answer. The VM's git is
// the agent's; its output is untrusted text.

// CloneTopLevelArgv asks the VM where its clone is. sbx starts exec in the
// primary workspace, which in clone mode is the clone.
func CloneTopLevelArgv() []string { return []string{"git", "rev-parse", "--show-toplevel"} }

// ParseCloneTopLevel reads the answer to CloneTopLevelArgv: one absolute
// path. Anything sbx printed before it (a wake-up line) is skipped.
func ParseCloneTopLevel(out string) (string, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	p := strings.TrimSpace(lines[len(lines)-1])
	if !path.IsAbs(p) || path.Clean(p) != p || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("unexpected answer %q", out)
	}
	return p, nil
}

// surveyScript is everything rm needs to know of the clone, in one exec:
// every ref in every namespace, the stash's older entries, and for each
// worktree its HEAD, its own refs (refs/worktree, refs/bisect,
// refs/rewritten: a linked worktree's are not the clone's), its
// uncommitted and untracked changes, its skip-worktree or
// assume-unchanged files whose content differs from the index, its
// ignored files (with their size, less any repository inside, and
// whether a committed .gitignore ignores them), and every repository
// nested in it (a .git at any depth:
// a submodule, or a repository the agent made, committed as a gitlink or
// not) with its refs, HEAD and changes; then other repositories under the
// workspace.
//
// It fails closed: every git command's status is checked, and a command
// that fails prints a "fail" line (what ran, its status, the first of
// what it said) instead of being read as "nothing there". Answers stream
// out (the exec's answer is bounded); the few kept in files for a loop
// are cut at 16 MiB, which fails the command that wrote them. Each line is
// tagged; "end" proves the script ran to the end. $1 is the clone. Paths
// come quoted the way git quotes them.
const surveyScript = `cd "$1" || exit 3
t=$(mktemp -d) || exit 3
trap 'rm -rf "$t"' EXIT
run() {
  "$@" 2>"$t/err"
  echo $? >"$t/rc"
}
checked() {
  c=$(cat "$t/rc")
  [ "$c" = 0 ] && return 0
  printf 'fail %s\t%s\t%s\n' "$1" "$c" "$(head -c 300 "$t/err" | tr '\n\t' '  ')"
  return 1
}
keep() {
  f=$1 w=$2; shift 2
  run "$@" | head -c 16777216 >"$f"
  checked "$w"
}
refs() {
  tag=$1 d=$2; shift 2
  run git -C "$d" for-each-ref --format='%(objectname) %(*objectname) %(refname)' "$@" | sed "s/^/$tag /"
  checked "git for-each-ref in $d"
}
refs ref "$1"
if git rev-parse -q --verify refs/stash >/dev/null; then
  run git reflog show --format='%H  %gd' refs/stash -- | sed '1d; s/^/ref /'
  checked "git reflog show refs/stash"
fi
keep "$t/wtl" "git worktree list" git worktree list --porcelain
sed -n 's/^worktree //p' "$t/wtl" >"$t/wts"
n=0
while IFS= read -r wt; do
  n=$((n+1))
  printf 'wt %s\n' "$wt"
  h=$(git -C "$wt" rev-parse -q --verify HEAD) && printf 'head %s\n' "$h"
  if [ $n -gt 1 ]; then refs wtref "$wt" refs/worktree refs/bisect refs/rewritten; fi
  run git -C "$wt" status --porcelain --untracked-files=all | sed 's/^/change /'
  checked "git status in $wt"
  keep "$t/lsv" "git ls-files in $wt" git -C "$wt" -c core.quotepath=off ls-files -v
  sed -n 's/^[a-zS] //p' "$t/lsv" | while IFS= read -r f; do
    a=$(git -C "$wt" rev-parse -q --verify ":$f" 2>/dev/null)
    b=$(git -C "$wt" hash-object -- "$f" 2>/dev/null)
    [ -n "$a" ] && [ "$a" = "$b" ] || printf 'hidden %s\n' "$f"
  done
  run git -C "$wt" ls-files -o -i --directory --exclude-per-directory=.gitignore | sed 's/^/shared /'
  checked "git ls-files --ignored in $wt"
  keep "$t/ign" "git ls-files --ignored in $wt" git -C "$wt" ls-files -o -i --directory --exclude-standard
  while IFS= read -r f; do
    printf 'ignored %s %s\n' "$(find "$wt/$f" -name .git -prune -o -type f -exec wc -c {} + 2>/dev/null | awk '$2 != "total" { n++; s += $1 } END { print n+0, s+0 }')" "$f"
  done <"$t/ign"
  keep "$t/nested" "find repositories in $wt" find "$wt" -name .git -prune -print
  while IFS= read -r g; do
    r=${g%/.git}
    [ "$r" = "$wt" ] && continue
    printf 'nested %s\n' "$r"
    h=$(git -C "$r" rev-parse -q --verify HEAD) && printf 'nhead %s\n' "$h"
    refs nref "$r"
    run git -C "$r" status --porcelain --untracked-files=all | sed 's/^/nchange /'
    checked "git status in $r"
  done <"$t/nested"
done <"$t/wts"
find "$(dirname "$1")" -maxdepth 3 -name .git 2>/dev/null | while IFS= read -r g; do
  printf 'clone %s\n' "$(dirname "$g")"
done
echo end
`

// SurveyArgv asks, in one exec, for everything in the clone at dir that
// could be lost when the sandbox is removed; ParseSurvey reads the answer.
func SurveyArgv(dir string) []string {
	return []string{"sh", "-c", surveyScript, "git-airlock-survey", dir}
}

// unfetchedScript answers, for the commits given after the clone ($1),
// which a fetch of the clone's branches and its HEAD (fetched into
// refs/airlock/head/<remote>, detached or not) would not bring: those that
// are no commit (a ref at a tree or blob) and those neither a branch nor
// HEAD reaches. Only those
// are printed, one "unfetched <id>" line each; "end" proves the script ran
// to the end. rm's dry run asks it instead of fetching.
const unfetchedScript = `cd "$1" || exit 3
shift
types=$(printf '%s\n' "$@" | git cat-file --batch-check) || exit 4
printf '%s\n' "$types" | awk '$2 != "commit" { print "unfetched " $1 }'
un=$(printf '%s\n' "$types" | awk '$2 == "commit" { print $1 }' | git rev-list --stdin --not --branches $(git rev-parse -q --verify 'HEAD^{commit}') --) || exit 4
printf '%s\n' "$un" | awk -v want="$*" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) k[w[i]] = 1 } k[$1] { print "unfetched " $1 }'
echo end
`

// UnfetchedArgv asks the clone at dir which of commits (object ids; any
// other word is dropped) neither a branch of it nor its HEAD reaches;
// ParseUnfetched reads the answer.
func UnfetchedArgv(dir string, commits []string) []string {
	argv := []string{"sh", "-c", unfetchedScript, "git-airlock-unfetched", dir}
	for _, c := range commits {
		if isHash(c) {
			argv = append(argv, c)
		}
	}
	return argv
}

// ParseUnfetched reads UnfetchedArgv's answer: the commits no fetch
// brings, and whether the script ran to its end.
func ParseUnfetched(out string) (unfetched map[string]bool, complete bool) {
	unfetched = map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		tag, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch {
		case tag == "unfetched" && isHash(rest):
			unfetched[rest] = true
		case tag == "end" && rest == "":
			complete = true
		}
	}
	return unfetched, complete
}

// Survey is what the VM holds besides what was fetched.
type Survey struct {
	// Refs are every ref, older stash entries, each worktree's HEAD and
	// each linked worktree's own refs ("<path>: refs/worktree/…").
	Refs      []VMRef
	Worktrees []VMWorktree
	Nested    []VMNested // repositories inside a worktree
	Clones    []string   // other repositories under the workspace
	// Failed are the commands that failed ("git status in /w (exit 128):
	// fatal: …"): whatever they would have shown is unknown.
	Failed   []string
	Complete bool // the script ran to its end
}

// VMNested is a repository inside a worktree of the clone (a submodule,
// or one the agent made there).
type VMNested struct {
	Path    string
	Head    string  // "" on an unborn branch
	Refs    []VMRef // its refs and HEAD
	Changes []string
}

// VMWorktree is one worktree of the clone (the first is the clone itself).
type VMWorktree struct {
	Path    string
	Head    string   // "" on an unborn branch
	Changes []string // `git status --porcelain` lines: uncommitted and untracked
	Hidden  []string // skip-worktree or assume-unchanged files that differ from the index
	Ignored []VMIgnored
}

// VMIgnored is an ignored file or directory of a worktree.
type VMIgnored struct {
	Path  string
	Files int64 // regular files in it
	Bytes int64
	// Private: not ignored by a committed .gitignore, but by
	// .git/info/exclude or the agent's core.excludesFile.
	Private bool
}

// ParseSurvey reads SurveyArgv's answer. Lines it does not know (a banner
// sbx printed, an error of the agent's git) are skipped; a worktree's HEAD
// joins Refs as "<path>: HEAD" ("HEAD" for the clone itself).
func ParseSurvey(out string) Survey {
	var s Survey
	var wt *VMWorktree
	var nested *VMNested
	shared := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		tag, rest, _ := strings.Cut(line, " ")
		raw := rest
		// Counted, never dropped (a name must not hide work), but shown
		// without its control characters.
		rest = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return '?'
			}
			return r
		}, rest)
		switch {
		case tag == "ref":
			s.Refs = append(s.Refs, ParseVMRefs(rest)...)
		case tag == "fail" && rest != "":
			s.Failed = append(s.Failed, failLine(raw))
		case tag == "wt" && rest != "":
			s.Worktrees = append(s.Worktrees, VMWorktree{Path: rest})
			wt = &s.Worktrees[len(s.Worktrees)-1]
			nested = nil
			clear(shared)
		case tag == "nested" && rest != "" && wt != nil:
			s.Nested = append(s.Nested, VMNested{Path: rest})
			nested = &s.Nested[len(s.Nested)-1]
		case nested != nil && strings.HasPrefix(tag, "n") && rest != "":
			nested.add(tag, rest)
		case tag == "clone" && rest != "":
			s.Clones = append(s.Clones, rest)
		case tag == "end" && rest == "":
			s.Complete = true
		case wt == nil || rest == "":
		case tag == "wtref":
			for _, r := range ParseVMRefs(rest) {
				s.Refs = append(s.Refs, VMRef{Name: wt.Path + ": " + r.Name, Commit: r.Commit})
			}
		case tag == "head" && isHash(rest):
			wt.Head = rest
			name := "HEAD"
			if len(s.Worktrees) > 1 {
				name = wt.Path + ": HEAD"
			}
			s.Refs = append(s.Refs, VMRef{Name: name, Commit: rest})
		case tag == "change":
			wt.Changes = append(wt.Changes, rest)
		case tag == "hidden":
			wt.Hidden = append(wt.Hidden, rest)
		case tag == "shared":
			shared[rest] = true
		case tag == "ignored":
			f := strings.SplitN(rest, " ", 3)
			if len(f) != 3 || f[2] == "" {
				continue
			}
			wt.Ignored = append(wt.Ignored, VMIgnored{Path: f[2], Files: count(f[0]), Bytes: count(f[1]), Private: !shared[f[2]]})
		}
	}
	s.dropKnown()
	return s
}

// dropKnown drops, from the other clones and the nested repositories,
// the clone and its worktrees.
func (sv *Survey) dropKnown() {
	// The clone and its worktrees are not other clones, nor is anything
	// inside them: a repository inside a worktree is surveyed as nested.
	known := map[string]bool{}
	for _, w := range sv.Worktrees {
		known[w.Path] = true
	}
	inside := func(c string) bool {
		for _, w := range sv.Worktrees {
			if strings.HasPrefix(c, strings.TrimSuffix(w.Path, "/")+"/") {
				return true
			}
		}
		return false
	}
	clones := sv.Clones[:0]
	for _, c := range sv.Clones {
		if !known[c] && !inside(c) {
			known[c] = true
			clones = append(clones, c)
		}
	}
	sv.Clones = clones
	// A worktree of the clone inside another is a worktree, not a
	// nested repository (find meets its .git file too).
	sv.Nested = slices.DeleteFunc(sv.Nested, func(n VMNested) bool {
		return slices.ContainsFunc(sv.Worktrees, func(w VMWorktree) bool { return w.Path == n.Path })
	})
}

// add reads one line of a nested repository's survey.
func (n *VMNested) add(tag, rest string) {
	switch {
	case tag == "nhead" && isHash(rest):
		n.Head = rest
		n.Refs = append(n.Refs, VMRef{Name: "HEAD", Commit: rest})
	case tag == "nref":
		n.Refs = append(n.Refs, ParseVMRefs(rest)...)
	case tag == "nchange":
		n.Changes = append(n.Changes, rest)
	}
}

// failLine renders a "fail" line's "<what>\t<status>\t<said>" as
// "<what> (exit <status>): <said>".
func failLine(rest string) string {
	f := strings.SplitN(rest, "\t", 3)
	for i := range f {
		f[i] = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return '?'
			}
			return r
		}, f[i])
	}
	if len(f) != 3 {
		return f[0]
	}
	line := fmt.Sprintf("%s (exit %s)", f[0], f[1])
	if said := strings.TrimSpace(f[2]); said != "" {
		line += ": " + said
	}
	return line
}

// count reads a non-negative number; anything else is 0.
func count(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// hasControl reports C0 and C1 control characters (an escape sequence the
// agent wrote into a file name would reach the user's terminal).
func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

// VMRef is one ref of the clone and the commit it holds.
type VMRef struct {
	Name   string
	Commit string // for an annotated tag, the commit it points at
}

// ParseVMRefs reads "<object> [<peeled>] <refname>" lines (git
// for-each-ref's answer); lines that are not refs are skipped.
func ParseVMRefs(out string) []VMRef {
	var refs []VMRef
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || len(f) > 3 || !isHash(f[0]) {
			continue
		}
		r := VMRef{Commit: f[0], Name: f[len(f)-1]}
		if len(f) == 3 {
			if !isHash(f[1]) {
				continue
			}
			r.Commit = f[1] // annotated tag: the commit it points at
		}
		refs = append(refs, r)
	}
	return refs
}

func isHash(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
