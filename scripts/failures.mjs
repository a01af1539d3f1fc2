#!/usr/bin/env node
// Names what failed in vitest JSON reports, one line each, for the end of a run:
// CI keeps only the output's tail, and a count alone says nothing to mend.
//   node scripts/failures.mjs LABEL=REPORT.json [LABEL=REPORT.json ...]
// A report that is missing or unreadable is itself a line: its suite did not report.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const MAX_MESSAGE = 400;

function firstLine(message) {
  const line = String(message ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
  const plain = line.replace(/\x1b\[[0-9;]*m/g, '').trim();
  return plain.length > MAX_MESSAGE ? `${plain.slice(0, MAX_MESSAGE)}…` : plain;
}

function failuresOf(report) {
  const lines = [];
  for (const file of report.testResults ?? []) {
    const name = relative(process.cwd(), file.name).replace(/^(\.\.\/)+/, '');
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failed) {
      lines.push(`${name} › ${[...(t.ancestorTitles ?? []), t.title].join(' › ')}: ${firstLine(t.failureMessages?.[0])}`);
    }
    // A file that failed with no failed test failed outside any: at import, in a hook, at teardown.
    if (file.status === 'failed' && failed.length === 0) lines.push(`${name}: ${firstLine(file.message) || 'failed outside any test'}`);
  }
  return lines;
}

for (const arg of process.argv.slice(2)) {
  const at = arg.indexOf('=');
  const [label, path] = at < 0 ? [arg, arg] : [arg.slice(0, at), arg.slice(at + 1)];
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    console.log(`  ✗ ${label}: no vitest report (${e.code ?? e.message})`);
    continue;
  }
  for (const line of failuresOf(report)) console.log(`  ✗ ${label}: ${line}`);
}
