// A child process as a promise: resolves when it exits 0, rejects with its stderr otherwise.
import { spawn } from 'node:child_process';

export function spawned(file, args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'], ...(env ? { env } : {}) });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')}: ${signal ?? `exit ${code}`}${err ? `: ${err.trim().slice(0, 500)}` : ''}`))));
    if (input !== undefined) c.stdin.end(input);
  });
}

/** Its stdout, trimmed; rejects as spawned() does. */
export function output(file, args) {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${file} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
