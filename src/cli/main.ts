#!/usr/bin/env node
/**
 * The `cgbox` command: run, doctor, reap. Parsing is commander's; each
 * subcommand lives in its own file and calls the public API only. Every
 * failure of cgbox itself — a usage error, a SandboxError, a bug — exits 125,
 * as `docker run` does, so it cannot be mistaken for the command's status;
 * a command that cannot be executed gives 126, or 127 when it is not found.
 */
import { Command, CommanderError } from 'commander';
import { SandboxError } from '../index.js';
import { doctorCommand } from './doctor-command.js';
import { CGBOX_FAILED, errorStatus } from './exit-status.js';
import { exportCommand } from './export-command.js';
import { reapCommand } from './reap-command.js';
import { runCommand } from './run-command.js';
import { packageVersion } from './version.js';

// A reader that went away (`cgbox run … | head`) must not crash cgbox mid-run and skip teardown.
for (const s of [process.stdout, process.stderr]) s.on('error', () => {});

const program = new Command('cgbox')
  .description('Linux test sandboxes: namespaces, cgroup limits and an exact usage report')
  .version(packageVersion())
  // Options after `run`'s command belong to the command: `cgbox run ls -la` works without --.
  .enablePositionalOptions()
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(`cgbox: ${str.replace(/^error: /, '')}`) });

runCommand(program);
exportCommand(program);
doctorCommand(program);
reapCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and --version end with exit code 0; anything else was a usage error, already printed.
    process.exitCode = e.exitCode === 0 ? 0 : CGBOX_FAILED;
  } else {
    process.stderr.write(e instanceof SandboxError ? `cgbox: ${e.message}\n` : `cgbox: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = errorStatus(e);
  }
}
