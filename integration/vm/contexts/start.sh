# shellcheck shell=bash
# The places a test runner lives on a systemd host, one function each: job.sh
# starts contexts/runner.sh from each, in its own unit, one after another.
# Sourced by job.sh (and by a CGBOX_VM_JOB script that wants them).
#
#   delegated  a service with Delegate=yes (a container manager's unit; what the
#              VM tier used alone before)
#   scope      a non-delegated transient scope, started from a login session:
#              `systemd-run --scope` as a person at a shell would
#   service    a non-delegated service: a CI runner's (`systemd-run --wait --pipe`)
#   container  a container with its own cgroup namespace and cgroup2 mounted
#              inside, no systemd in it (contexts/container.sh)
#   session    the login session's own scope (pam_systemd), where `sudo npx vitest`
#              runs; not in the default list
#   user       a normal user's login session (runuser -l tester: pam_systemd, the
#              user's own systemd manager): the rootless tests, run as that user
#
# Each runner's unit is named vm-runner-CONTEXT (never cgbox…: the checks after
# a run look for units and cgroups of that name); `session` has logind's name.

CONTEXT_NAMES=(delegated scope service container session user)
CONTEXTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The unit the runner of CONTEXT starts in (session: known once it has started).
context_unit() { # CONTEXT OUT
  case "$1" in
    scope) echo vm-runner-scope.scope ;;
    session | user) runner_unit "$2/runner.cgroup" ;;
    *) echo "vm-runner-$1.service" ;;
  esac
}

# The innermost unit of a /proc/PID/cgroup file (the unified line, else v1's name=systemd one).
runner_unit() { # FILE
  sed -n 's/^0:://p; s/^[0-9]*:name=systemd://p' "$1" 2>/dev/null | head -n 1 | tr '/' '\n' |
    grep -E '\.(service|scope)$' | tail -n 1 || true
}

# Runs the runner of CONTEXT to its end; returns what its launcher returned.
# MAX: seconds the unit may run (RuntimeMaxSec; the session scope has none).
start_context() { # CONTEXT MAX
  local ctx=$1 max=$2 runner="$CONTEXTS_DIR/runner.sh"
  case "$ctx" in
    delegated)
      systemd-run --unit=vm-runner-delegated --wait --pipe -p Delegate=yes -p RuntimeMaxSec="$max" -- bash "$runner" "$ctx" ;;
    service)
      systemd-run --unit=vm-runner-service --wait --pipe -p RuntimeMaxSec="$max" -- bash "$runner" "$ctx" ;;
    scope)
      # runuser -l opens a PAM session (pam_systemd): a login session scope, the
      # user's manager, XDG_SESSION_ID; systemd-run --scope starts from there.
      runuser -l root -c "systemd-run --scope --unit=vm-runner-scope -p RuntimeMaxSec=$max -- bash '$runner' $ctx" ;;
    session)
      runuser -l root -c "bash '$runner' $ctx" ;;
    user)
      # The runner writes its results here, and vite and vitest their caches and the bundled config
      # in the project (root's, on a throwaway disk).
      chmod 0777 "$(dirname "$CONTEXTS_DIR")/$ctx"
      mkdir -p "$PROJECT"/node_modules/{.vite,.vite-temp,.experimental-vitest-cache}
      chown tester "$PROJECT" "$PROJECT/node_modules"
      chown -R tester "$PROJECT"/node_modules/{.vite,.vite-temp,.experimental-vitest-cache}
      # logind starts user@UID.service for the session; its bus may come a moment after the login.
      runuser -l tester -c "for _ in \$(seq 60); do [ -S \"\$XDG_RUNTIME_DIR/bus\" ] && break; sleep 1; done; bash '$runner' $ctx" ;;
    container)
      systemd-run --unit=vm-runner-container --wait --pipe -p Delegate=yes -p RuntimeMaxSec="$max" -- bash "$CONTEXTS_DIR/container.sh" "$ctx" ;;
    *)
      echo "unknown context '$ctx' (known: ${CONTEXT_NAMES[*]})" >&2
      return 2 ;;
  esac
}
