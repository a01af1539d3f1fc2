// The rootless pair: cgbox run by an unprivileged user, and util-linux unshare with a user
// namespace (--user --map-root-user) and the same others, its peer. Both run in a worker Node
// process started as uid 65534 (bench/lib/rootless-worker.mjs); the worker times its own runs.
// The pair is measured only together: unshare alone says nothing about cgbox.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UNSHARE_ARGS } from './peers.mjs';

const WORKER = fileURLToPath(new URL('../rootless-worker.mjs', import.meta.url));
const UID = 65534;
let worker;
let seq = 0;
const waiting = new Map();

function start() {
  if (worker) return;
  worker = spawn('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', '--', process.execPath, WORKER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: '/' });
  worker.on('message', (m) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  worker.on('exit', (code) => {
    for (const done of waiting.values()) done({ error: `the rootless worker exited ${code}` });
    waiting.clear();
    worker = undefined;
  });
}

/** n runs of `name`, k in flight, in the worker: { ms, cpuUs } measured there. */
function remote(name, n, k) {
  start();
  const id = seq++;
  return new Promise((resolve, reject) => {
    waiting.set(id, (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
    worker.send({ id, case: name, n, k });
  });
}

let probed;
/** Why the pair cannot be measured here, or null: one run of each as uid 65534. */
function probePair() {
  probed ??= (async () => {
    if (process.getuid() !== 0) return 'the bench runs its rootless pair as uid 65534 from root: run it as root';
    try {
      await remote('unshare', 1, 1);
    } catch (e) {
      return `unprivileged user namespaces do not work here (unshare --user as uid ${UID}: ${e.message})`;
    }
    try {
      await remote('cgbox', 1, 1);
    } catch (e) {
      return `cgbox has no rootless mode here: its first run as uid ${UID} says ${e.message}`;
    }
    return null;
  })();
  return probed;
}

const pair = (id, label, what, name) => ({
  id,
  label,
  kind: id.startsWith('cgbox') ? 'cgbox' : 'peer',
  what,
  rootless: true,
  async probe() {
    const why = await probePair();
    return why && name === 'unshare' && why.startsWith('cgbox') ? `measured only beside cgbox rootless, which cannot run here (${why})` : why;
  },
  run: () => remote(name, 1, 1),
  block: (n, k) => remote(name, n, k),
});

export const unshareRootless = pair('unshare-rootless', 'unshare --user (rootless)', `as uid ${UID}: \`unshare --user --map-root-user ${UNSHARE_ARGS.join(' ')} true\``, 'unshare');
export const cgboxRootless = pair('cgbox-rootless', 'cgbox rootless', `as uid ${UID}: \`sandbox().memory('64m').pids(64).cpuQuota(1).run('true')\``, 'cgbox');

export function stopRootlessWorker() {
  worker?.disconnect();
}
