# shellcheck shell=bash
# What job.sh checks from OUTSIDE a context's runner, after it ended: that the
# runner's unit came through (no oom-kill, no SIGTERM), and that nothing of
# cgbox is left anywhere on the host. Sourced (needs start.sh's functions).
#
# Each check appends one line to OUT/checks: "ok CONTEXT: what" or
# "FAIL CONTEXT: what — why" (run.sh counts each FAIL as a failed test).

check() { # OUT CONTEXT ok|FAIL TEXT
  local line
  line="$3 $2: $4"
  echo "$line" >>"$1/checks"
  echo "check: $line"
}

# A cursor at the journal's end, so that the journal checks read only what came after it.
journal_cursor() {
  journalctl -q -n 1 --show-cursor -o cat 2>/dev/null | sed -n 's/^-- cursor: //p'
}

# Everything of cgbox's on the host, one line each: cgroups, units, netns, mounts, processes.
cgbox_leftovers() {
  { find /sys/fs/cgroup -name 'cgbox*' -type d || true; } 2>/dev/null | sed 's/^/cgroup /'
  { systemctl list-units --all --plain --no-legend 'cgbox*' || true; } 2>/dev/null | awk '{print "unit " $1 " (" $3 "/" $4 ")"}'
  { ls /run/netns || true; } 2>/dev/null | awk '/^cgbox-/ {print "netns " $0}'
  awk '$2 ~ /cgbox-/ {print "mount " $2}' /proc/self/mounts
  # One grep for every process (a process per pid costs a second each under emulation).
  local f pid
  for f in $(grep -ls cgbox /proc/[0-9]*/cgroup 2>/dev/null || true); do
    pid=${f#/proc/}
    pid=${pid%/cgroup}
    [ -e "$f" ] || continue
    echo "process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80)) in $(tail -n 1 "$f" 2>/dev/null)"
  done
  return 0
}

outside_checks() { # CONTEXT OUT CURSOR LAUNCHER_STATUS
  local ctx=$1 out=$2 cursor=$3 launched=$4 unit props result state restarts status='' lines left
  : >"$out/checks"
  unit=$(context_unit "$ctx" "$out")
  [ -n "$unit" ] || unit=unknown
  # 1. The runner's unit: stopped by systemd (oom-kill, signal, timeout) is a runner killed.
  props=$(systemctl show -p Result,ActiveState,NRestarts,LoadState "$unit" 2>/dev/null | tr '\n' ' ')
  result=$(sed -n 's/.*Result=\([^ ]*\).*/\1/p' <<<"$props")
  state=$(sed -n 's/.*ActiveState=\([^ ]*\).*/\1/p' <<<"$props")
  restarts=$(sed -n 's/.*NRestarts=\([^ ]*\).*/\1/p' <<<"$props")
  case "$result" in
    success | exit-code | '') ;;
    *) status="its Result is $result" ;;
  esac
  [ "${restarts:-0}" = 0 ] || status="${status:+$status, }restarted $restarts times"
  [ "$state" != active ] || status="${status:+$status, }still active after its runner ended (processes left in it)"
  # LoadState=not-found: a unit that ended well is collected at once; a failed one stays.
  props="$props$(tr "\n" " " 2>/dev/null <"$out/unit.props")"
  if [ -n "$status" ]; then
    check "$out" "$ctx" FAIL "the runner's unit $unit came through — $status ($props)"
  else
    check "$out" "$ctx" ok "the runner's unit $unit came through ($props)"
  fi
  # 2. The runner: SIGTERMed (exit 143), or gone without a word (SIGKILL).
  if [ ! -f "$out/runner.status" ]; then
    check "$out" "$ctx" FAIL "the runner ended by itself — it left no status: killed before vitest returned (launcher exit $launched)"
  else
    read -r status <"$out/runner.status"
    if [[ "$status" == *"sigterm=0"* ]] && [[ "$status" != *"vitest=143 "* ]]; then
      check "$out" "$ctx" ok "the runner ended by itself, not by SIGTERM ($status; launcher exit $launched)"
    else
      check "$out" "$ctx" FAIL "the runner ended by itself — it was sent SIGTERM ($status; launcher exit $launched)"
    fi
  fi
  # 3. The journal: systemd's word on the runner's unit. It notes every OOM kill beneath a unit ("A
  # process of this unit has been killed by the OOM killer"), a delegated one's too; where the unit's
  # OOMPolicy is stop (the default of one that is not delegated), it then stops the unit: "Failed
  # with result 'oom-kill'". A note under OOMPolicy=continue is a sandbox's own OOM kill, let be.
  # (The unit's OOMPolicy as the runner read it: a unit that ended well is gone now.)
  local policy notes stops
  policy=$(sed -n 's/^OOMPolicy=//p' "$out/unit.props" 2>/dev/null)
  [ -n "$policy" ] || policy=$(sed -n 's/.*OOMPolicy=\([^ ]*\).*/\1/p' <<<"$props")
  lines=$(journalctl -q --no-pager ${cursor:+--after-cursor="$cursor"} -o cat -u "$unit" 2>/dev/null || true)
  notes=$(grep -c 'killed by the OOM killer' <<<"$lines" || true)
  stops=$(grep -e "Failed with result 'oom-kill'" <<<"$lines" || true)
  if [ -n "$stops" ] || { [ "$notes" != 0 ] && [ "$policy" != continue ]; }; then
    check "$out" "$ctx" FAIL "the journal has no OOM-killer line for $unit (OOMPolicy=${policy:-?}) — it says: $(grep -e 'killed by the OOM killer' -e "Failed with result" <<<"$lines" | sort | uniq -c | sed 's/^ *\([0-9]*\) /\1× /' | tr '\n' '|' | sed 's/|$//; s/|/ | /g')"
  elif [ "$notes" != 0 ]; then
    check "$out" "$ctx" ok "the journal has no OOM stop of $unit ($notes× \"A process of this unit has been killed by the OOM killer\": sandboxes' own, under OOMPolicy=continue)"
  else
    check "$out" "$ctx" ok "the journal has no OOM-killer line for $unit"
  fi
  # Other units' lines (a delegated scope of cgbox's own, say) are not the runner's: shown, not judged.
  lines=$(journalctl -q --no-pager ${cursor:+--after-cursor="$cursor"} -o cat SYSLOG_IDENTIFIER=systemd 2>/dev/null |
    grep -e "killed by the OOM killer" -e "oom-kill" | grep -v "^$unit: " | sort | uniq -c || true)
  [ -z "$lines" ] || echo "$lines" | sed "s/^/check: (other units) /"
  # 4. Nothing of cgbox's left: cgroups anywhere in /sys/fs/cgroup, transient units and scopes, netns, mounts, processes.
  left=$(cgbox_leftovers)
  if [ -n "$left" ]; then
    check "$out" "$ctx" FAIL "nothing of cgbox is left on the host — left: $(tr '\n' '|' <<<"$left" | sed 's/|$//; s/|/ | /g')"
  else
    check "$out" "$ctx" ok "nothing of cgbox is left on the host (no cgbox* cgroup, unit, netns, mount or process)"
  fi
}

# After a context that left things or failed its unit: what a person would do,
# so that the next context starts on a clean host (and is judged on its own).
clean_after() { # CONTEXT OUT
  local ctx=$1 unit
  unit=$(context_unit "$ctx" "$2")
  [ -z "$unit" ] || systemctl reset-failed "$unit" 2>/dev/null || true
  [ -n "$(cgbox_leftovers)" ] || return 0
  echo "job: $ctx left things behind: cgbox reap, and its units stopped"
  systemctl stop 'cgbox*' 2>/dev/null || true
  (cd "$PROJECT" && node dist/cli/main.js reap 2>&1 | sed 's/^/  /') || true
  systemctl reset-failed 'cgbox*' 2>/dev/null || true
  local still
  still=$(cgbox_leftovers)
  [ -z "$still" ] || echo "job: still there after the reap (the next context's check will show them):"$'\n'"$(sed 's/^/  /' <<<"$still")"
}
