/**
 * @module storage/records — the records a durable storage keeps: every change of broker state, as a
 * fixed-position array `[tag, ...fields]` (no msgpack structures to save alongside the log).
 *
 * Topics and groups are named by numeric journal ids given at creation (a name reused after a delete
 * gets a new id), so the frequent records are short arrays of numbers.
 *
 * Records carry absolute values (a delivery's receive count, deadline and nonce; the state a returned
 * message went to; the slot a message lives in; complete options), never deltas, so the state after
 * replay is exactly the state that wrote them: receipt handles, which name a slot, keep working.
 *
 * A snapshot is a consistent copy of the state at one instant (the moment its segment was sealed), written
 * with the same records; the segments after it hold exactly the changes made after that instant.
 */

/** Record tags (the first element of every record). */
export const Rec = {
  /** [tag, topicId, name, kind, options, idPrefix, createdAt, lastSeq, modifiedAt] */
  TopicCreated: 1,
  /** [tag, topicId] */
  TopicDeleted: 2,
  /** [tag, topicId, options, modifiedAt] — options complete (unset fields as null) */
  TopicOptions: 3,
  /**
   * [tag, topicId, groupId, name, options, uid, createdAt, modifiedAt, acked, deadLettered, expired, startSeq]
   * — `startSeq` (absent before `startAt` existed: 0): the group takes only messages with a higher seq.
   */
  GroupCreated: 4,
  /** [tag, groupId] */
  GroupDeleted: 5,
  /** [tag, groupId, options, modifiedAt] — options complete (unset fields as null) */
  GroupOptions: 6,
  /**
   * [tag, topicId, seq, publishedAt, tag | null, keys | null, properties | null, groupKey | null, deliverAt,
   * slot, priority?] + body. `slot` is {@link NO_SLOT} for a message no group took (its tag matched no filter) in a
   * topic that does not keep consumed messages, recorded only so its sequence number is never given out again.
   * `priority` (1..16) is there only for a message sent with one (records written before priorities end at `slot`).
   */
  Appended: 7,
  /**
   * [tag, groupId, (seq, receiveCount, firstReceived, visibleAt, version, nonceA, nonceB)+] — one per receive
   * call. `firstReceived` is ms after publishedAt + 1 (0: never received).
   */
  Delivered: 8,
  /** [tag, groupId, seq+] — one per ack call */
  Acked: 9,
  /** [tag, groupId, seq, state] — a delivery ended unacked (nack or timeout): state is active or deadLetter */
  Returned: 10,
  /** [tag, groupId, seq, visibleAt, version, nonceA, nonceB] */
  VisibilityChanged: 11,
  /** [tag, topicId, seq] — retention expired the message in every group */
  Expired: 12,
  /** [tag, groupId, seq] — snapshots only: the group had already finished this message */
  Released: 13,
  /** [tag, nextSegment] — the last record of a segment: the segment that follows it */
  Sealed: 14,
  /**
   * [tag, groupId, seq] — a delayed message became visible. Time alone would say so again on replay, but
   * not after the clock stepped back: a message seen visible never turns delayed again.
   */
  Due: 15,
} as const;

/** `slot` of an `Appended` record whose message no group took. */
export const NO_SLOT = 0xffffffff;

/** A record: its tag, then its fields. */
export type LogRecord = readonly unknown[];

// Per tag: the fewest and most fields, and which fields (by index) must be numbers.
const SHAPES: Record<number, readonly [min: number, max: number, numbers: readonly number[]]> = {
  [Rec.TopicCreated]: [8, 9, [1, 6, 7, 8]],
  [Rec.TopicDeleted]: [2, 2, [1]],
  [Rec.TopicOptions]: [4, 4, [1, 3]],
  [Rec.GroupCreated]: [7, 12, [1, 2, 5, 6, 7, 8, 9, 10, 11]],
  [Rec.GroupDeleted]: [2, 2, [1]],
  [Rec.GroupOptions]: [4, 4, [1, 3]],
  [Rec.Appended]: [9, 11, [1, 2, 3, 8, 9, 10]],
  [Rec.Delivered]: [2, Number.MAX_SAFE_INTEGER, [1]],
  [Rec.Acked]: [2, Number.MAX_SAFE_INTEGER, [1]],
  [Rec.Returned]: [4, 4, [1, 2, 3]],
  [Rec.VisibilityChanged]: [7, 7, [1, 2, 3, 4, 5, 6]],
  [Rec.Expired]: [3, 3, [1, 2]],
  [Rec.Released]: [3, 3, [1, 2]],
  [Rec.Sealed]: [2, 2, [1]],
  [Rec.Due]: [3, 3, [1, 2]],
};

/**
 * Why `record` is not a record this version can replay, or undefined when it is. Recovery stops at a
 * record it cannot understand (naming the file and offset) rather than skip acknowledged data.
 */
export function recordProblem(record: unknown): string | undefined {
  if (!Array.isArray(record) || record.length === 0) return 'not a record';
  const shape = SHAPES[record[0] as number];
  if (shape === undefined) return `unknown record tag ${JSON.stringify(record[0])}`;
  const [min, max, numbers] = shape;
  if (record.length < min || record.length > max) return `record ${record[0]} has ${record.length} fields`;
  for (const i of numbers) {
    if (i < record.length && typeof record[i] !== 'number')
      return `record ${record[0]} field ${i} is not a number`;
  }
  if (record[0] === Rec.Delivered && (record.length - 2) % 7 !== 0) return 'record 8 has a partial delivery';
  if (record[0] === Rec.Appended && record.length > 10) {
    const priority = record[10] as number;
    if (!Number.isInteger(priority) || priority < 1 || priority > 16)
      return `record 7 has priority ${priority}`;
  }
  return undefined;
}

/** Bodies held by a storage, addressed by (chunk, offset, length): memory (`BodyArena`) or files behind a cache. */
export interface BodyStore {
  /** The body at that place (a view or a copy; never changed afterwards). */
  view(chunk: number, offset: number, length: number): Uint8Array;
  /** The body at that place is no longer needed. */
  free(chunk: number, offset: number, length: number): void;
}

/** What a change needs of the storage: room for new message bytes, or only for a small record. */
export const Need = {
  /** A change that adds messages (send): refused as soon as the disk runs short. */
  Room: 0,
  /** A change that only records state (receive, ack, nack, visibility, options): taken while a reserve lasts. */
  Record: 1,
} as const;
export type Need = (typeof Need)[keyof typeof Need];

/**
 * What the broker writes to when storage is durable. Records are buffered; `flush` on the storage makes
 * them durable. A message record also stores its body and answers where, in `lastChunk`/`lastOffset`.
 * Writing never throws: a change the storage cannot take is refused before it is made (`refusal`).
 */
export interface Journal {
  record(record: LogRecord): void;
  /** Writes an `Appended` record followed by its body bytes (`length` of them; UTF-8 for a string). */
  message(record: LogRecord, body: string | Uint8Array, length: number): void;
  lastChunk: number;
  lastOffset: number;
  /** The bodies of messages written through this journal. */
  readonly bodies: BodyStore;
  /** Why a change that needs `need` cannot be taken now, or undefined when it can. */
  refusal(need: Need): Error | undefined;
}

/** Receives the records of a durable storage on open, in order. `version` is the format of the file read. */
export type ReplaySink = (
  record: LogRecord,
  chunk: number,
  offset: number,
  length: number,
  version: number,
) => void;
