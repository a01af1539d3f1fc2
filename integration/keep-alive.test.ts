/**
 * Every awaited cgbox promise keeps Node alive until it settles: the spare
 * sandbox and the command shells are deliberately unreferenced, so without
 * this a script awaiting releaseStandby() while a spare was being made ended
 * at the await, silently, with status 0.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built package (npm test builds it first): under the VM tier's emulation a TypeScript loader costs minutes.
const INDEX = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function script(body: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `const cgbox = await import(${JSON.stringify(INDEX)});\n${body}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('awaited promises keep the process alive', () => {
  it('releaseStandby() right after two runs (a spare still being made): the code after it runs', async () => {
    const r = await script(`
      await cgbox.sandbox().run('true');
      await cgbox.sandbox().run('true');
      await cgbox.releaseStandby();
      console.log('after release');
      process.exitCode = 7;
    `);
    expect(r).toEqual({ code: 7, out: 'after release\n' });
  }, 60_000);

  it('a started box: stop(), exec() and the result, awaited with nothing else pending', async () => {
    const r = await script(`
      const box = await cgbox.sandbox().start('sleep', ['30']);
      console.log((await box.exec('echo', ['inside'])).stdout.trim());
      const res = await box.stop({ graceMs: 100 });
      console.log(res.signal);
      await cgbox.releaseStandby();
      console.log('end');
    `);
    expect(r).toEqual({ code: 0, out: 'inside\nSIGTERM\nend\n' });
  }, 60_000);
});
