# Shared by docs/bench.sh and docs/bench-flows.sh (sourced, not run).

# usec: the wall clock in microseconds. bash 5's EPOCHREALTIME costs no
# process; `date` (older bash) adds its own start to every measurement.
usec() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    REPLY=${EPOCHREALTIME/[.,]/}
  else
    REPLY=$(($(date +%s%N) / 1000))
  fi
}

# wall_us CMD...: one run's wall time in microseconds, in REPLY.
wall_us() {
  local t0
  usec; t0=$REPLY
  "$@" >/dev/null 2>&1 || true
  usec; REPLY=$((REPLY - t0))
}

# median_of US...: the median of microsecond times, in milliseconds.
median_of() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

# median_ms CMD...: median wall time of $runs runs, in milliseconds.
median_ms() {
  local i times=()
  for ((i = 0; i < runs; i++)); do
    wall_us "$@"; times+=("$REPLY")
  done
  median_of "${times[@]}"
}
