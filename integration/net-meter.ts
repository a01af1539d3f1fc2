/**
 * A shaped transfer measured where the shaper's output is exact: the byte
 * counter of the receiver's host-side veth (its tx: the frames handed to the
 * receiver's eth0, after every shaper on the way), sampled by this process.
 * A reader's own per-second reports are not: a receiver that waits for CPU
 * reads two seconds' bytes in one (measured: 11.96 Mbit/s "in one second"
 * through a 10 Mbit/s shaper), and starves the next.
 *
 * Each sample is bracketed by the clock before and after the read, so a
 * window between two samples is bounded from both sides whatever the delay:
 * a ceiling takes it at its longest, a floor at its shortest, and a late read
 * never makes a window look fuller, or emptier, than it was.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { SandboxBuilder } from '../src/index.js';
import { netNames } from '../src/net/names.js';
import { type CpuSample, watchCpu } from './load.js';
import { addressOf, perSecond, waitTcpListen } from './net-helpers.js';

export interface CounterSample {
  /** performance.now() just before and just after the read. */
  before: number;
  after: number;
  /** Ethernet bytes on the wire so far (see wireBytes). */
  bytes: number;
}

/** Full TCP segments here: MSS 1448 behind 66 bytes of Ethernet, IPv4 and TCP (with timestamps) headers. */
const MSS = 1448;
const HEADERS = 66;

/**
 * Bytes as a shaper charges them, from a veth's byte and packet counters. A
 * veth counts a TCP super-frame (GSO, up to 64 KiB) once, with its headers
 * once; tbf splits those into frames before it sends them, htb does not, but
 * both charge every frame's headers (the qdisc layer counts GSO segments).
 * For full segments (bulk TCP) this is exact either way: a 1514-byte frame
 * stays 1514, a super-frame of n segments becomes n × 1514.
 */
export function wireBytes(txBytes: number, txPackets: number): number {
  return ((txBytes - HEADERS * txPackets) * (MSS + HEADERS)) / MSS;
}

/** Samples a device's tx counters every `everyMs` until stopped (or the device is gone). */
export function sampleCounter(dev: string, everyMs = 20): { stop(): CounterSample[] } {
  const samples: CounterSample[] = [];
  const dir = `/sys/class/net/${dev}/statistics`;
  const take = () => {
    const before = performance.now();
    let bytes: number;
    let packets: number;
    try {
      bytes = Number(readFileSync(`${dir}/tx_bytes`, 'utf8'));
      packets = Number(readFileSync(`${dir}/tx_packets`, 'utf8'));
    } catch {
      return; // torn down
    }
    samples.push({ before, after: performance.now(), bytes: wireBytes(bytes, packets) });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/**
 * The most the transfer carried above `bytesPerMs` × time, over every window
 * from sample `from` to a later one, each at its longest possible length (a
 * late read never adds to it). `from` should be a moment when nothing was in
 * flight past the shaper — before the bulk began: a frame the shaper let
 * through is counted when a kernel thread hands it on, which on a loaded
 * machine can be late, so a window starting mid-transfer could see frames
 * released before it; one starting before the first can only see them late.
 */
export function worstExcess(s: CounterSample[], bytesPerMs: number, from: number): { excess: number; at: number } {
  let worst = { excess: -Infinity, at: from };
  for (let j = from + 1; j < s.length; j++) {
    const excess = s[j]!.bytes - s[from]!.bytes - bytesPerMs * (s[j]!.after - s[from]!.before);
    if (excess > worst.excess) worst = { excess, at: j };
  }
  return worst;
}

/**
 * The bulk transfer: `first`, the first sample past `quietBytes` of the
 * starting count; `before`, the last sample before it still within
 * `quietBytes / 4` (only the test's control messages had passed: the shaper's
 * bucket was full and nothing was in flight); `last`, the last sample
 * `quietBytes` short of the final count (the control messages after the end
 * are smaller than that).
 */
export function bulkSpan(s: CounterSample[], quietBytes: number): { before: number; first: number; last: number } {
  const start = s[0]!.bytes;
  const end = s[s.length - 1]!.bytes;
  const first = s.findIndex((x) => x.bytes - start >= quietBytes);
  let before = Math.max(first - 1, 0);
  while (before > 0 && s[before]!.bytes - start > quietBytes / 4) before--;
  let last = s.length - 1;
  while (last > 0 && end - s[last]!.bytes < quietBytes) last--;
  return { before, first, last };
}

/** Bytes between samples i and j, and the shortest the window can have been (a floor's view). */
export function windowBetween(s: CounterSample[], i: number, j: number): { bytes: number; ms: number } {
  return { bytes: s[j]!.bytes - s[i]!.bytes, ms: s[j]!.before - s[i]!.after };
}

/** Index of the first sample at least `ms` after sample i. */
export function sampleAfter(s: CounterSample[], i: number, ms: number): number {
  const k = s.findIndex((x, n) => n > i && x.before - s[i]!.after >= ms);
  return k < 0 ? s.length - 1 : k;
}

export interface MeteredTransfer {
  /** The receiver's host veth tx counters over the whole run, in wire bytes. */
  samples: CounterSample[];
  /** The machine's CPU times over the transfer: whether it had room for the tight floor. */
  machine: CpuSample[];
  /** iperf3's own per-second receiver goodput, for the console only. */
  iperfPerSecond: number[];
}

let transfers = 0;

/**
 * iperf3 between a server and a client sandbox, the client sending (or,
 * `reverse`, receiving), metered on the receiver's host veth. The client is
 * started rather than run, so that its devices are known while it runs, and
 * it waits for a flag file before it sends: the meter's first sample comes
 * before the first frame, so windows from it see everything the shaper let
 * through (a frame released before a window but counted late, by a kernel
 * thread waiting for CPU, would make a window starting mid-transfer look
 * fuller than the shaper made it).
 */
export async function meteredIperf(server: SandboxBuilder, client: SandboxBuilder, opts: { reverse: boolean; seconds: number; clientScript?: string }): Promise<MeteredTransfer> {
  const go = `/tmp/cgbox-test-net-go-${process.pid}-${transfers++}`;
  const srv = await server.start('iperf3', ['-s', '-1', '-J']);
  try {
    await waitTcpListen(srv, 5201);
    const ip = await addressOf(srv);
    const cmd = `while [ ! -e ${go} ]; do sleep 0.02; done; iperf3 -c ${ip} -t ${opts.seconds} -J ${opts.reverse ? '-R' : ''}`;
    const cli = await client.start('sh', ['-c', opts.clientScript ? `${opts.clientScript}\n${cmd}` : cmd]);
    const receiver = opts.reverse ? cli : srv;
    const meter = sampleCounter(netNames(receiver.name).hostVeth);
    const cpu = watchCpu();
    writeFileSync(go, '');
    let samples: CounterSample[];
    let machine: CpuSample[];
    let c;
    try {
      c = await cli.result;
    } finally {
      samples = meter.stop();
      machine = await cpu.stop();
      rmSync(go, { force: true });
    }
    if (c.exitCode !== 0) throw new Error(`iperf3 client failed (${c.exitCode}): ${c.stderr}${c.stdout.slice(-500)}`);
    const s = await srv.result;
    const json = opts.reverse ? c.stdout.slice(c.stdout.indexOf('{')) : s.stdout;
    return { samples, machine, iperfPerSecond: perSecond(json) };
  } finally {
    await srv.stop({ graceMs: 200 });
  }
}
