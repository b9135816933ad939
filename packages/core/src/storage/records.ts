/**
 * @module storage/records — the records a durable storage keeps: every change of broker state, as a
 * fixed-position array `[tag, ...fields]` (no msgpack structures to save alongside the log).
 *
 * Topics and groups are named by numeric journal ids given at creation (a name reused after a delete
 * gets a new id), so the frequent records are short arrays of numbers.
 *
 * Records carry absolute values (a delivery's receive count, deadline and nonce; the state a returned
 * message went to), never deltas, so replaying a record twice gives the same state: that is what lets a
 * snapshot be taken while the broker keeps running (records written after the snapshot began are
 * replayed on top of it).
 */

/** Record tags (the first element of every record). */
export const Rec = {
  /** [tag, topicId, name, kind, options, idPrefix, createdAt, lastSeq] */
  TopicCreated: 1,
  /** [tag, topicId] */
  TopicDeleted: 2,
  /** [tag, topicId, options, modifiedAt] */
  TopicOptions: 3,
  /** [tag, topicId, groupId, name, options, uid, createdAt] */
  GroupCreated: 4,
  /** [tag, groupId] */
  GroupDeleted: 5,
  /** [tag, groupId, options, modifiedAt] */
  GroupOptions: 6,
  /** [tag, topicId, seq, publishedAt, tag | null, keys | null, properties | null, groupKey | null, deliverAt] + body */
  Appended: 7,
  /** [tag, groupId, (seq, receiveCount, firstReceivedAt, visibleAt, version, nonceA, nonceB)+] — one per receive call */
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
} as const;

/** A record: its tag, then its fields. */
export type LogRecord = readonly unknown[];

/** Bodies held by a storage, addressed by (chunk, offset, length): memory (`BodyArena`) or files behind a cache. */
export interface BodyStore {
  /** The body at that place (a view or a copy; never changed afterwards). */
  view(chunk: number, offset: number, length: number): Uint8Array;
  /** The body at that place is no longer needed. */
  free(chunk: number, offset: number, length: number): void;
}

/**
 * What the broker writes to when storage is durable. Records are buffered; `flush` on the storage makes
 * them durable. A message record also stores its body and answers where, in `lastChunk`/`lastOffset`.
 */
export interface Journal {
  record(record: LogRecord): void;
  /** Writes an `Appended` record followed by its body bytes (`length` of them; UTF-8 for a string). */
  message(record: LogRecord, body: string | Uint8Array, length: number): void;
  lastChunk: number;
  lastOffset: number;
  /** The bodies of messages written through this journal. */
  readonly bodies: BodyStore;
}

/** Receives the records of a durable storage on open, in order. */
export type ReplaySink = (record: LogRecord, chunk: number, offset: number, length: number) => void;
