// Shared by the benches: each case once to warm up, then ROUNDS interleaved rounds (a noisy
// neighbour hits every case alike), and the median per case.
export async function interleavedMedians(cases, rounds) {
  for (const fn of Object.values(cases)) await fn();
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t0 = performance.now();
      await fn();
      times[name].push(performance.now() - t0);
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}
