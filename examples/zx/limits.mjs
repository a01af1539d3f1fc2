#!/usr/bin/env zx
// A zx script whose steps run in sandboxes (as root, after `npm run build`):
//   npx zx examples/zx/limits.mjs
import { formatMillis, formatBytes, sandbox } from 'cgbox';

const box = sandbox().memory('128m').cpuQuota(1).pids(64).timeout('60s');

// zx's quoting: each value is one argument, spaces and quotes and all.
const names = ['two words', "it's", 'say "hi"'];
const sorted = await box.$`printf '%s\n' ${names} | sort`.quiet();
echo(`sorted in a sandbox: ${sorted.lines().join(' | ')}`);

// Every step's output carries its sandbox report.
const sum = await box.$`node -e ${'let s = 0; for (let i = 0; i < 3e7; i++) s += i; console.log(s)'}`.quiet();
const { usage } = sum.report;
echo(`summed to ${sum.stdout.trim()} in ${formatMillis(usage.cpu.usageUs / 1000)} of CPU, memory peak ${formatBytes(usage.memory.peakBytes)}`);

// A failing step throws, as in zx, unless .nothrow().
const hog = await sandbox()
  .memory('64m')
  .$`node -e ${'const keep = []; for (;;) keep.push(Buffer.alloc(1 << 20, 1))'}`.nothrow()
  .quiet();
echo(`the memory hog: ${hog.signal}, ${hog.report.oomKilled ? 'OOM-killed' : 'not OOM-killed'} at ${formatBytes(hog.report.usage.memory.peakBytes)}`);

try {
  await box.$`exit 3`.quiet();
} catch (failed) {
  echo(`a failing step threw: exit code ${failed.exitCode}`);
}
if (!hog.report.oomKilled) process.exit(1);
