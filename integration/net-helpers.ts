/** Helpers of the network tests: a started sandbox's address, waiting for a listener, iperf3 runs. */
import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import type { SandboxBuilder, StartedSandbox } from '../src/index.js';

/** eth0's IPv4 address inside a started sandbox. */
export async function addressOf(box: StartedSandbox): Promise<string> {
  const r = await box.exec('ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout);
  if (!m) throw new Error(`no address on eth0: ${r.stdout} ${r.stderr}`);
  return m[1]!;
}

/** Starts `file args` and resolves once it printed `line` (the udpcount receiver prints "ready"). */
export async function startWhenReady(b: SandboxBuilder, file: string, args: string[], line = 'ready'): Promise<StartedSandbox> {
  const out = new PassThrough();
  let seen = '';
  const ready = new Promise<void>((resolve) =>
    out.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.split('\n').includes(line)) resolve();
    }),
  );
  const box = await b.start(file, args, { stdout: out });
  await Promise.race([ready, box.result.then(() => {})]);
  return box;
}

/** Waits until something listens on TCP `port` inside the sandbox (its own /proc/net/tcp{,6}: iperf3 binds [::]). */
export async function waitTcpListen(box: StartedSandbox, port: number): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const r = await box.exec('sh', ['-c', `for i in $(seq 200); do grep -q ":${hex} 0*:0000 0A" /proc/net/tcp /proc/net/tcp6 && exit 0; sleep 0.02; done; exit 1`]);
  expect(r.exitCode, `nothing listens on ${port}`).toBe(0);
}

/** TCP payload per full frame: MSS 1448 (1500 − IP 20 − TCP 20 − timestamps 12) in 1514 bytes of Ethernet. */
export const L2_PER_GOODPUT = 1514 / 1448;

interface IperfJson {
  intervals: Array<{ sum: { seconds: number; bits_per_second: number } }>;
  end: { sum_received?: { bits_per_second: number } };
}

/** Per-second receiver-side goodput (bits/s) of full one-second intervals. */
export function perSecond(json: string): number[] {
  const j = JSON.parse(json) as IperfJson;
  return j.intervals.filter((i) => i.sum.seconds > 0.9).map((i) => i.sum.bits_per_second);
}

/**
 * An iperf3 test between a server sandbox and a client sandbox: returns the
 * per-second goodput of the receiving side (the server's report for client →
 * server, the client's own for -R).
 */
export async function iperf(server: SandboxBuilder, client: SandboxBuilder, opts: { reverse: boolean; seconds: number; clientScript?: string }): Promise<{ perSecond: number[]; clientOut: string }> {
  const box = await server.start('iperf3', ['-s', '-1', '-J']);
  try {
    await waitTcpListen(box, 5201);
    const ip = await addressOf(box);
    const cmd = `iperf3 -c ${ip} -t ${opts.seconds} -J ${opts.reverse ? '-R' : ''}`;
    const c = await client.run('sh', ['-c', opts.clientScript ? `${opts.clientScript}\n${cmd}` : cmd]);
    expect(c.exitCode, c.stderr + c.stdout.slice(-500)).toBe(0);
    const s = await box.result;
    const json = opts.reverse ? c.stdout.slice(c.stdout.indexOf('{')) : s.stdout;
    return { perSecond: perSecond(json), clientOut: c.stdout };
  } finally {
    await box.stop({ graceMs: 200 });
  }
}
