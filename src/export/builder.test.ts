import { describe, expect, it } from 'vitest';
import { InvalidSpecError, sandbox } from '../index.js';

describe("the builder's exports", () => {
  it('.toOCI() and .toKubernetesJob() take the command as .run() does, and the builder\'s limits', () => {
    const b = sandbox().memory('32m').pids(16);
    const { config } = b.toOCI('sh', ['-c', 'true']);
    expect(config.process.args).toEqual(['sh', '-c', 'true']);
    expect(config.linux.resources).toMatchObject({ memory: { limit: 32 * 2 ** 20 }, pids: { limit: 16 } });
    const { job } = b.toKubernetesJob('sh', ['-c', 'true'], { image: 'debian:12', name: 'smoke' });
    expect(job.spec.template.spec.containers[0]!.resources.limits).toEqual({ memory: '32Mi' });
    expect(() => b.toOCI('')).toThrow(InvalidSpecError);
    expect(() => b.toKubernetesJob('sh', ['a\0b'], { image: 'debian:12' })).toThrow(InvalidSpecError);
  });
});
