// scripts/failures.mjs names what failed at the end of `scripts/test.sh`, where a CI log's
// tail is all that is kept: every failed test by file and title with its message's first
// line, a file that failed outside its tests, and a report that is not there.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cgbox-failures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function listed(...args: string[]): string[] {
  const out = execFileSync(process.execPath, ['scripts/failures.mjs', ...args], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

const report = {
  numFailedTests: 1,
  testResults: [
    {
      name: join(process.cwd(), 'integration/a.test.ts'),
      status: 'failed',
      message: '',
      assertionResults: [
        { status: 'passed', title: 'fine', ancestorTitles: [], failureMessages: [] },
        {
          status: 'failed',
          title: 'leaves nothing',
          ancestorTitles: ['a worker thread'],
          failureMessages: ['\n\x1b[31mAssertionError: expected [ \'cgbox-1\' ] to deeply equal []\x1b[39m\n    at x.ts:1:1'],
        },
      ],
    },
    { name: join(process.cwd(), 'integration/b.test.ts'), status: 'failed', message: 'Error: hook timed out\nstack', assertionResults: [] },
    { name: join(process.cwd(), 'integration/c.test.ts'), status: 'passed', message: '', assertionResults: [{ status: 'passed', title: 'ok', ancestorTitles: [] }] },
  ],
};

describe('scripts/failures.mjs', () => {
  it('names each failed test and each file that failed outside its tests, and nothing that passed', () => {
    const path = join(dir, 'report.json');
    writeFileSync(path, JSON.stringify(report));
    expect(listed(`v2/delegated=${path}`)).toEqual([
      "  ✗ v2/delegated: integration/a.test.ts › a worker thread › leaves nothing: AssertionError: expected [ 'cgbox-1' ] to deeply equal []",
      '  ✗ v2/delegated: integration/b.test.ts: Error: hook timed out',
    ]);
  });

  it('says so when a report is missing, and goes on to the next', () => {
    const path = join(dir, 'clean.json');
    writeFileSync(path, JSON.stringify({ testResults: [report.testResults[2]] }));
    expect(listed(`host=${join(dir, 'absent.json')}`, `v1/delegated=${path}`)).toEqual(['  ✗ host: no vitest report (ENOENT)']);
  });
});
