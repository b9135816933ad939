/**
 * @module prometheus-text — reads `/metrics` text two ways: with `parse-prometheus-text-format` (a port of the
 * Python client's parser), and with a strict checker of the 0.0.4 text format for what that parser lets through
 * (duplicate series, a family split in two, a TYPE after its samples, bad escapes or numbers).
 */
import { createRequire } from 'node:module';

/** One family as `parse-prometheus-text-format` answers it. */
export interface ParsedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: readonly { readonly value?: string; readonly labels?: Record<string, string> }[];
}

const parseLibrary = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => ParsedFamily[];

/** Parses exposition text with `parse-prometheus-text-format` (throws on an invalid line). */
export function parsePrometheus(text: string): ParsedFamily[] {
  return parseLibrary(text);
}

/** One sample line, strictly read. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (\\S+)$`);
/** A float as Go's `strconv.ParseFloat` reads it (what Prometheus uses): NaN and Inf in any case (prom-client: `Nan`). */
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|[+-]?inf(?:inity)?)$/i;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** The family a sample belongs to (histogram and summary samples carry suffixes). */
function familyOf(name: string, types: ReadonlyMap<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const type = types.get(base);
      if (type === 'histogram' || type === 'summary') return base;
    }
  }
  return name;
}

/**
 * Checks `text` against the 0.0.4 text format, strictly, and answers its samples. Throws an Error naming the first
 * offending line.
 */
export function strictSamples(text: string): Sample[] {
  if (!text.endsWith('\n')) throw new Error('exposition text must end with a line feed');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const done = new Set<string>(); // families whose samples are over: they may not come back
  const seen = new Set<string>();
  const samples: Sample[] = [];
  let current: string | undefined;
  const lines = text.slice(0, -1).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line.slice(0, 200))}`);
    };
    if (line === '') continue;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (meta === null) continue; // a plain comment
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!new RegExp(`^${NAME}$`).test(name)) fail('bad metric name');
      if (done.has(name) || (current !== undefined && current !== name && seen.has(name))) {
        fail('metadata of a family after its samples');
      }
      if (kind === 'HELP') {
        if (helps.has(name)) fail('second HELP');
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) fail('bad escape in HELP');
        helps.add(name);
      } else {
        if (types.has(name)) fail('second TYPE');
        if (!TYPES.has(rest)) fail('unknown TYPE');
        if (samples.some((s) => familyOf(s.name, types) === name)) fail('TYPE after samples');
        types.set(name, rest);
      }
      if (current !== undefined && current !== name) done.add(current);
      current = name;
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null) fail('not a sample line');
    const [, name, labelText = '', , , , , value] = m as unknown as string[];
    if (!VALUE.test(value!)) fail('bad value');
    const family = familyOf(name!, types);
    if (done.has(family)) fail('family split in two');
    if (current !== undefined && current !== family) done.add(current);
    current = family;
    const labels: Record<string, string> = {};
    for (const l of labelText.matchAll(new RegExp(LABEL, 'g'))) {
      if (l[1]! in labels) fail('label given twice');
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) fail('duplicate series');
    seen.add(key);
    seen.add(family);
    samples.push({
      name: name!,
      labels,
      value: /^nan$/i.test(value!)
        ? Number.NaN
        : /inf/i.test(value!)
          ? value!.startsWith('-')
            ? -Infinity
            : Infinity
          : Number(value),
    });
  }
  return samples;
}
