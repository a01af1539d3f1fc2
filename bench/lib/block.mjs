// A block of runs of one case: n runs with k in flight (k workers, each starting the next run as
// its last one ends), timed from the first start to the last end.
//
// Node-side CPU is process.cpuUsage() — getrusage(RUSAGE_SELF): every thread of this Node process
// (the main thread, libuv's threadpool, V8's GC and compiler threads), never its children (their
// CPU is in RUSAGE_CHILDREN, which cpuUsage does not read) — from the block's start until `settle`
// ms after its end, so work a run leaves behind (cgbox makes its next spare once a run is over)
// is counted with the runs that caused it; the settle is off the wall clock.
import { sleep } from './spawned.mjs';
import { initSpawns } from './init-spawns.mjs';

export async function block(c, n, k, { settle = 0, perRun = false } = {}) {
  if (c.block) return c.block(n, k); // a case run elsewhere (the rootless worker) times itself
  const times = perRun ? [] : undefined;
  const cold0 = initSpawns.cold;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(k, n) }, async () => {
      while (next < n) {
        next++;
        const s = performance.now();
        await c.run();
        times?.push(performance.now() - s);
      }
    }),
  );
  const ms = performance.now() - t0;
  if (settle) await sleep(settle);
  const cpu = process.cpuUsage(cpu0);
  // cgbox's runs that found no spare ready (bench/lib/init-spawns.mjs); 0 for the peers.
  return { ms, cpuUs: cpu.user + cpu.system, cold: initSpawns.cold - cold0, ...(times ? { times } : {}) };
}

/** A forced collection, when Node runs with --expose-gc (the harness re-runs itself with it). */
export function heapAfterGc() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}
