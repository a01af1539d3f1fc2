/** The human report of a run, in the manner of `/usr/bin/time -v`. */
import { bytes, micros, millis } from './human.js';
import { timelineSummary } from './timeline.js';
import type { LimitReport, Pressure, RunResult } from './types.js';

function outcome(r: RunResult): string {
  const how = r.signal ? `killed by ${r.signal}` : `exited with ${r.exitCode}`;
  const notes = [r.oomKilled ? 'OOM kill' : '', r.timedOut ? 'timed out' : ''].filter(Boolean);
  return notes.length ? `${how} (${notes.join(', ')})` : how;
}

function limitLine(name: string, l: LimitReport): string {
  const mark = l.enforced ? 'enforced' : 'NOT ENFORCED';
  const value = typeof l.value === 'number' && /memory|swap/.test(name) ? bytes(l.value) : String(l.value);
  return `\t${name}: ${value} [${mark}]${l.reason ? ` — ${l.reason}` : ''}`;
}

function pressureLine(p: Pressure): string {
  return (['cpu', 'memory', 'io'] as const).map((k) => `${k} ${p[k] ? `${micros(p[k].someUs)} / ${micros(p[k].fullUs)}` : 'not measured'}`).join(', ');
}

export function formatReport(r: RunResult): string {
  const u = r.usage;
  const lines = [
    `\tCommand: ${r.command.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`,
    `\tOutcome: ${outcome(r)}`,
    `\tWall time: ${millis(r.durationMs)}`,
    `\tCPU time: ${micros(u.cpu.usageUs)} (user ${micros(u.cpu.userUs)}, system ${micros(u.cpu.systemUs)})`,
    `\tCPU utilisation: ${r.durationMs > 0 ? ((u.cpu.usageUs / 10 / r.durationMs)).toFixed(0) : 0} %`,
    `\tCPU throttled: ${u.cpu.throttledPeriods} periods, ${micros(u.cpu.throttledUs)}`,
    `\tMemory peak: ${bytes(u.memory.peakBytes)}`,
    `\tSwap peak: ${bytes(u.memory.swapPeakBytes)}`,
    `\tOOM kills: ${u.memory.oomKills}`,
    `\tTasks peak: ${u.pids.peak}`,
    `\tIO read: ${bytes(u.io.readBytes)} in ${u.io.readOps} ops`,
    `\tIO written: ${bytes(u.io.writeBytes)} in ${u.io.writeOps} ops`,
    ...(u.net ? [`\tNet rx: ${bytes(u.net.rxBytes)} (${u.net.rxPackets} pkts), tx: ${bytes(u.net.txBytes)} (${u.net.txPackets} pkts)`] : []),
    ...(u.volume ? [`\tVolume: ${bytes(u.volume.usedBytes)} of ${bytes(u.volume.sizeBytes)}`] : []),
    ...(u.pressure ? [`\tStalled (PSI, some / full): ${pressureLine(u.pressure)}`] : []),
    ...(u.memory.events && (u.memory.events.high || u.memory.events.max) ? [`\tMemory events: high ${u.memory.events.high}, max ${u.memory.events.max}, oom ${u.memory.events.oom}`] : []),
    ...(r.stdoutTruncated || r.stderrTruncated ? [`\tOutput truncated: ${[r.stdoutTruncated ? 'stdout' : '', r.stderrTruncated ? 'stderr' : ''].filter(Boolean).join(', ')} (past maxBuffer)`] : []),
    ...(r.samples ? [`\tTimeline: ${timelineSummary(r.samples)}`] : []),
  ];
  const limits = Object.entries(r.limits);
  if (limits.length) lines.push('\tLimits:', ...limits.map(([k, l]) => '\t' + limitLine(k, l)));
  return lines.join('\n') + '\n';
}
