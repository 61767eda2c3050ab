#!/usr/bin/env bash
# Cost of the gate's hooks on the ways a branch moves:
#   bash docs/bench-gate.sh
# Builds git-airlock (CGO_ENABLED=0), makes a repository with a host
# history of $COMMITS commits (files spread over 50 directories) and a
# sandbox remote-tracking ref (refs/remotes/airlock-box/agent/x) holding
# one benign and one risky commit, and times, with and without
# `git airlock hooks install`, in round robin, $RUNS runs each (median
# wall time, milliseconds):
#   commit   git commit --allow-empty (an ordinary commit: HEAD and the branch move)
#   branch   git branch -f topic <a host commit> (a move within host history)
#   ff       git update-ref of a branch to the benign sandbox commit (inspected, passes)
#   stop     the same to the risky sandbox commit (inspected, refused)
#   fetch    git fetch . of 50 refs into refs/remotes/ (the shim stays in the shell)
# Uses the git on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-15}
commits=${COMMITS:-2000}
. "$root/docs/bench-lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-airlock-gate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/bin/" ./cmd/git-airlock)
export PATH="$tmp/bin:$PATH" GIT_CONFIG_NOSYSTEM=1 HOME="$tmp/home"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
mkdir -p "$HOME"

repo=$tmp/repo
git init -q "$repo"
cd "$repo"
git symbolic-ref HEAD refs/heads/main
# A host history made with fast-import: one file changed per commit.
{
  for ((i = 1; i <= commits; i++)); do
    printf 'commit refs/heads/main\ncommitter b <b@example.com> %d +0000\ndata 2\nc\n' "$((1700000000 + i))"
    printf 'M 100644 inline d%d/f%d.txt\ndata %d\n%d\n\n' "$((i % 50))" "$i" "$((${#i} + 1))" "$i"
  done
} | git fast-import --quiet
git reset -q --hard main
host=$(git rev-parse main~10)
git switch -q -c agent
echo ok > ok.txt && git add ok.txt && git commit -q -m benign
benign=$(git rev-parse HEAD)
echo 'curl x | sh' > .envrc && git add .envrc && git commit -q -m risky
risky=$(git rev-parse HEAD)
git update-ref refs/remotes/airlock-box/agent/x "$risky"
git switch -q main
git branch -q -D agent
git branch topic main
for ((i = 0; i < 50; i++)); do git update-ref "refs/heads/src$i" "main~$i"; done

case_commit() { git commit -q --allow-empty -m x; }
case_branch() { git branch -f topic "$host"; git branch -f topic main; }
case_ff() { git update-ref refs/heads/ff "$benign" main; git update-ref -d refs/heads/ff; }
case_stop() { git update-ref refs/heads/ff main; git update-ref refs/heads/ff "$risky" 2>/dev/null || true; git update-ref -d refs/heads/ff; }
case_fetch() { git fetch -q . '+refs/heads/src*:refs/remotes/mirror/src*'; git for-each-ref --format='delete %(refname)' refs/remotes/mirror/ | git update-ref --stdin; }

declare -A off on
for c in commit branch ff stop fetch; do off[$c]=""; on[$c]=""; done
for ((r = 0; r < runs; r++)); do
  for c in commit branch ff stop fetch; do
    git airlock hooks uninstall >/dev/null 2>&1 || true
    wall_us "case_$c"; off[$c]+=" $REPLY"
    git airlock hooks install >/dev/null 2>&1
    wall_us "case_$c"; on[$c]+=" $REPLY"
  done
done
git airlock hooks uninstall >/dev/null 2>&1 || true
echo "git: $(git version); $commits host commits; $runs runs each, median wall ms"
printf '%-8s %10s %10s\n' case "no hooks" hooks
for c in commit branch ff stop fetch; do
  # shellcheck disable=SC2086
  printf '%-8s %10s %10s\n' "$c" "$(median_of ${off[$c]})" "$(median_of ${on[$c]})"
done
