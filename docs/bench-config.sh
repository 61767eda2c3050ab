#!/usr/bin/env bash
# What 200 sandboxes cost every git command in a repository: `git status`
# and `git rev-parse HEAD` with no sandbox, and with 200 sandboxes
# registered as git-airlock before and after the record store (issue 28)
# wrote .git/config, and with sbx's own sandbox-<name> remotes alone (what
# the sandboxes cost without git-airlock). SANDBOXES, RUNS and ROUNDS scale it; REPO is the work
# tree copied for each case (default: a fresh one of 300 files).
set -euo pipefail
SANDBOXES=${SANDBOXES:-200}
RUNS=${RUNS:-200}
ROUNDS=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME=$work/home
mkdir -p "$HOME"

base=$work/none
if [[ -n ${REPO:-} ]]; then
	git clone -q --no-local "$REPO" "$base"
else
	git init -q "$base"
	for i in $(seq 1 300); do echo "$i" >"$base/f$i"; done
	git -C "$base" add . && git -C "$base" -c user.name=b -c user.email=b@b commit -qm init
fi

# One sandbox as each version registers it: git-airlock's remote (before:
# with its records in the section), and sbx's own sandbox-<name> remote
# with the guard's keys.
section() { # name style
	local n=$1
	printf '[remote "airlock-%s"]\n\turl = airlock://%s/home/u/src/repo\n\tfetch = +refs/heads/*:refs/remotes/airlock-%s/*\n\ttagOpt = --no-tags\n\tfetch = +HEAD:refs/airlock/head/airlock-%s\n\tpruneTags = false\n' "$n" "$n" "$n" "$n"
	if [[ $2 == before ]]; then
		printf '\tairlockAgent = claude\n\tairlockBase = main\n\tairlockSbx = /usr/local/bin/sbx\n'
	fi
	sbxsection "$n"
}
sbxsection() {
	local n=$1
	printf '[remote "sandbox-%s"]\n\turl = git://127.0.0.1:4%04d/home/u/src/repo\n\tfetch = +refs/heads/*:refs/remotes/sandbox-%s/*\n\tfetch = +refs/heads/*:refs/sandboxes/%s/*\n\ttagOpt = --no-tags\n\tpruneTags = false\n\tskipFetchAll = true\n' "$n" "$((RANDOM % 10000))" "$n" "$n"
}
for style in before after; do
	cp -a "$base" "$work/$style"
	for i in $(seq 1 "$SANDBOXES"); do section "claude-repo-$i" "$style"; done >>"$work/$style/.git/config"
	if [[ $style == before ]]; then
		# run --agents' group and exit on every sandbox, one removal record.
		for i in $(seq 1 "$SANDBOXES"); do
			git -C "$work/before" config "remote.airlock-claude-repo-$i.airlockGroup" "task 1111111111111111111111111111111111111111 2026-12-07T20:00:00Z"
			git -C "$work/before" config "remote.airlock-claude-repo-$i.airlockExit" 0
		done
	fi
done
# sbx's own remotes alone: what the sandboxes cost without git-airlock.
cp -a "$base" "$work/sbx"
for i in $(seq 1 "$SANDBOXES"); do sbxsection "claude-repo-$i"; done >>"$work/sbx/.git/config"
wc -l "$work"/{none,sbx,before,after}/.git/config | sed "s|$work/||"

# Instructions per run (valgrind's callgrind, user space: git's own work,
# exact whatever the machine's load), one run each.
if command -v valgrind >/dev/null; then
	for cmd in "status" "rev-parse HEAD"; do
		line="$cmd instructions:"
		for c in none sbx before after; do
			# shellcheck disable=SC2086
			ir=$(cd "$work/$c" && valgrind --tool=callgrind --callgrind-out-file=/dev/null git $cmd 2>&1 >/dev/null | awk '/Collected :/ {print $NF}')
			line+=" $c=$ir"
		done
		echo "$line"
	done
fi

# CPU time (task-clock: the command's own, whatever else runs) per run,
# perf stat over RUNS runs; cases interleaved, ROUNDS times.
measure() { # dir args...
	local d=$1
	shift
	perf stat -x, -e task-clock -r "$RUNS" git -C "$d" "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}'
}
for cmd in "status" "rev-parse HEAD"; do
	for r in $(seq 1 "$ROUNDS"); do
		line="$cmd round $r:"
		for c in none sbx before after; do
			# shellcheck disable=SC2086
			line+=" $c=$(measure "$work/$c" $cmd)"
		done
		echo "$line ms"
	done
done
