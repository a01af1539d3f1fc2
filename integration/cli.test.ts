/**
 * The built `cgbox` CLI, run as a user would: `node dist/cli/main.js …` as
 * root. Needs `npm run build` first (and the fixtures): it fails, not skips,
 * when they are missing, so a stale or absent build cannot pass unnoticed.
 *
 * Host tier only: the CLI's flags and exit statuses do not depend on the cgroup version; the VM tier
 * runs doctor in every context.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers } from './leftovers.js';
import { wellBefore } from './wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
for (const [file, how] of [
  [CLI, 'npm run build'],
  [`${ROOT}fixtures/bin/alloc`, 'bash fixtures/build.sh'],
]) {
  if (!existsSync(file!)) throw new Error(`${file} is missing: run \`${how}\` before the integration tests`);
}

// Generous: at load 10 on 2 cores one CLI run takes up to 10 s, most of it node starting up.
const cgbox = (...args: string[]) => execa('node', [CLI, ...args], { cwd: ROOT, reject: false, timeout: 45_000 });

/** The report's "Wall time:" line, in ms. */
function wallTimeMs(report: string): number {
  const m = /\tWall time: ([\d.]+) (ms|s)\n/.exec(report);
  if (!m) throw new Error(`no wall time in the report:\n${report}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

afterAll(async () => {
  expect(await leftovers()).toEqual([]);
});

describe('cgbox run', () => {
  it("exits with the command's exit code and prints the report to stderr", async () => {
    const r = await cgbox('run', '--', 'sh', '-c', 'echo out; exit 3');
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('out');
    expect(r.stderr).toMatch(/^cgbox: report\n\tCommand: sh -c "echo out; exit 3"\n\tOutcome: exited with 3\n/);
  });

  it('an OOM kill exits 137, and --json shows oomKilled and SIGKILL', async () => {
    const human = await cgbox('run', '--memory', '64m', '--', 'fixtures/bin/alloc', '100');
    expect(human.exitCode).toBe(137);
    expect(human.stderr).toContain('Outcome: killed by SIGKILL (OOM kill)');

    const r = await cgbox('run', '--json', '--memory', '64m', '--', 'fixtures/bin/alloc', '100');
    expect(r.exitCode).toBe(137);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', oomKilled: true, ok: false });
    expect(result.limits.memory.value).toBe(64 * 2 ** 20);
  });

  it("--json puts the command's stdout inside the JSON, not beside it", async () => {
    const r = await cgbox('run', '--json', '--', 'echo', 'hi');
    expect(r.exitCode).toBe(0);
    const result = JSON.parse(r.stdout); // the whole of stdout is one JSON document
    expect(result).toMatchObject({ command: ['echo', 'hi'], exitCode: 0, signal: null, stdout: 'hi\n', ok: true });
    expect(r.stderr).toBe('');
  });

  it("a bad value exits 125 with the builder's message naming the method", async () => {
    const r = await cgbox('run', '--memory', 'lots', '--', 'true');
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/^cgbox: \.memory\("lots"\): expected/);
    expect((await cgbox('run', '--no-such-flag', '--', 'true')).exitCode).toBe(125);
  });

  it('a command that is not found exits 127, as in a shell', async () => {
    const r = await cgbox('run', '--', 'no-such-command-cgbox');
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/^cgbox: setup step 'exec' failed: no-such-command-cgbox: No such file or directory/);
  });

  it('--timeout ends the command with SIGTERM: exit 143, well before the command would have ended', async () => {
    // sleep 30 would hold the CLI for 30 s; the CLI's own start-up is what a busy machine slows
    // (seconds of node and module loading at load 10 on 2 cores), so the run's wall time — from the
    // report — is what the timeout bounds. Past the sleep's 30 s, execa ends the CLI and the exit code says so.
    const t0 = performance.now();
    const r = await cgbox('run', '--timeout', '300ms', '--', 'sleep', '30');
    const cliMs = performance.now() - t0;
    expect(r.exitCode).toBe(143);
    expect(r.stderr).toContain('Outcome: killed by SIGTERM (timed out)');
    const wallMs = wallTimeMs(r.stderr);
    console.log(`--timeout 300ms: the run took ${wallMs} ms, the whole CLI ${cliMs.toFixed(0)} ms`);
    expect(wallMs).toBeGreaterThanOrEqual(300);
    expect(wallMs).toBeLessThan(wellBefore(30_000));
  });

  it("options after the command are the command's (no -- needed)", async () => {
    const r = await cgbox('run', '--json', 'ls', '-d', '/');
    expect(JSON.parse(r.stdout).stdout).toBe('/\n');
  });
});

describe('cgbox run under signals', () => {
  /** Starts the CLI in its own process group, as a shell's job, and resolves once the command has printed. */
  function job(cmd: string) {
    const child = spawn('node', [CLI, 'run', '--', 'sh', '-c', `echo started; ${cmd}`], { cwd: ROOT, detached: true });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const started = new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => c.toString().includes('started') && resolve()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, started, exited, stderr: () => stderr };
  }

  it("a terminal's ^C (SIGINT to the process group) ends the run with 130 and tears it down", async () => {
    const j = job('sleep 10');
    await j.started;
    process.kill(-j.child.pid!, 'SIGINT');
    expect(await j.exited).toBe(130);
    expect(j.stderr()).toContain('Outcome: killed by SIGINT');
    expect(await leftovers()).toEqual([]);
  });

  it('SIGTERM to the CLI alone ends the run as a timeout would, and tears it down', async () => {
    const j = job('sleep 30; exit 4');
    await j.started;
    const t0 = performance.now();
    j.child.kill('SIGTERM');
    expect(await j.exited).toBe(143); // the command's own SIGTERM, not its `exit 4` 30 s later
    expect(performance.now() - t0).toBeLessThan(wellBefore(30_000));
    expect(j.stderr()).toContain('cgbox: SIGTERM received: ending the sandbox');
    expect(await leftovers()).toEqual([]);
  });
});

describe('cgbox doctor, reap, --version', () => {
  it('doctor passes on this host and reports swap accounting', async () => {
    const r = await cgbox('doctor');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^✓ root /m);
    expect(r.stdout).toMatch(/^[✓!] swap accounting /m);
    const json = JSON.parse((await cgbox('doctor', '--json')).stdout);
    expect(json.ok).toBe(true);
    expect(json.checks.map((c: { feature: string }) => c.feature)).toContain('swap accounting');
  });

  it('reap exits 0', async () => {
    const r = await cgbox('reap');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^(nothing to reap|removed )/);
  });

  it('--version prints package.json\'s version', async () => {
    const r = await cgbox('--version');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
