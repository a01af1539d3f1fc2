/**
 * The command as the sandbox runs it: its arguments, environment, working
 * directory, root user, Docker's default 14 capabilities with capAdd/capDrop
 * (every one when privileged) and no_new_privs, and the resource limits it
 * inherits from the caller. What an engine's process cannot carry — cgbox's
 * init, the caller's whole environment — is said here for both engines.
 */
import type { SandboxSpec } from '../spec/types.js';
import { keptCapabilities } from '../spec/view.js';
import type { ExportHost } from './host.js';
import type { OciProcess, OciRlimit } from './oci-spec.js';
import type { Unexpressed } from './unexpressed.js';

/** The command is pid 1 in any engine: cgbox's init is not in the object. */
export function initNote(engine: string): Unexpressed {
  return {
    what: "cgbox's init (pid 1 of every sandbox)",
    effect: 'approximated',
    why: `the ${engine} starts the command itself as pid 1 of its pid namespace`,
    instead:
      'a signal the command has no handler for does not end it (the kernel shields pid 1 from those, SIGTERM included), and orphans it does not reap stay zombies until it exits; put an init such as tini in front of the command',
  };
}

/** The variables the sandbox would inherit that an exported object does not carry. */
export function envNote(spec: SandboxSpec, host: ExportHost, carried: string): Unexpressed[] {
  if (!spec.inheritEnv) return [];
  const others = host.envCount - (host.path !== undefined ? 1 : 0);
  if (others <= 0) return [];
  return [
    {
      what: "the caller's environment",
      effect: 'approximated',
      why: `a sandbox starts with the caller's ${others} other variables (tokens and paths of this machine among them), which must not travel with an exported object`,
      instead: `${carried}; name any other with .env(), or say .env(vars, { inherit: false })`,
    },
  ];
}

export function commandEnv(spec: SandboxSpec, host: ExportHost): Record<string, string> {
  return { ...(spec.inheritEnv && host.path !== undefined ? { PATH: host.path } : {}), ...spec.env };
}

/** JSON numbers carry integers exactly up to 2^53; RLIM_INFINITY is 2^64 − 1. */
function rlimits(host: ExportHost): { rlimits: OciRlimit[]; unexpressed: Unexpressed[] } {
  const exact = host.rlimits.filter((r) => Number.isSafeInteger(r.soft) && Number.isSafeInteger(r.hard));
  const unlimited = host.rlimits.filter((r) => !exact.includes(r)).map((r) => r.type);
  const unexpressed: Unexpressed[] = unlimited.length
    ? [
        {
          what: `the inherited limits ${unlimited.join(', ')}`,
          effect: 'approximated',
          why: 'they are unlimited here, and config.json written from JavaScript cannot hold RLIM_INFINITY (2^64 − 1) exactly',
          instead: "the runtime's own limits apply to them (runc: those of its caller; usually unlimited too)",
        },
      ]
    : [];
  return { rlimits: exact, unexpressed };
}

export function ociProcess(spec: SandboxSpec, command: readonly string[], cwd: string, host: ExportHost): { process: OciProcess; unexpressed: Unexpressed[] } {
  const caps = keptCapabilities(spec).map((c) => `CAP_${c}`);
  const limits = rlimits(host);
  const env = commandEnv(spec, host);
  return {
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [...command],
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      cwd,
      // Inheritable and ambient cleared, as cgbox-init does: an exec'd program gains none.
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      ...(limits.rlimits.length ? { rlimits: limits.rlimits } : {}),
      noNewPrivileges: !spec.privileged,
    },
    unexpressed: [initNote('bundle'), ...envNote(spec, host, "the bundle's env is PATH and the .env() variables"), ...limits.unexpressed],
  };
}
