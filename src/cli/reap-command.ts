/** `cgbox reap`: remove what crashed runs left behind: cgroups anywhere in the hierarchies, and each resource driver's objects. */
import type { Command } from 'commander';
import { doctorProbe, reapAll } from '../index.js';

export function reapCommand(program: Command): void {
  program
    .command('reap')
    .summary('remove what crashed runs left behind')
    .description('Find what runs named cgbox-<pid>-… left — cgroups in every hierarchy, network namespaces, veths, address leases, mounts, loop devices, volume images and btrfs subvolumes — and remove those whose owner process is gone.')
    .option('--all', 'also remove those of runs whose owner is still alive (kills their tasks)')
    .addHelpText('after', '\nPrints each path removed. Exit status: 0, or 125 when a removal failed.')
    .action(async (flags: { all?: boolean }) => {
      const print = (removed: readonly string[]) => process.stdout.write(removed.length ? removed.map((p) => `removed ${p}\n`).join('') : 'nothing to reap\n');
      try {
        print(await reapAll(doctorProbe(), { deep: true, all: flags.all ?? false }));
      } catch (e) {
        // What could be removed was: say so before the error names the rest.
        print((e as { removed?: string[] }).removed ?? []);
        throw e;
      }
    });
}
