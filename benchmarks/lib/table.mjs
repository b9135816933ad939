/** @module benchmarks/lib/table — plain-text tables for the terminal (aligned columns, numbers right-aligned) */

/**
 * Formats a number for a table: thousands separators for large values, a few significant digits for small ones.
 * @param {unknown} value
 */
export function formatCell(value) {
  if (typeof value !== 'number') return value === undefined || value === null ? '' : String(value);
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * Renders rows as an aligned text table with a title line.
 * @param {string} title
 * @param {readonly string[]} columns keys of the rows, in display order
 * @param {readonly Record<string, unknown>[]} rows
 */
export function renderTable(title, columns, rows) {
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map((c) => rows.every((row) => typeof row[c] === 'number' || row[c] == null));
  const line = (values) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [title, line(columns), rule, ...cells.map(line)].join('\n');
}

/**
 * Prints a table (see {@link renderTable}) followed by a blank line.
 * @param {string} title
 * @param {readonly string[]} columns
 * @param {readonly Record<string, unknown>[]} rows
 */
export function printTable(title, columns, rows) {
  console.log(`${renderTable(title, columns, rows)}\n`);
}
