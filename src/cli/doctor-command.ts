/** `cgbox doctor`: the host's checks as a table; exit 1 when an essential one fails. */
import type { Command } from 'commander';
import { doctor, doctorProbe, essentialsPass, probeTools, type Check } from '../index.js';
// Not yet exported from the package root: see the CLI's report to the lead.

function mark(c: Check): string {
  if (c.ok) return '✓';
  return c.essential ? '✗' : '!';
}

export function formatChecks(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.feature.length));
  const lines = checks.flatMap((c) => [
    `${mark(c)} ${c.feature.padEnd(width)}  ${c.detail}`,
    ...(c.fix ? [`  ${' '.repeat(width)}  fix: ${c.fix}`] : []),
  ]);
  const verdict = essentialsPass(checks)
    ? 'cgbox can run sandboxes on this host (! = optional feature missing)'
    : 'cgbox cannot run sandboxes on this host: fix the ✗ lines';
  return `${lines.join('\n')}\n\n${verdict}\n`;
}

export function doctorCommand(program: Command): void {
  program
    .command('doctor')
    .summary('what this host supports, and the fix for what it does not')
    .description('Check root, cgroups, controllers, swap accounting, kernel features and tools that cgbox needs.')
    .option('--json', 'print { ok, kernel, checks } as JSON')
    .addHelpText('after', '\nMarks: ✓ ok, ✗ missing and needed by every run, ! missing and needed only by some features.\nExit status: 0 when every essential check passes, 1 otherwise.')
    .action((flags: { json?: boolean }) => {
      const caps = doctorProbe();
      const checks = doctor(caps, probeTools());
      const ok = essentialsPass(checks);
      if (flags.json) process.stdout.write(JSON.stringify({ ok, kernel: caps.kernel, checks }, null, 2) + '\n');
      else process.stdout.write(`cgbox doctor: Linux ${caps.kernel}, cgroup ${caps.cgroupMode}\n\n${formatChecks(checks)}`);
      process.exitCode = ok ? 0 : 1;
    });
}
