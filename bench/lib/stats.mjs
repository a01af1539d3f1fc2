// Summaries of a sample: the median and the spread (quartiles, min–max), so a reader sees how
// much a noisy shared machine moved each number.

/** The q-quantile (0..1) of sorted numbers, interpolated between neighbours. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

export function median(xs) {
  return quantile([...xs].sort((a, b) => a - b), 0.5);
}

/** { n, median, q1, q3, min, max } of a sample. */
export function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), q1: quantile(s, 0.25), q3: quantile(s, 0.75), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

/** a / b, or null when either is missing (a case not selected or not available). */
export function ratio(a, b) {
  return a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b;
}
