/**
 * The `sandbox` test fixture: the same `sandbox()` as cgbox's, except that
 * whatever a test starts with it is cleaned up after the test, pass or fail —
 * started boxes stopped, runs and b.$ processes still going ended.
 */
import { sandbox as plainSandbox, SandboxBuilder, type SandboxDefaults, type StartedSandbox } from '../index.js';

/** What one test started through its fixture. */
class Tracker {
  readonly boxes = new Set<Promise<StartedSandbox>>();
  readonly runs = new Set<PromiseLike<unknown>>();
  readonly processes = new Set<{ kill(): void } & PromiseLike<unknown>>();
  readonly abort = new AbortController();

  /** Ends every run, stops every box; the first failure of a teardown is thrown. */
  async dispose(): Promise<void> {
    this.abort.abort();
    for (const p of this.processes) p.kill();
    const settled = await Promise.allSettled([
      // A run's own rejection is the test's to handle (it may expect it); only stopping can fail here.
      ...[...this.runs].map((p) => Promise.resolve(p).catch(() => undefined)),
      ...[...this.processes].map((p) => Promise.resolve(p).catch(() => undefined)),
      // A box whose start failed left nothing; one that started is stopped (a no-op once it has ended).
      ...[...this.boxes].map((p) => p.then((box) => box.stop({ graceMs: 500 }), () => undefined)),
    ]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

function withAbort<T extends { signal?: AbortSignal }>(opts: T | undefined, signal: AbortSignal): T {
  return { ...opts, signal: opts?.signal ? AbortSignal.any([opts.signal, signal]) : signal } as T;
}

/** The builder, with start/run/$ tracked; every builder it returns is tracked too. */
function tracked(b: SandboxBuilder, t: Tracker): SandboxBuilder {
  return new Proxy(b, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      switch (prop) {
        case 'start':
          return (file: string, args?: readonly string[], opts?: Parameters<SandboxBuilder['start']>[2]) => {
            const box = target.start(file, args, opts);
            t.boxes.add(box);
            return box;
          };
        case 'run':
          return (file: string, args?: readonly string[], opts?: Parameters<SandboxBuilder['run']>[2]) => {
            const run = target.run(file, args, withAbort(opts, t.abort.signal));
            t.runs.add(run);
            return run;
          };
        case '$':
          return (pieces: TemplateStringsArray, ...args: unknown[]) => {
            const p = target.$(pieces, ...args);
            t.processes.add(p);
            return p;
          };
        default:
          return (...args: unknown[]) => {
            const out = (v as (...a: unknown[]) => unknown).apply(target, args);
            return out instanceof SandboxBuilder ? tracked(out, t) : out;
          };
      }
    },
  });
}

export interface SandboxFixtures {
  /** cgbox's sandbox(), whose started boxes and runs are stopped after the test. */
  sandbox: (defaults?: SandboxDefaults) => SandboxBuilder;
}

/** For test.extend(sandboxFixtures) on a test of your own. */
export const sandboxFixtures = {
  // vitest reads the fixtures a fixture needs from its first parameter: it must be a destructuring.
  // eslint-disable-next-line no-empty-pattern
  sandbox: async ({}, use: (value: SandboxFixtures['sandbox']) => Promise<void>) => {
    const t = new Tracker();
    try {
      await use((defaults) => tracked(plainSandbox(defaults), t));
    } finally {
      await t.dispose();
    }
  },
};
