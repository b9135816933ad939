/**
 * `repairLog`: says what a damaged log still holds and what a repair drops, changes nothing unless asked,
 * and then leaves a log that opens, keeps the rest, and the replaced files in `damaged-*`.
 */
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manualClock, type RepairOptions, repairLog as repair } from '../src/index.js';
import { contents, open, START, segments, tempDir, text } from './support/log.js';

/** The test's messages were sent at START: read them at that time (the system clock would expire them). */
const repairLog = (dir: string, options: RepairOptions = {}) =>
  repair(dir, { clock: manualClock(START), ...options });

/** A log with a snapshot and segments after it: 60 messages in the snapshot, 60 after, in small segments. */
async function makeLog() {
  const dir = tempDir();
  const { broker } = await open(dir, { compactMinBytes: 0, segmentBytes: 4096 });
  const queue = broker.createQueue('q');
  for (let i = 0; i < 60; i++) await queue.send({ body: `s${i}:${'x'.repeat(100)}` });
  await broker.compact();
  for (let i = 0; i < 60; i++) await queue.send({ body: `a${i}:${'y'.repeat(100)}` });
  await broker.close();
  return dir;
}

async function bodies(dir: string): Promise<string[]> {
  const { broker } = await open(dir);
  const got = (await broker.queue('q').receive({ max: 1000 })).map((d) => text(d.body).split(':')[0]!);
  await broker.close();
  return got;
}

const manifestOf = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.manifest'));

describe('repairLog', () => {
  it('leaves a sound log alone', async () => {
    const dir = await makeLog();
    const before = contents(dir);
    const report = await repairLog(dir, { apply: true });
    expect(report).toMatchObject({ damage: [], applied: false, kept: { queues: 1, messages: 120 } });
    const after = contents(dir);
    delete before['LOCK'];
    delete after['LOCK'];
    expect(after).toEqual(before);
  });

  it('reports without changing anything, then repairs each kind of damage and keeps all that is left', async () => {
    const cases: [string, (dir: string) => string, (kept: string[]) => void][] = [
      [
        'a deleted manifest (nothing lost: the parts are there)',
        (dir) => {
          unlinkSync(join(dir, manifestOf(dir).at(-1)!));
          return 'manifest';
        },
        (kept) => expect(kept).toHaveLength(120),
      ],
      [
        'a corrupt manifest',
        (dir) => {
          const name = manifestOf(dir).at(-1)!;
          writeFileSync(join(dir, name), 'garbage');
          return name;
        },
        (kept) => expect(kept).toHaveLength(120),
      ],
      [
        'a deleted snapshot part (its messages are lost)',
        (dir) => {
          const parts = readdirSync(dir).filter((n) => /^snap-\d+-\d+\.log$/.test(n));
          expect(parts.length).toBeGreaterThan(1);
          const part = parts.sort().at(-1)!;
          unlinkSync(join(dir, part));
          return part;
        },
        (kept) => {
          expect(kept.filter((b) => b.startsWith('a'))).toHaveLength(60);
          expect(kept.length).toBeLessThan(120);
        },
      ],
      [
        'a deleted middle segment',
        (dir) => {
          expect(segments(dir).length).toBeGreaterThan(2);
          const victim = segments(dir)[1]!;
          unlinkSync(join(dir, victim));
          return victim;
        },
        (kept) => {
          expect(kept.filter((b) => b.startsWith('s'))).toHaveLength(60);
          expect(kept.length).toBeLessThan(120);
          expect(kept.at(-1)).toBe('a59');
        },
      ],
      [
        'damaged bytes in a segment (its records from there on are lost)',
        (dir) => {
          const name = segments(dir)[0]!;
          const bytes = readFileSync(join(dir, name));
          const at = bytes.indexOf('a3:');
          bytes[at + 10] = bytes[at + 10]! ^ 0xff;
          writeFileSync(join(dir, name), bytes);
          return name;
        },
        (kept) => {
          expect(kept.slice(0, 63)).toEqual([
            ...Array.from({ length: 60 }, (_, i) => `s${i}`),
            'a0',
            'a1',
            'a2',
          ]);
          expect(kept).not.toContain('a3');
        },
      ],
    ];
    for (const [what, damage, check] of cases) {
      const dir = await makeLog();
      const file = damage(dir);
      await expect(open(dir), what).rejects.toMatchObject({ code: 'StorageError' });
      const before = contents(dir);
      const report = await repairLog(dir);
      expect(report.applied, what).toBe(false);
      expect(report.damage.map((d) => d.file).join(), what).toContain(
        file === 'manifest' ? 'manifest' : file,
      );
      const after = contents(dir);
      delete before['LOCK'];
      delete after['LOCK'];
      expect(after, `${what}: a report changes nothing`).toEqual(before);

      const applied = await repairLog(dir, { apply: true });
      expect(applied.applied, what).toBe(true);
      expect(existsSync(applied.backup!), what).toBe(true);
      expect(readdirSync(applied.backup!).length, what).toBeGreaterThan(0);
      const kept = await bodies(dir);
      expect(kept.length, what).toBe(applied.kept.messages);
      check(kept);
      // A second repair finds nothing to do.
      expect((await repairLog(dir)).damage, what).toEqual([]);
    }
  });
});
