# shellcheck shell=bash
# Shared by the VM tier's scripts: steps that say they are alive, and say
# where they failed. Sourced, not run.

VM_T0=${VM_T0:-$SECONDS}

# "[ 1m05s]" since the runner started.
elapsed() {
  local s=$((SECONDS - VM_T0))
  printf '[%2dm%02ds]' $((s / 60)) $((s % 60))
}

say() { printf '%s %s\n' "$(elapsed)" "$*"; }

# fail STEP LOG [LINES]: names the step and shows the tail of its log.
fail() {
  local step=$1 log=${2:-} lines=${3:-40}
  printf '%s ✗ vm tier: step "%s" failed\n' "$(elapsed)" "$step" >&2
  if [ -n "$log" ] && [ -s "$log" ]; then
    printf -- '--- last %s lines of %s ---\n' "$lines" "$log" >&2
    tail -n "$lines" "$log" | sed 's/^/  | /' >&2
    printf -- '---\n' >&2
  fi
}

# run_step STEP LOG CMD...: runs CMD with its output in LOG; every 15 s a line
# with the elapsed time and the log's last line; on failure, fail().
run_step() {
  local step=$1 log=$2
  shift 2
  local t0=$SECONDS
  say "▶ $step"
  "$@" >"$log" 2>&1 &
  local pid=$! status=0 next=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$SECONDS" -ge "$next" ]; then
      local last
      last=$(tail -n 1 "$log" 2>/dev/null | cut -c1-110)
      say "  … $step: $((SECONDS - t0))s${last:+ — $last}"
      next=$((SECONDS + 15))
    fi
  done
  wait "$pid" || status=$?
  if [ "$status" -ne 0 ]; then
    fail "$step" "$log"
    return "$status"
  fi
  say "✓ $step ($((SECONDS - t0))s)"
}
