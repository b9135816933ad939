/**
 * @module exposition — pieces of the Prometheus text format (0.0.4) and OpenMetrics 1.0, written by hand for the
 * per-object series (see object-series.ts for why they do not go through prom-client).
 */

/** A label value, escaped: backslash, double quote and line feed (the three the format escapes). */
export function labelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : value;
}

/** A sample value: integers and floats as JavaScript prints them, and the format's spellings of the infinities. */
export function sampleValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/** The kinds of family written here. */
export type FamilyType = 'counter' | 'gauge';

/**
 * The `# HELP` and `# TYPE` lines of a family. In OpenMetrics a counter family is named without its `_total`
 * suffix (its samples keep it), as prom-client does.
 */
export function familyHeader(name: string, help: string, type: FamilyType, openMetrics: boolean): string {
  const family = openMetrics && type === 'counter' ? name.replace(/_total$/, '') : name;
  const text = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return `# HELP ${family} ${text}\n# TYPE ${family} ${type}\n`;
}
