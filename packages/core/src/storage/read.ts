/**
 * @module storage/read — reads a whole log as a {@link LogPlan} lists it and checks it as it goes: every
 * snapshot part complete and matching its manifest, every record one this version understands, and the
 * segments one unbroken chain (each finished segment sealed naming the next, the first one the manifest's).
 *
 * Only the end of the log may be cut short, and only by a crash: a frame that runs past the end of the
 * last segment holding records, or zero bytes there. That is never acknowledged data (a call is answered
 * only once its records are written, and fsynced under `always`), so it is cut. Anything else is damage:
 * the read says where, and opening refuses rather than serve a shortened history.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { decodeMeta, decodeSimpleMeta, type FrameAt } from './codec.js';
import { segmentName } from './layout.js';
import { type LogRecord, Rec, recordProblem } from './records.js';
import type { Damage, LogPlan, PlannedFile } from './scan.js';
import { walkFrames } from './walk.js';

/** Receives each record of the log, in order (the record array is reused: copy what you keep). */
export type RecordVisitor = (record: LogRecord, file: PlannedFile, frame: FrameAt) => void;

/** What reading the log found. */
export interface LogRead {
  readonly damage: Damage[];
  /** The last segment of the chain (the log goes on after it), if any. */
  readonly tail: PlannedFile | undefined;
  /** Where the tail's last good record ends. */
  readonly tailEnd: number;
  /** True when a crash cut the tail after `tailEnd` (those bytes are cut at open). */
  readonly tailCut: boolean;
  /** True when the tail ends with its seal (its successor is missing: damage). */
  readonly tailSealed: boolean;
  /** Segments outside the chain that hold no record (created just before a crash). */
  readonly leftovers: readonly PlannedFile[];
  /** Numbers of the segments in the chain. */
  readonly chained: ReadonlySet<number>;
  /** Per file read: the offset after its last good record (where a repair cuts it). */
  readonly ends: ReadonlyMap<string, number>;
}

/**
 * Reads every file of `plan` and hands each record to `visit`. With `stopAtDamage` it stops at the first
 * damage (opening); without, it reads on to list all of it (repair), skipping the rest of a damaged file.
 * A throw from `visit` is damage at that record.
 */
export function readLog(plan: LogPlan, visit: RecordVisitor | undefined, stopAtDamage: boolean): LogRead {
  const damage: Damage[] = [...plan.damage];
  const ends = new Map<string, number>();
  const leftovers: PlannedFile[] = [];
  const chained = new Set<number>();
  let tail: PlannedFile | undefined;
  let tailEnd = 0;
  let tailCut = false;
  let tailSealed = false;
  const scratch: unknown[] = [];
  // One buffer for every file, grown as needed: nothing read keeps a view of it (bodies are addressed by
  // file and offset), and memory touched once is much faster to fill again than fresh memory.
  let buffer = Buffer.alloc(0);
  const whole = (path: string): Buffer => {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > buffer.length) buffer = Buffer.allocUnsafeSlow(size);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, buffer, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      return buffer.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  };
  const stop = () => stopAtDamage && damage.length > 0;

  /** Walks one file; answers its seal (the next segment), -1 when unsealed, undefined on damage. */
  const readFile = (
    file: PlannedFile,
    bytes: Buffer,
    verified = false,
  ): { end: ReturnType<typeof walkFrames>; next: number } => {
    let next = -1;
    const end = walkFrames(
      bytes,
      file.headerBytes,
      file.version,
      (frame, at) => {
        const metaEnd = frame.metaStart + frame.metaLength;
        let record: LogRecord;
        try {
          record = decodeSimpleMeta(bytes, frame.metaStart, metaEnd, scratch)
            ? scratch
            : decodeMeta(bytes.subarray(frame.metaStart, metaEnd));
        } catch {
          damage.push({ file: file.name, offset: at, problem: 'a record that cannot be decoded' });
          return false;
        }
        const problem = next >= 0 ? 'a record after the seal of the segment' : recordProblem(record);
        if (problem !== undefined) {
          damage.push({ file: file.name, offset: at, problem });
          return false;
        }
        if (record[0] === Rec.Sealed) {
          if (file.kind !== 'segment') {
            damage.push({ file: file.name, offset: at, problem: 'a seal inside a snapshot part' });
            return false;
          }
          next = record[1] as number;
          return true;
        }
        try {
          visit?.(record, file, frame);
        } catch (error) {
          damage.push({
            file: file.name,
            offset: at,
            problem: `a record that cannot be replayed: ${(error as Error).message}`,
          });
          return false;
        }
        return true;
      },
      verified,
    );
    ends.set(file.name, end.offset);
    return { end, next };
  };

  for (const part of plan.parts) {
    if (stop()) break;
    const bytes = whole(part.path);
    // Checked whole against its manifest (one native CRC), its frames' own CRCs need not be computed again.
    const verified = part.expected !== undefined && crc32(bytes) === part.expected.crc32;
    if (part.expected !== undefined && !verified) {
      damage.push({
        file: part.name,
        problem: 'the snapshot part does not match the checksum its manifest lists',
      });
      if (stopAtDamage) break;
    }
    const { end } = readFile(part, bytes, verified);
    if (end.end !== 'clean' && end.end !== 'stopped') {
      damage.push({
        file: part.name,
        offset: end.offset,
        problem: 'the snapshot part is cut short or damaged',
      });
    }
  }

  // Segments: format 1 ones (no seals) first, then the chain of format 2 ones.
  const segments = plan.segments;
  const holdsRecords = (f: PlannedFile) => f.headerBytes > 0 && f.size > f.headerBytes;
  const lastWithRecords = segments.findLastIndex(holdsRecords);
  let expected: number | undefined = plan.manifest?.next;
  for (let i = 0; i < segments.length && !stop(); i++) {
    const file = segments[i]!;
    const isTail = i >= lastWithRecords;
    if (file.version === 1) {
      const { end } = readFile(file, whole(file.path));
      const v1Tail = i === segments.length - 1 || segments[i + 1]!.version !== 1;
      if (end.end === 'damaged' || (end.end !== 'clean' && end.end !== 'stopped' && !v1Tail)) {
        damage.push({
          file: file.name,
          offset: end.offset,
          problem: 'a record that does not check (damaged bytes)',
        });
      } else if (end.end === 'cut' || end.end === 'zeros') {
        tail = file;
        tailEnd = end.offset;
        tailCut = true;
      }
      chained.add(file.index);
      continue;
    }
    // After a segment that is not sealed, a segment without records was created by a roll or an open that a crash
    // cut short before the seal was written: it is no part of the log.
    if (expected === undefined && tail !== undefined && tail.version !== 1 && !holdsRecords(file)) {
      leftovers.push(file);
      continue;
    }
    if (expected !== undefined && file.index !== expected) {
      if (!holdsRecords(file)) {
        leftovers.push(file);
        continue;
      }
      if (file.index > expected) {
        damage.push({
          file: segmentName(expected),
          problem: 'the segment is missing from the chain of the log',
        });
      } else {
        damage.push({
          file: file.name,
          problem: 'the segment holds records but is not in the chain of the log',
        });
      }
      if (stopAtDamage) break;
    }
    chained.add(file.index);
    tail = file;
    tailSealed = false;
    tailCut = false;
    if (file.headerBytes === 0) {
      // Created just before a crash: no header, so no record.
      tailEnd = 0;
      if (!isTail)
        damage.push({
          file: file.name,
          problem: 'the segment has no header but later segments hold records',
        });
      expected = undefined;
      continue;
    }
    const { end, next } = readFile(file, whole(file.path));
    tailEnd = end.offset;
    if (end.end === 'damaged') {
      damage.push({
        file: file.name,
        offset: end.offset,
        problem: 'a record that does not check (damaged bytes)',
      });
      continue;
    }
    if (end.end === 'stopped') continue;
    if (end.end === 'cut' || end.end === 'zeros') {
      if (isTail && next < 0) {
        tailCut = true;
      } else {
        damage.push({
          file: file.name,
          offset: end.offset,
          problem: 'the segment ends inside a record but is not the last',
        });
        continue;
      }
    }
    if (next >= 0) {
      tailSealed = true;
      expected = next;
    } else {
      if (!isTail) {
        damage.push({
          file: file.name,
          offset: end.offset,
          problem: 'the segment ends without its seal: records after this offset are missing',
        });
      }
      expected = undefined;
    }
  }
  if (!stop()) {
    if (tailSealed && expected !== undefined) {
      damage.push({
        file: segmentName(expected),
        problem: `the segment is missing (${tail!.name} is sealed naming it)`,
      });
    } else if (tail === undefined && plan.manifest !== undefined) {
      damage.push({
        file: segmentName(plan.manifest.next),
        problem: 'the segment the manifest names is missing',
      });
    }
  }
  return { damage, tail, tailEnd, tailCut, tailSealed, leftovers, chained, ends };
}
