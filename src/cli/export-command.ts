/**
 * `cgbox export oci DIR` and `cgbox export kubernetes`: the sandbox that
 * `cgbox run` would make from the same flags, written as an OCI bundle or
 * printed as a Kubernetes Job. What the engine cannot express goes to
 * stderr (and into the object's cgbox.dev/unexpressed annotation).
 */
import type { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { BUNDLE_ROOTFS, formatUnexpressed, InvalidSpecError, writeOCIBundle } from '../index.js';
import { builderFrom, type RunFlags } from './run-flags.js';

/** Flags of `run` that shape its output, not the sandbox. */
const RUN_OUTPUT = new Set(['--json', '--plot']);

/** The run flags, taken from `run` itself so that both always take the same. */
function runFlags(program: Command): Option[] {
  const run = program.commands.find((c) => c.name() === 'run');
  if (!run) throw new Error('the export commands take the run flags: register `run` first');
  return run.options.filter((o) => !RUN_OUTPUT.has(o.long ?? ''));
}

/**
 * A subcommand with the run flags. `kubernetes` passes options after the command's first word
 * through to it, as `run` does; `oci` cannot — its DIR comes before the flags — so there the
 * command goes after --.
 */
function sandboxCommand(parent: Command, name: string, flags: readonly Option[], passThrough: boolean): Command {
  const c = parent.command(name);
  if (passThrough) c.passThroughOptions();
  for (const o of flags) c.addOption(o);
  return c;
}

const split = (command: string[]) => command as [string, ...string[]];

export function exportCommand(program: Command): void {
  const flags = runFlags(program);
  const exp = program
    .command('export')
    .summary('write the sandbox as an OCI bundle or a Kubernetes Job')
    .description('Write the sandbox that `cgbox run` would make from the same flags for another engine: an OCI bundle (runc, crun, containerd) or a Kubernetes Job.')
    .enablePositionalOptions();

  sandboxCommand(exp, 'oci', flags, false)
    .summary('write an OCI runtime bundle: DIR/config.json (and DIR/rootfs)')
    .argument('<dir>', 'the bundle directory: new, or empty')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .addHelpText(
      'after',
      `
Without --rootfs the bundle's root is DIR/${BUNDLE_ROOTFS}, holding the host's top-level symlinks;
config.json binds the host's directories into it read-only, as the sandbox sees them.
What the bundle cannot express is printed on stderr. Run it with:
  runc run --bundle DIR ID

Examples:
  cgbox export oci ./bundle --memory 256m --pids 64 --cpu-quota 0.5 -- make test
  cgbox export oci ./bundle --rootfs /srv/rootfs --volume /data:64m -- /bin/sh -c 'df -h /data'`,
    )
    .action((dir: string, command: string[], f: RunFlags) => {
      const [file, ...args] = split(command);
      const exported = builderFrom(f).toOCI(file, args);
      const config = writeOCIBundle(dir, exported);
      process.stderr.write(`cgbox: bundle written: ${config}${exported.rootfs.inBundle ? ` and ${dir}/${BUNDLE_ROOTFS}/` : ` (root: ${exported.rootfs.path})`}\n`);
      process.stderr.write(`cgbox: ${formatUnexpressed('bundle', exported.unexpressed)}`);
    });

  sandboxCommand(exp, 'kubernetes', flags, true)
    .summary('print a Kubernetes batch/v1 Job as YAML (--json for JSON)')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .option('--image <image>', 'the container image the command runs in (required)')
    .option('--name <name>', 'the Job\'s name, a DNS label (default: cgbox- and the command\'s name)')
    .option('--json', 'print the Job as JSON instead of YAML')
    .addHelpText(
      'after',
      `
The Job goes to stdout; what it cannot express (pids, block IO, CPU lists, swap…) to stderr.

Examples:
  cgbox export kubernetes --image node:20 --memory 512m --cpu-quota 1 -- npm test | kubectl apply -f -
  cgbox export kubernetes --image debian:12 --name smoke --timeout 60s -- ./smoke.sh`,
    )
    .action((command: string[], f: RunFlags & { image?: string; name?: string }) => {
      const [file, ...args] = split(command);
      // The builder's own check names .toKubernetesJob(); a person at the shell gave no flag.
      if (f.image === undefined) throw new InvalidSpecError('--image', undefined, 'expected the container image the command runs in, one that holds it: --image debian:12, --image node:20');
      const { job, unexpressed } = builderFrom(f).toKubernetesJob(file, args, { image: f.image, ...(f.name !== undefined ? { name: f.name } : {}) });
      process.stdout.write(f.json ? `${JSON.stringify(job, null, 2)}\n` : stringify(job, { lineWidth: 0 }));
      process.stderr.write(`cgbox: ${formatUnexpressed('Job', unexpressed)}`);
    });
}
