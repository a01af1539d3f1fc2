/**
 * `cgbox run`: build the sandbox from the flags, run the command with its
 * output streamed live, then print the report (human to stderr, or JSON to
 * stdout) and hand back the command's exit status.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatReport, SHAPING_MODE_NAMES, toSVG, VOLUME_DRIVERS } from '../index.js';
import { exitStatus } from './exit-status.js';
import { holdSignals } from './hold-signals.js';
import { builderFrom, type RunFlags } from './run-flags.js';

// No default ([]) given to commander: it would print "(default: [])" in the help.
const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

async function run(command: string[], flags: RunFlags): Promise<number> {
  const builder = builderFrom(flags); // throws InvalidSpecError before anything exists
  const [file, ...args] = command as [string, ...string[]];
  const held = holdSignals((line) => process.stderr.write(line + '\n'));
  let result;
  try {
    // With --json, stdout carries only the JSON: the command's stdout is in it.
    result = await builder.run(file, args, { ...(flags.json ? {} : { stdout: process.stdout }), stderr: process.stderr, signal: held.signal });
  } finally {
    held.release();
  }
  if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else process.stderr.write(`cgbox: report\n${formatReport(result)}`);
  if (flags.plot !== undefined) {
    writeFileSync(flags.plot, toSVG(result));
    process.stderr.write(`cgbox: timeline plot written to ${flags.plot}\n`);
  }
  return exitStatus(result);
}

export function runCommand(program: Command): void {
  program
    .command('run')
    .summary('run a command in a sandbox and report what it used')
    .description('Run a command in fresh namespaces under cgroup limits; print its usage report and exit with its status.')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .option('--cpus <list>', 'CPUs it may run on, a cpuset list: 0-1,3')
    .option('--cpu-shares <n>', "relative CPU weight, Docker's scale (1024 = default)")
    .option('--cpu-quota <cpus>', 'CPU time as a number of CPUs: 0.5 = half of one')
    .option('--memory <size>', 'hard memory limit: 64m, 1g, or bytes')
    .option('--swap <size>', 'swap allowed on top of --memory (default: none)')
    .option('--pids <n>', 'most tasks at once')
    .option('--iops <dev:n>', 'IO operations/s on a disk; also DEV:read=N, DEV:write=N (repeatable)', collect)
    .option('--bps <dev:rate>', 'bytes/s on a disk: DEV:10m; also DEV:read=R, DEV:write=R (repeatable)', collect)
    .option('--net <mode>', 'none (own network namespace, loopback only; the default), host, bridge[=NAME] (eth0 on a host bridge, default cgbox0) or ovs=NAME')
    .option('--address <cidr>', 'the sandbox\'s address on the bridge, e.g. 10.88.3.7/16 (default: a free one)')
    .option('--bandwidth <rate>', 'shape its traffic on the host side: 10mbit both ways, or egress=10mbit,ingress=1mbit')
    .option('--shaping <where>', `where what it sends is shaped: ${SHAPING_MODE_NAMES.join(' or ')} (default ${SHAPING_MODE_NAMES[0]}; see the README's Networking)`)
    .option('--hostname <name>', 'hostname inside (default: the run name)')
    .option('--env <k=v>', 'environment variable on top of the caller\'s (repeatable)', collect)
    .option('--cwd <dir>', 'working directory of the command')
    .option('--timeout <dur>', 'end the run after 10s, 300ms, 2m (a bare number is ms): SIGTERM, then SIGKILL 2s later')
    .option('--json', 'print the whole result as JSON on stdout (the command\'s stdout is inside it, not streamed)')
    .option('--plot <file.svg>', 'sample memory and CPU every 50ms and draw the timeline, with the limits, as SVG into this file')
    .option('--volume <path:size[:driver]>', `a disposable volume at PATH inside, of SIZE; DRIVER ${VOLUME_DRIVERS.join(', ')} (default auto) (repeatable)`, collect)
    .option('--rootfs <dir>', 'run inside a copy-on-write copy of DIR as / (fresh /proc, minimal /dev)')
    .option('--writable <path>', "a host path the sandbox may write (the host's root is read-only inside; repeatable)", collect)
    .option('--bind <host[:inside][:ro]>', 'a host path seen inside at INSIDE (default: the same path), read-write unless :ro (repeatable)', collect)
    .option('--device <path>', 'a host device node passed through, e.g. /dev/kvm (repeatable)', collect)
    .option('--cap-add <cap>', "a capability on top of Docker's default 14: NET_ADMIN, SYS_PTRACE, ALL (repeatable)", collect)
    .option('--cap-drop <cap>', 'a capability taken away (repeatable)', collect)
    .option('--privileged', "the old view: the host's root writable, every capability, the host's /dev; the report says so")
    .passThroughOptions()
    .addHelpText(
      'after',
      `
DEV is /dev/vda, a partition (its whole disk is throttled), MAJ:MIN (254:0) or a path on a disk.

The command's stdout and stderr stream live; its stdin is /dev/null (not forwarded).
The report goes to stderr after a "cgbox: report" line; with --json the result goes to stdout.

Exit status: the command's exit code; 128+N when it was killed by signal N (137 for an OOM
kill, 143 for a --timeout's SIGTERM); 126 when the command cannot be executed, 127 when it is
not found; 125 when cgbox itself failed (bad flag or value, the host cannot do it, not root, a
setup step failed) and the command did not run.

Signals: while the run is going, cgbox catches SIGINT, SIGTERM and SIGHUP so that it can
always tear the sandbox down. A terminal's ^C or hang-up reaches the command too (same
process group), which decides how it ends; a SIGTERM sent to cgbox's pid alone ends the run
as --timeout does (SIGTERM to every task, SIGKILL after the grace period).

Examples:
  cgbox run --memory 256m --cpu-quota 0.5 -- make -j2
  cgbox run --json --timeout 10s -- node build.js > result.json
  cgbox run --memory 128m --plot timeline.svg -- node build.js
  cgbox run --iops 254:0:read=100 --bps /dev/vda:write=10m -- ./io-test
  cgbox run --volume /tmp/scratch:100m:btrfs --iops volume:100 -- ./io-test /tmp/scratch
  cgbox run --rootfs /srv/rootfs --volume /data:1g -- /bin/sh -c 'df -h /data'
  cgbox run --net bridge --bandwidth 10mbit -- iperf3 -c 10.88.0.2`,
    )
    .action(async (command: string[], flags: RunFlags) => {
      process.exitCode = await run(command, flags);
    });
}
