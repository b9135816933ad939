/** @module benchmarks/lib/stats — min/median/max over repeated runs, and percentiles of latency samples */

/**
 * Summarizes the figures of repeated runs. The median is what tables show; min and max show the spread,
 * which on a shared machine is the honest error bar.
 * @param {readonly number[]} values one figure per run
 * @returns {{ min: number, median: number, max: number, runs: number[] }}
 */
export function summarize(values) {
  if (values.length === 0) throw new RangeError('summarize: no values');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0],
    median: percentileOfSorted(sorted, 50),
    max: sorted[sorted.length - 1],
    runs: [...values],
  };
}

/**
 * The `p`-th percentile (0..100) of ascending `sorted`, by linear interpolation between closest ranks.
 * @param {ArrayLike<number>} sorted ascending
 * @param {number} p
 */
export function percentileOfSorted(sorted, p) {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile: no values');
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/**
 * Applies `fn` to every figure of a summary (e.g. to turn ns into µs), keeping its shape.
 * @param {{ min: number, median: number, max: number, runs: number[] }} summary
 * @param {(value: number) => number} fn
 */
export function mapSummary(summary, fn) {
  return {
    min: fn(summary.min),
    median: fn(summary.median),
    max: fn(summary.max),
    runs: summary.runs.map(fn),
  };
}

/**
 * Rounds to `digits` significant figures (JSON results stay readable without pretending to precision).
 * @param {number} value
 * @param {number} [digits]
 */
export function round(value, digits = 4) {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}
