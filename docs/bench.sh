#!/usr/bin/env bash
# Benchmarks behind docs/BENCHMARKS.md. Run with `make bench` (it builds
# first). Uses the sbx simulator so that the numbers measure git-airlock, git
# and the tunnel, not a VM. Prints one line per figure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-airlock-bench.XXXXXX")
export PATH="$root/.build/bin:$root/.build/sim:$PATH" SBXSIM_HOME="$tmp/sbxsim" HOME="$tmp/home"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=b@example.com
mkdir -p "$HOME"
trap 'sbx rm --all --force >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/benchgen" "$root/internal/benchgen"
runs=${RUNS:-15}

. "$root/docs/bench-lib.sh" # median_ms

echo "== status and ls (repository of 1 commit, one sandbox)"
git init -q -b main "$tmp/small" && cd "$tmp/small" && git commit -q --allow-empty -m init
git airlock --agent shell run --name bench-small 'git commit -q --allow-empty -m work' >/dev/null 2>&1
echo "git status:            $(median_ms git status) ms"
echo "sbx ls --json:         $(median_ms sbx ls --json) ms"
echo "git airlock status:    $(median_ms git airlock status) ms"
echo "git airlock ls:        $(median_ms git airlock ls) ms"
echo "git airlock version:   $(median_ms git airlock version) ms (process start and command parsing)"
echo "its git children:      rev-parse $(median_ms git rev-parse --path-format=absolute --show-toplevel --git-dir --git-common-dir --is-shallow-repository) ms, config $(median_ms git config --show-scope --show-origin -z --get-regexp '^(airlock|remote)\.') ms, rev-list $(median_ms git rev-list --left-right --count HEAD...HEAD --) ms"
for cmd in status ls; do
  n=$(GIT_AIRLOCK_TRACE=1 git airlock $cmd 2>&1 >/dev/null | grep -c '^exec:' || true)
  echo "children of git airlock $cmd: $n ($(GIT_AIRLOCK_TRACE=1 git airlock $cmd 2>&1 >/dev/null | grep '^exec:' | cut -d' ' -f2-3 | tr '\n' ';'))"
done

echo "== fetch (${COMMITS:-20000} commits, incompressible blobs)"
git init -q -b main "$tmp/big"
cd "$tmp/big"
"$tmp/benchgen" -commits "${COMMITS:-20000}" | git fast-import --quiet
git reset -q --hard main
echo "repository: $(git rev-list --count HEAD) commits, $(du -sm .git | cut -f1) MB in .git"
git airlock --agent shell run --name bench-big 'true' >/dev/null 2>&1
direct=$(git config remote.sandbox-bench-big.url)
airlock=$(git config remote.airlock-bench-big.url)
full() { rm -rf "$tmp/into" && git init -q "$tmp/into" && git -C "$tmp/into" fetch -q "$1" '+refs/heads/*:refs/remotes/x/*'; }
echo "full fetch, sandbox-<name> daemon: $(runs=3 median_ms full "$direct") ms"
echo "full fetch, airlock-<name>:        $(runs=3 median_ms full "$airlock") ms"
git clone -q --mirror "$direct" "$tmp/inc"
incr() { sbx exec bench-big git commit -q --allow-empty -m more && git -C "$tmp/inc" fetch -q "$1" '+refs/heads/*:refs/heads/*'; }
base=$(median_ms sbx exec bench-big git commit -q --allow-empty -m more)
d=$(median_ms incr "$direct"); a=$(median_ms incr "$airlock")
echo "one-commit fetch (minus the commit's own ${base} ms), daemon: $(awk "BEGIN{print $d-$base}") ms, airlock: $(awk "BEGIN{print $a-$base}") ms"

# inspect_run DIR LABEL: three runs of inspect of DIR's sandbox branch
# airlock-wide-box/work against base, wall time and peak RSS from
# /usr/bin/time.
inspect_cmd() { git airlock --name wide-box inspect --no-fetch -b work base; }
inspect_run() {
  local i
  for i in 1 2 3; do
    ( cd "$1" && /usr/bin/time -f "$2: %e s wall, %U s user + %S s sys, %M KiB max RSS" git airlock --name wide-box inspect --no-fetch -b work base 2>&1 >/dev/null | grep "^$2:" ) || true
  done
}
# as_sandbox_branch COMMIT: COMMIT becomes the fetched branch "work" of a
# sandbox "wide-box" (a registered airlock remote that is never asked).
as_sandbox_branch() {
  git remote add --no-tags airlock-wide-box airlock://wide-box/nowhere
  git update-ref refs/remotes/airlock-wide-box/work "$1"
}

echo "== inspect (branches touching ${SCALE:-1000 10000} files)"
for n in ${SCALE:-1000 10000}; do
  git init -q -b base "$tmp/wide$n" && cd "$tmp/wide$n"
  "$tmp/benchgen" -files "$n" | git fast-import --quiet
  git branch -q -f base main~1 && git checkout -q base
  as_sandbox_branch main
  echo "changed files: $(git diff-tree -r --name-only base main | wc -l)"
  inspect_run "$tmp/wide$n" "inspect $n"
done

echo "== inspect of a one-line change in a ${LARGE:-100000}-file repository, against git diff --stat (interleaved, median of $runs)"
git init -q -b base "$tmp/large" && cd "$tmp/large"
"$tmp/benchgen" -files "${LARGE:-100000}" | git fast-import --quiet
git branch -q -f base main~1 && git checkout -q base
f=$(git ls-files | sed -n 500p) && echo "one more line" >> "$f" && git commit -q -am "one line"
as_sandbox_branch HEAD && git reset -q --hard HEAD~1
inspect_cmd >/dev/null 2>&1 || true # the kept subset of the base (written once per base)
ti=() td=()
for ((i = 0; i < runs; i++)); do
  wall_us inspect_cmd; ti+=("$REPLY")
  wall_us git diff --stat base airlock-wide-box/work; td+=("$REPLY")
done
echo "inspect: $(median_of "${ti[@]}") ms, git diff --stat: $(median_of "${td[@]}") ms"
inspect_run "$tmp/large" "inspect one line of ${LARGE:-100000} files"

echo "== a flooded ref advertisement (a VM-side upload-pack that never stops)"
git init -q -b main "$tmp/flood" && cd "$tmp/flood" && git commit -q --allow-empty -m init
git airlock --agent shell run --name bench-flood 'true' >/dev/null 2>&1
# The agent's own git, first on the VM's PATH: upload-pack advertises as
# many refs as bin/flood-n says (endless when 0), then a flush, and serves
# nothing.
sbx exec bench-flood sh -c 'real=$(command -v git); cat > ../../bin/git <<EOS
#!/bin/sh
for a in "\$@"; do [ "\$a" = upload-pack ] && exec awk -v n="\$(cat "\$(dirname "\$0")/flood-n")" "BEGIN { for (i = 0; n == 0 || i < n; i++) printf \"0043%040d refs/heads/b%09d\\\\n\", 1, i; printf \"0000\" }"; done
exec $real "\$@"
EOS
chmod +x ../../bin/git'
flood() { # flood REFS git-config...: peak RSS of the host's git fetch, KiB
  sbx exec bench-flood sh -c "echo $1 > ../../bin/flood-n"
  /usr/bin/time -f '%M' git -c protocol.version=0 "${@:2}" fetch -q airlock-bench-flood 2>&1 >/dev/null | tail -1
}
echo "1,000,000 refs, no limit (maxRefs=0, maxRefBytes=0): $(flood 1000000 -c airlock.maxRefs=0 -c airlock.maxRefBytes=0) KiB max RSS"
echo "endless, default limits (200000 refs, 64m):          $(flood 0) KiB max RSS"
echo "endless, maxRefs=20000:                              $(flood 0 -c airlock.maxRefs=20000) KiB max RSS"

echo "== inspect (a ${ZERO_MB:-1500} MB all-zero blob, as a file, a package.json and a symlink)"
git init -q -b base "$tmp/zero" && cd "$tmp/zero"
git commit -q --allow-empty -m base
t0=$(date +%s%N)
zero=$("$tmp/benchgen" -zeroblob $(( ${ZERO_MB:-1500} * 1000 * 1000 )) -objects .git/objects)
echo "blob $zero: $(git cat-file -s "$zero") bytes, $(du -k .git/objects/${zero:0:2}/${zero:2} | cut -f1) KiB on disk, written in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
for p in data/zero.bin package.json; do git update-index --add --cacheinfo "100644,$zero,$p"; done
git update-index --add --cacheinfo "120000,$zero,link"
as_sandbox_branch "$(git commit-tree -p base -m zero "$(git write-tree)")"
git read-tree base
inspect_run "$tmp/zero" "inspect zero blob"

echo "== a flooded answer from the VM (rm's survey; the agent's git prints without end)"
git init -q -b main "$tmp/survey" && cd "$tmp/survey" && git commit -q --allow-empty -m init
git airlock --agent shell run --name bench-survey 'git commit -q --allow-empty -m work' >/dev/null 2>&1
# The agent's own git, first on the VM's PATH: for-each-ref (the survey's
# first command) prints bin/flood-bytes bytes of ref lines (endless when
# 0; the real git's answer when the file is empty).
cat >"$tmp/flood-git" <<'EOS'
#!/bin/sh
n=$(cat "$(dirname "$0")/flood-bytes" 2>/dev/null)
for a in "$@"; do
  if [ "$a" = for-each-ref ] && [ -n "$n" ]; then
    [ "$n" = 0 ] && exec yes 'ref 1111111111111111111111111111111111111111  refs/heads/flood'
    yes 'ref 1111111111111111111111111111111111111111  refs/heads/flood' | head -c "$n"
    exit 0
  fi
done
exec @REALGIT@ "$@"
EOS
sbx exec bench-survey sh -c 'sed "s|@REALGIT@|$(command -v git)|" "$0" > ../../bin/git && chmod +x ../../bin/git' "$tmp/flood-git"
survey_rss() { # survey_rss BYTES: peak RSS of `git airlock --dry-run rm` (it surveys, removes nothing), KiB
  sbx exec bench-survey sh -c "echo $1 > ../../bin/flood-bytes"
  /usr/bin/time -f '%M' git airlock --dry-run rm 2>&1 >/dev/null | tail -1
}
echo "no flood (the real survey): $(survey_rss '') KiB max RSS"
echo "256 MiB flood:              $(survey_rss $((256 << 20))) KiB max RSS"
echo "endless flood:              $(survey_rss 0) KiB max RSS"

echo "== ls-remote of ${REFS:-100000} refs: through the remote helper and sbx, against file:// (issue 28)"
git init -q -b main "$tmp/refs" && cd "$tmp/refs" && git commit -q --allow-empty -m init
git airlock --agent shell run --name bench-refs 'true' >/dev/null 2>&1
sbx exec bench-refs sh -c 'h=$(git rev-parse HEAD); i=0; while [ $i -lt "$0" ]; do printf "create refs/heads/b%06d %s\n" $i $h; i=$((i+1)); done | git update-ref --stdin && git pack-refs --all' "${REFS:-100000}"
clone=$(sbx exec bench-refs git rev-parse --show-toplevel)
# cpu_ms CMD...: user + system time of CMD and every process it waited for, in REPLY (ms).
cpu_ms() { /usr/bin/time -o "$tmp/cpu" -f '%U %S' "$@" >/dev/null 2>&1 || true; REPLY=$(awk '{printf "%d", ($1 + $2) * 1000}' "$tmp/cpu"); }
for v in 2 0; do
  # Round robin, so that the machine's drift falls on both sides alike.
  fw=() aw=() fc=() ac=()
  for ((i = 0; i < runs; i++)); do
    wall_us git -c protocol.version=$v ls-remote "file://$clone"; fw+=("$REPLY")
    wall_us git -c protocol.version=$v ls-remote airlock-bench-refs; aw+=("$REPLY")
    cpu_ms git -c protocol.version=$v ls-remote "file://$clone"; fc+=("$((REPLY * 1000))")
    cpu_ms git -c protocol.version=$v ls-remote airlock-bench-refs; ac+=("$((REPLY * 1000))")
  done
  f=$(median_of "${fw[@]}") a=$(median_of "${aw[@]}")
  echo "protocol v$v: wall file:// $f ms, airlock $a ms ($(awk "BEGIN{printf \"%.2f\", $a/$f}")x); CPU file:// $(median_of "${fc[@]}") ms, airlock $(median_of "${ac[@]}") ms"
done
