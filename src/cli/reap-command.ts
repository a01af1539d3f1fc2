/** `cgbox reap`: remove the cgroups that crashed runs left behind, anywhere in the hierarchies. */
import type { Command } from 'commander';
import { doctorProbe, reapAll } from '../index.js';

export function reapCommand(program: Command): void {
  program
    .command('reap')
    .summary('remove cgroups left by crashed runs')
    .description('Find cgroups named cgbox-<pid>-… in every hierarchy and remove those whose owner process is gone.')
    .option('--all', 'also remove those of runs whose owner is still alive (kills their tasks)')
    .addHelpText('after', '\nPrints each path removed. Exit status: 0, or 125 when a removal failed.')
    .action(async (flags: { all?: boolean }) => {
      const removed = await reapAll(doctorProbe(), { deep: true, all: flags.all ?? false });
      process.stdout.write(removed.length ? removed.map((p) => `removed ${p}\n`).join('') : 'nothing to reap\n');
    });
}
