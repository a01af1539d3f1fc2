/**
 * Plans kept for the next run with the same context. A plan is a function of
 * its context and of what the host answered while it was made, and nothing
 * else: a kept plan comes with every one of those answers, and is handed back
 * only while asking the host again gives the same ones (a few dozen lookups,
 * most from host-fs.ts's cached root). Planning afresh each run, and then
 * comparing the run's plan with its spare's op by op (src/launch/standby.ts),
 * was a tenth of a run's time on Node's thread; a kept plan is also the same
 * array each time, so that comparison is made once.
 */
import { planView, preparedView } from './plan.js';
import type { HostFs, ViewContext, ViewOp } from './types.js';

type Method = keyof HostFs;
type Answer = { value: unknown } | { threw: true };

interface Asked {
  method: Method;
  path: string;
  answer: Answer;
}

interface Kept {
  ops: readonly ViewOp[];
  asked: Asked[];
}

/** Plans differ by context (binds, volumes, devices…): a process keeps a few. */
const MOST_KEPT = 32;

const kept = new WeakMap<HostFs, Map<string, Kept>>();

function ask(host: HostFs, method: Method, path: string): Answer {
  try {
    return { value: host[method](path) };
  } catch {
    return { threw: true };
  }
}

const sameValue = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;

const sameAnswer = (a: Answer, b: Answer): boolean => ('threw' in a ? 'threw' in b : !('threw' in b) && sameValue(a.value, b.value));

/** The host, with each answer it gives noted (a throw rethrown, as the planner expects). */
function noting(host: HostFs, asked: Asked[]): HostFs {
  const noted =
    <M extends Method>(method: M) =>
    (path: string): ReturnType<HostFs[M]> => {
      const answer = ask(host, method, path);
      asked.push({ method, path, answer });
      if ('threw' in answer) return host[method](path) as ReturnType<HostFs[M]>; // the host's own error, for the planner
      // A copy for the planner, which may sort a listing in place: the noted answer stays as the host gave it.
      return (Array.isArray(answer.value) ? [...answer.value] : answer.value) as ReturnType<HostFs[M]>;
    };
  return { kind: noted('kind'), readlink: noted('readlink'), list: noted('list'), mode: noted('mode') };
}

function remembered(host: HostFs, key: string, plan: (host: HostFs) => ViewOp[]): readonly ViewOp[] {
  let plans = kept.get(host);
  if (!plans) kept.set(host, (plans = new Map()));
  const hit = plans.get(key);
  if (hit && hit.asked.every((a) => sameAnswer(ask(host, a.method, a.path), a.answer))) return hit.ops;
  const asked: Asked[] = [];
  const ops = Object.freeze(plan(noting(host, asked)));
  plans.delete(key);
  if (plans.size >= MOST_KEPT) plans.delete(plans.keys().next().value!);
  plans.set(key, { ops, asked });
  return ops;
}

/** planView, kept: the same array while the context and the host's answers are the same. */
export function keptPlanView(ctx: ViewContext): readonly ViewOp[] {
  const { host, ...rest } = ctx;
  return remembered(host, `view ${JSON.stringify(rest)}`, (noted) => planView({ ...ctx, host: noted }));
}

/** preparedView, kept alike: a spare's view, the same array as the last spare's while nothing changed. */
export function keptPreparedView(host: HostFs, cgroupfs: readonly string[]): readonly ViewOp[] {
  return remembered(host, `prepared ${JSON.stringify(cgroupfs)}`, (noted) => preparedView(noted, cgroupfs));
}
