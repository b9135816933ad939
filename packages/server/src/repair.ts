/**
 * @module repair — `sluice repair [--apply] DIR`: what a damaged data directory still holds, and a log rebuilt from
 * it (see `repairLog` in `@sluice/core`), written for an operator.
 */
import { type RepairReport, repairLog } from '@sluice/core';

/** What `sluice repair` prints, and its exit code: 0 sound or repaired, 1 damage left unrepaired. */
export interface RepairOutcome {
  readonly lines: readonly string[];
  readonly exitCode: 0 | 1;
}

function holds(report: RepairReport): string {
  const { queues, topics, messages } = report.kept;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${n(queues, 'queue')}, ${n(topics, 'topic')}, ${n(messages, 'message')}`;
}

/** Runs the repair of `dir` (a report only, unless `apply`) and words the outcome. */
export async function repairDataDir(dir: string, apply: boolean): Promise<RepairOutcome> {
  const report = await repairLog(dir, { apply });
  if (report.damage.length === 0) {
    return {
      lines: [`${dir}: the log is sound, nothing to repair (it holds ${holds(report)})`],
      exitCode: 0,
    };
  }
  const damage = report.damage.map(
    (d) => `  ${d.file}${d.offset === undefined ? '' : ` at offset ${d.offset}`}: ${d.problem}`,
  );
  if (!report.applied) {
    return {
      lines: [
        `${dir}: the log is damaged. What a repair drops (the rest of each damaged file, what a missing file held):`,
        ...damage,
        `What can still be read: ${holds(report)}.`,
        `Nothing was changed. \`sluice repair --apply ${dir}\` rewrites the log from what can be read, and moves`,
        `the files it replaces to ${dir}/damaged-<time>/.`,
      ],
      exitCode: 1,
    };
  }
  return {
    lines: [
      `${dir}: repaired. Dropped:`,
      ...damage,
      `The log now holds ${holds(report)}; the files it replaced are in ${report.backup}.`,
    ],
    exitCode: 0,
  };
}
