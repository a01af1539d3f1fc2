// Cost per sandbox at 10, 100 and 1,000 in a row (one at a time, back to back): it must stay
// flat — a per-run cost that grows with the runs before it (a list that grows, a leak, a cgroup
// or device left behind) shows here. Blocks of the cases alternate, sizes in turn, `rounds` times.
// For each block: ms per sandbox (wall / n), the median of its first and last tenth, Node's CPU per
// sandbox, and the heap it kept (heapUsed after a forced GC, after minus before, over n).
import { block, heapAfterGc } from '../block.mjs';
import { median, summary } from '../stats.mjs';

export const SIZES = [10, 100, 1000];

export async function flatness(cases, { rounds, settleMs, progress, failed }) {
  const acc = {};
  for (const c of cases) for (const n of SIZES) (acc[c.id] ??= {})[n] = { ms: [], cpu: [], heap: [], first: [], last: [] };
  for (let r = 0; r < rounds; r++) {
    for (const n of SIZES) {
      for (const c of cases) {
        if (c.error) continue;
        try {
          const a = acc[c.id][n];
          const h0 = heapAfterGc();
          const b = await block(c, n, 1, { settle: settleMs, perRun: true });
          if (b.times) {
            const tenth = Math.max(1, Math.floor(n / 10));
            a.first.push(median(b.times.slice(0, tenth)));
            a.last.push(median(b.times.slice(-tenth)));
            b.times = undefined; // the bench's own array is not the sandboxes' heap
          }
          const h1 = heapAfterGc();
          a.ms.push(b.ms / n);
          a.cpu.push(b.cpuUs / 1000 / n);
          a.heap.push((h1 - h0) / n);
        } catch (e) {
          failed(c, e, `${n} in a row`);
        }
      }
      progress(`in a row: ${n} (round ${r + 1}/${rounds})`);
    }
  }
  const out = {};
  for (const c of cases.filter((c) => !c.error)) {
    out[c.id] = Object.fromEntries(
      SIZES.map((n) => {
        const a = acc[c.id][n];
        return [n, { msPerRun: summary(a.ms), cpuMsPerRun: summary(a.cpu), heapBytesPerRun: summary(a.heap), firstTenthMs: summary(a.first), lastTenthMs: summary(a.last) }];
      }),
    );
  }
  return out;
}
