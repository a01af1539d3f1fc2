// Reads a V8 .cpuprofile (nodes with a callFrame and a hitCount, children by id) into where
// Node's time went: the top functions by self time, the same time by category (spawns, file
// reads and writes, JSON, timers and polling, GC, cgbox's own code…), and, for the categories
// that are calls out of cgbox, which cgbox function made them. cgbox's frames are mapped from
// dist/*.js back to src/*.ts through the build's source maps.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const maps = new Map();

function sourceMap(url) {
  if (!maps.has(url)) {
    try {
      maps.set(url, new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8'))));
    } catch {
      maps.set(url, null);
    }
  }
  return maps.get(url);
}

const inCgbox = (url) => url.startsWith('file://') && url.includes('/dist/');
const inBench = (url) => url.startsWith('file://') && url.includes('/bench/');

/** file:line of a frame, cgbox's mapped to its TypeScript source; node's own as node:… */
export function where(cf) {
  if (!cf.url) return '(native)';
  if (inCgbox(cf.url)) {
    const e = sourceMap(cf.url)?.findEntry(cf.lineNumber, cf.columnNumber);
    if (e?.originalSource) return `${relative(ROOT, fileURLToPath(new URL(e.originalSource, cf.url)))}:${e.originalLine + 1}`;
    return `${relative(ROOT, fileURLToPath(cf.url))}:${cf.lineNumber + 1}`;
  }
  if (cf.url.startsWith('file://')) return `${relative(ROOT, fileURLToPath(cf.url))}:${cf.lineNumber + 1}`;
  return `${cf.url}:${cf.lineNumber + 1}`;
}

const fnName = (cf) => cf.functionName || '(anonymous)';

// Node's own modules, by what a sandbox's run does with them.
const NODE_CATEGORIES = [
  [/child_process/, 'spawns (child_process)'],
  [/^node:(internal\/)?fs|internal\/fs\//, 'file reads/writes (fs)'],
  [/timers/, 'timers and polling'],
  [/internal\/(streams|stream_base|net|pipe)|^node:(net|stream)/, 'pipes and streams'],
  [/internal\/modules|^node:module/, 'module loading'],
  [/internal\/process\/task_queues|internal\/async_hooks|promises/, 'promises and the microtask queue'],
];

/** The category of a sample, from its innermost frames. */
function category(stack) {
  const self = stack[0].callFrame;
  if (self.functionName === '(garbage collector)') return 'GC';
  if (self.functionName === '(idle)') return 'idle (waiting in the event loop: not CPU)';
  if (self.functionName === '(program)') return 'V8 and native code outside any JS frame';
  if (!self.url && /^(parse|stringify)$/.test(self.functionName)) return 'JSON';
  for (const n of stack) {
    const url = n.callFrame.url;
    if (!url) continue;
    if (url.startsWith('node:')) return NODE_CATEGORIES.find(([re]) => re.test(url))?.[1] ?? `node: ${url.slice(5)}`;
    if (inCgbox(url)) return "cgbox's own JS (dist/)";
    if (inBench(url)) return 'the bench itself';
    return `other JS (${url.split('/node_modules/')[1]?.split('/')[0] ?? url})`;
  }
  return 'native, called from no JS frame';
}

/**
 * Each node's samples: its hitCount over the whole profile, or, given a window [fromUs, toUs] on
 * the profile's clock, the samples inside it (each sample's time is startTime plus the deltas so far).
 */
function hitsOf(profile, window) {
  if (!window) return new Map(profile.nodes.map((n) => [n.id, n.hitCount ?? 0]));
  const hits = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    if (t >= window.fromUs && t <= window.toUs) hits.set(id, (hits.get(id) ?? 0) + 1);
  });
  return hits;
}

/** The profile's samples in `window` (or all): each node's parent, its hits, their total, the span and the time a hit stands for. */
function sampled(profile, window) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const hitsById = hitsOf(profile, window);
  const totalHits = [...hitsById.values()].reduce((s, h) => s + h, 0);
  const spanUs = window ? window.toUs - window.fromUs : profile.endTime - profile.startTime;
  return { parent, hitsById, totalHits, spanUs, usPerHit: totalHits ? spanUs / totalHits : 0 };
}

/** Entries under `share` folded into one line, so the list shows what matters. */
function small(rows, share) {
  const big = rows.filter((r) => r.share >= share);
  const rest = rows.filter((r) => r.share < share);
  if (rest.length > 1) big.push({ what: `${rest.length} more, each under ${share * 100} %`, ms: rest.reduce((s, r) => s + r.ms, 0), share: rest.reduce((s, r) => s + r.share, 0) });
  else big.push(...rest);
  return big;
}

export function summarise(profile, { top = 25, window } = {}) {
  const { parent, hitsById, totalHits, spanUs, usPerHit } = sampled(profile, window);
  const ms = (hits) => (hits * usPerHit) / 1000;

  const self = new Map();
  const inclusive = new Map();
  const cats = new Map();
  const callers = new Map(); // category → cgbox function → hits
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  for (const n of profile.nodes) {
    const hits = hitsById.get(n.id) ?? 0;
    if (!hits) continue;
    const stack = [];
    for (let x = n; x; x = parent.get(x.id)) stack.push(x);
    const key = `${fnName(n.callFrame)} ${where(n.callFrame)}`;
    add(self, key, hits);
    const cat = category(stack);
    add(cats, cat, hits);
    const seen = new Set();
    for (const s of stack) {
      if (!inCgbox(s.callFrame.url)) continue;
      const k = `${fnName(s.callFrame)} ${where(s.callFrame)}`;
      if (!seen.has(k)) add(inclusive, k, hits), seen.add(k);
    }
    const caller = stack.find((s) => inCgbox(s.callFrame.url));
    if (caller && cat !== "cgbox's own JS (dist/)") add((callers.get(cat) ?? callers.set(cat, new Map()).get(cat)), `${fnName(caller.callFrame)} ${where(caller.callFrame)}`, hits);
  }
  const idle = [...cats].filter(([k]) => k.startsWith('idle')).reduce((s, [, v]) => s + v, 0);
  const sorted = (m, n = top) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, h]) => ({ what: k, ms: ms(h), share: h / totalHits }));
  return {
    spanMs: spanUs / 1000,
    busyMs: ms(totalHits - idle), // running or blocked in a call: the profiler samples wall time
    samples: totalHits,
    usPerSample: usPerHit,
    categories: small(sorted(cats, 100), 0.005),
    self: sorted(new Map([...self].filter(([k]) => !k.startsWith('(idle)'))), top),
    inclusive: sorted(inclusive, top),
    callers: [...callers].map(([cat, m]) => ({ category: cat, top: sorted(m, 6) })).sort((a, b) => b.top.reduce((s, x) => s + x.ms, 0) - a.top.reduce((s, x) => s + x.ms, 0)),
  };
}

/**
 * The paths to the functions named `name` (self time beneath them included): each path the
 * chain of cgbox frames above, innermost first, up to `depth` of them, with its time.
 */
export function pathsTo(profile, name, { window, depth = 5, top = 10 } = {}) {
  const { parent, hitsById, totalHits, usPerHit } = sampled(profile, window);
  const paths = new Map();
  for (const n of profile.nodes) {
    const hits = hitsById.get(n.id) ?? 0;
    if (!hits) continue;
    const stack = [];
    for (let x = n; x; x = parent.get(x.id)) stack.push(x);
    const at = stack.findIndex((x) => fnName(x.callFrame) === name);
    if (at < 0) continue;
    const chain = stack.slice(at + 1).filter((x) => inCgbox(x.callFrame.url)).slice(0, depth).map((x) => `${fnName(x.callFrame)} ${where(x.callFrame)}`);
    const key = [`${name} ${where(stack[at].callFrame)}`, ...chain].join(' ← ');
    paths.set(key, (paths.get(key) ?? 0) + hits);
  }
  return [...paths].sort((a, b) => b[1] - a[1]).slice(0, top).map(([what, h]) => ({ what, ms: (h * usPerHit) / 1000, share: h / totalHits }));
}
