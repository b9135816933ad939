/** @module crash/report — the crash test's evidence, as text: what ran, what was counted, what broke, examples. */
import type { Ledger, Violation } from './ledger.js';

/** Facts about the run besides the ledger. */
export interface RunFacts {
  readonly seed: number;
  readonly dataDir: string;
  readonly lives: readonly { index: number; loadMs: number }[];
  readonly compactions: number;
  /** Snapshots seen being written that never completed (failed, or cut by a kill). */
  readonly abandonedCompactions: number;
  readonly compactionsPerLife: readonly number[];
  readonly durationMs: number;
  readonly serverLog: string;
}

/** Violations of one kind: how many, and up to `examples` of them. */
export interface KindSummary {
  count: number;
  examples: string[];
}

/** Violations by kind, with up to `examples` of each. */
export function byKind(violations: readonly Violation[], examples = 8): Map<string, KindSummary> {
  const out = new Map<string, KindSummary>();
  for (const v of violations) {
    const entry = out.get(v.kind) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < examples) entry.examples.push(`${v.group} ${v.uid ?? '?'}: ${v.detail}`);
    out.set(v.kind, entry);
  }
  return out;
}

function perGroup(violations: readonly Violation[], kind: string): string {
  const counts = new Map<string, number>();
  for (const v of violations) if (v.kind === kind) counts.set(v.group, (counts.get(v.group) ?? 0) + 1);
  return [...counts].map(([g, n]) => `${g} ${n}`).join(', ');
}

/** The whole report. */
export function report(ledger: Ledger, facts: RunFacts): string {
  const lines = [
    `crash-server: seed ${facts.seed} (CRASH_SEED=${facts.seed} replays its choices), data dir ${facts.dataDir}`,
    `  ${facts.lives.length} lives killed with SIGKILL after ${facts.lives.map((l) => `${l.loadMs}`).join(', ')} ms of load; ${Math.round(facts.durationMs / 1000)} s in all`,
    `  compactions completed (snap-*.manifest seen): ${facts.compactions} — per life ${facts.compactionsPerLife.join(', ')}; ` +
      `${facts.abandonedCompactions} more seen being written that never completed`,
    `  counts: ${[...ledger.counts].map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  const kinds = byKind(ledger.violations);
  if (kinds.size === 0) lines.push('  no violations');
  for (const [kind, { count, examples }] of kinds) {
    lines.push(`  VIOLATION ${kind}: ${count} (${perGroup(ledger.violations, kind)})`);
    for (const e of examples) lines.push(`    ${e}`);
  }
  const log = facts.serverLog.trim();
  if (log !== '')
    lines.push(
      '  server stderr:',
      ...log
        .split('\n')
        .slice(0, 30)
        .map((l) => `    ${l}`),
    );
  return lines.join('\n');
}
