/**
 * A server in a box under load: started limited (memory, half a CPU, tasks),
 * driven from the test over loopback, then stopped and its usage asserted.
 * The `sandbox` fixture of cgbox/vitest stops the box even if the test fails.
 */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { test } from 'cgbox/vitest';

const program = fileURLToPath(new URL('./programs/server.mjs', import.meta.url));

/** A TCP port free on loopback right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Until the server answers: node starting under half a CPU can take seconds on a busy machine. */
async function waitUntilUp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(50);
  }
  throw new Error(`${url} did not come up in ${timeoutMs} ms`);
}

test('serves 400 requests, 8 at a time, within 96m and half a CPU', async ({ sandbox }) => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // .net('host'): the box shares the host's network, so the test reaches it on loopback.
  const server = await sandbox().net('host').memory('96m').cpuQuota(0.5).pids(32).start('node', [program, String(port)]);
  await waitUntilUp(`${url}/fib/1`);

  let served = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 50; i++) {
        const body = (await (await fetch(`${url}/fib/20`)).json()) as { fib: number };
        expect(body.fib).toBe(6765);
        served++;
      }
    }),
  );
  expect(served).toBe(400);

  // Live usage while it still runs…
  const { current, usage } = await server.stats();
  expect(current.tasks).toBeGreaterThanOrEqual(1);
  expect(usage.cpu.usageUs).toBeGreaterThan(0);

  // …and the final report once it is stopped.
  const r = await server.stop();
  expect(r.signal).toBe('SIGTERM');
  expect(r).not.toBeOOMKilled();
  expect(r).toUseAtMost({ memory: '96m', pids: 32 });
  expect(r.limits.cpuQuota).toMatchObject({ value: 0.5, enforced: true });
});
