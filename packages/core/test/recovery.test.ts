/**
 * Opening a damaged or crash-cut log: what recovery cuts (only a crash's torn tail), what it refuses (any
 * other damage, naming the file, and changing nothing), and that a body can never be read as a record.
 */
import { cpSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, manualClock } from '../src/index.js';
import {
  encodeMeta,
  FileKind,
  FRAME_HEADER_BYTES,
  fileHeader,
  readFileHeader,
  sealFrame,
} from '../src/storage/codec.js';
import { Rec } from '../src/storage/records.js';
import { contents, open, segments, tempDir, text } from './support/log.js';

/** A whole, CRC-valid frame holding `record`: what a client could try to smuggle inside a body. */
function frame(record: readonly unknown[]): Buffer {
  const meta = Buffer.from(encodeMeta(record));
  const out = Buffer.alloc(FRAME_HEADER_BYTES + meta.length);
  meta.copy(out, FRAME_HEADER_BYTES);
  sealFrame(out, 0, meta.length, 0);
  return out;
}

/** Opening `dir` fails with a StorageError whose message names `file`, and leaves every byte as it was. */
async function expectRefused(dir: string, file: string | RegExp) {
  const before = contents(dir);
  const error = await open(dir).then(
    async ({ broker }) => {
      await broker.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error, 'the open must be refused').toMatchObject({ code: ErrorCode.StorageError });
  expect((error as Error).message).toMatch(file);
  expect((error as Error).message).toContain('sluice repair');
  const after = contents(dir);
  delete before['LOCK'];
  delete after['LOCK'];
  expect(after).toEqual(before);
}

describe('recovery: only a torn tail is cut, and bodies are never read as records', () => {
  it('cuts a write torn inside a body that carries a well-formed frame, at every byte, and keeps the queue', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const queue = first.broker.createQueue('q');
    await queue.send({ body: 'kept 1' });
    await queue.send({ body: 'kept 2' });
    const tail = segments(dir).at(-1)!;
    const acknowledged = readFileSync(join(dir, tail)).length;
    // A body that holds a TopicDeleted for the queue, a record of an unknown tag, and zeros.
    const topicId = 1;
    const forged = Buffer.concat([
      Buffer.from('\0\0\0'),
      frame([Rec.TopicDeleted, topicId]),
      frame([99, 'boom']),
      Buffer.alloc(64),
      frame([Rec.TopicDeleted, topicId]),
    ]);
    await queue.send({ body: forged });
    await first.broker.close();
    const path = join(dir, tail);
    const full = readFileSync(path);
    const saved = join(tempDir(), 'saved');
    cpSync(dir, saved, { recursive: true });
    // Every cut between the end of the acknowledged records and the end of the forged body.
    for (let cut = acknowledged + 1; cut < full.length - 10; cut += 3) {
      rmSync(dir, { recursive: true, force: true });
      cpSync(saved, dir, { recursive: true });
      for (const name of segments(dir)) if (name > tail) rmSync(join(dir, name));
      truncateSync(path, cut);
      const { broker, storage } = await open(dir);
      const q = broker.queue('q');
      expect(q.stats().active).toBe(2);
      expect((await q.receive({ max: 10 })).map((d) => text(d.body))).toEqual(['kept 1', 'kept 2']);
      expect(storage.warnings.map((w) => w.kind)).toContain('torn-tail');
      await broker.close();
    }
  });

  it('opens, again and again, a log a crash left with a segment created but not yet named by a seal', async () => {
    for (const left of ['empty', 'header only'] as const) {
      const dir = tempDir();
      const first = await open(dir);
      await first.broker.createQueue('q').send({ body: 'kept' });
      await first.broker.close();
      const tail = segments(dir).at(-1)!;
      const next = tail.replace(/\d{16}/, (n) => String(Number(n) + 1).padStart(16, '0'));
      // What a crash between creating the next segment and sealing this one leaves.
      writeFileSync(
        join(dir, next),
        left === 'empty' ? Buffer.alloc(0) : fileHeader(FileKind.Segment, Number(/\d{16}/.exec(next)![0]), 0),
      );
      for (let round = 0; round < 3; round++) {
        const { broker } = await open(dir);
        expect(
          broker
            .queue('q')
            .peek()
            .map((m) => text(m.body)),
          left,
        ).toEqual(['kept']);
        await broker.close();
      }
    }
  });

  it('refuses a CRC-valid record it does not know, naming the file and offset, and changes nothing', async () => {
    const dir = tempDir();
    const first = await open(dir);
    await first.broker.createQueue('q').send({ body: 'x' });
    await first.broker.close();
    const tail = segments(dir).at(-1)!;
    const bytes = readFileSync(join(dir, tail));
    // A valid frame after the last record, as a client could never write one (bodies are inside frames).
    writeFileSync(join(dir, tail), Buffer.concat([bytes, frame([99, 1, 2])]));
    await expectRefused(dir, new RegExp(`${tail} at offset ${bytes.length}: unknown record tag 99`));
  });

  it('refuses damage inside acknowledged records instead of skipping it', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const queue = first.broker.createQueue('q');
    for (const body of ['one', 'two', 'three']) await queue.send({ body });
    await first.broker.close();
    const name = segments(dir).find((n) => readFileSync(join(dir, n)).includes('two'))!;
    const bytes = readFileSync(join(dir, name));
    bytes[bytes.indexOf('two')] = 'X'.charCodeAt(0);
    writeFileSync(join(dir, name), bytes);
    await expectRefused(dir, new RegExp(`${name} at offset \\d+: a record that does not check`));
  });

  it('refuses a log whose segment a seal names is missing (the only one, a middle one, the last one)', async () => {
    // The only segment.
    let dir = tempDir();
    let first = await open(dir);
    await first.broker.createQueue('q').send({ body: 'x' });
    await first.broker.close();
    expect(segments(dir)).toHaveLength(1);
    for (const name of segments(dir)) unlinkSync(join(dir, name));
    await expectRefused(dir, /seg-0+1\.log: the segment the manifest names is missing/);

    // A middle one, and the last one, of several.
    for (const which of ['middle', 'last'] as const) {
      dir = tempDir();
      first = await open(dir, { segmentBytes: 4096 });
      const queue = first.broker.createQueue('q');
      for (let i = 0; i < 40; i++) await queue.send({ body: `${i}:${'m'.repeat(400)}` });
      await first.broker.close();
      const names = segments(dir);
      expect(names.length).toBeGreaterThan(4);
      const victim = which === 'middle' ? names[2]! : names.at(-1)!;
      unlinkSync(join(dir, victim));
      await expectRefused(dir, new RegExp(`${victim}: the segment is missing`));
    }
  });

  it('refuses snapshot damage: a missing or corrupt manifest, a missing or changed part', async () => {
    const make = async () => {
      const dir = tempDir();
      const { broker } = await open(dir, { compactMinBytes: 0 });
      const queue = broker.createQueue('q');
      for (let i = 0; i < 94; i++) await queue.send({ body: `m${i}` });
      await broker.compact();
      await queue.send({ body: 'after' });
      await broker.close();
      const manifest = readdirSync(dir).find((n) => n.endsWith('.manifest'))!;
      const part = readdirSync(dir).find((n) => /^snap-\d+-\d+\.log$/.test(n))!;
      expect(manifest).not.toBe('snap-0000000000000000.manifest');
      return { dir, manifest, part };
    };

    let { dir, manifest, part } = await make();
    unlinkSync(join(dir, manifest));
    await expectRefused(dir, /manifest/);

    ({ dir, manifest, part } = await make());
    writeFileSync(join(dir, manifest), '{"version":2, oops');
    await expectRefused(dir, new RegExp(`${manifest}: the manifest cannot be read`));

    ({ dir, manifest, part } = await make());
    unlinkSync(join(dir, part));
    await expectRefused(dir, new RegExp(`${part}: snapshot part listed by ${manifest} is missing`));

    ({ dir, manifest, part } = await make());
    const bytes = readFileSync(join(dir, part));
    bytes[bytes.indexOf('m42')] = 'M'.charCodeAt(0);
    writeFileSync(join(dir, part), bytes);
    await expectRefused(dir, new RegExp(`${part}: the snapshot part does not match the checksum`));
  });

  it('reads a format-1 directory (Sluice 0.1), then rewrites it in format 2', async () => {
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/v1-log.json', import.meta.url), 'utf8')) as {
      now: number;
      reopened: Record<string, Record<string, number>>;
      handles: { all: { id: string; handle: string; body: string }[] };
    };
    const dir = tempDir();
    cpSync(new URL('./fixtures/v1-log', import.meta.url), dir, { recursive: true });
    const stats = (broker: Awaited<ReturnType<typeof open>>['broker']) => ({
      jobs: broker.queue('jobs').stats(),
      dlq: broker.queue('jobs-dlq').stats(),
      all: broker.topic('events').group('all').stats(),
      billing: broker.topic('events').group('billing').stats(),
      ordered: broker.topic('events').group('ordered').stats(),
    });
    const first = await open(dir, {}, manualClock(fixture.now));
    for (const [name, expected] of Object.entries(fixture.reopened)) {
      expect(stats(first.broker)[name as keyof ReturnType<typeof stats>]).toMatchObject(expected);
    }
    await first.broker.compact();
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
      const header = readFileHeader(readFileSync(join(dir, name)));
      expect(header, name).toMatchObject({ version: 2 });
    }
    // A handle a consumer got from Sluice 0.1 still acks.
    const [held] = fixture.handles.all;
    await first.broker.topic('events').group('all').ack(held!.handle);
    const before = stats(first.broker);
    await first.broker.close();
    const second = await open(dir, {}, manualClock(fixture.now));
    expect(stats(second.broker)).toEqual(before);
    await second.broker.close();
  });
});
