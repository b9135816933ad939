/**
 * @module storage/snapshot — the live state of a broker as records, for compaction.
 *
 * The snapshot is fuzzy: it is read in steps while the broker keeps running. That is safe because the
 * storage starts a new segment before the first step, so every change made meanwhile is also in the log
 * after the snapshot, and records carry absolute values: replaying them on top of the snapshot lands
 * on the same state.
 */
import { NONE } from '../message-store.js';
import { optionsRecord } from '../options.js';
import type { Topic } from '../topic.js';
import { type LogRecord, Rec } from './records.js';

/** One snapshot item: a record and, for `Appended`, the message body, its topic and slot. */
export type SnapshotItem = readonly [LogRecord, Uint8Array | undefined, Topic?, number?];

/** Yields the records that rebuild the live state of `topics`. */
export async function* snapshotOf(topics: ReadonlyMap<string, Topic>): AsyncGenerator<SnapshotItem> {
  const list = [...topics.values()];
  for (const topic of list) {
    yield [
      [
        Rec.TopicCreated,
        topic.journalId,
        topic.name,
        topic.kind,
        optionsRecord(topic.options),
        topic.idPrefix,
        topic.createdAt,
        topic.lastSeq,
      ],
      undefined,
    ];
    for (const group of topic.groups()) {
      yield [
        [
          Rec.GroupCreated,
          topic.journalId,
          group.journalId,
          group.name,
          optionsRecord(group.options),
          group.uid,
          group.createdAt,
        ],
        undefined,
      ];
    }
  }
  for (const topic of list) {
    const store = topic.store;
    // Copy the retention order first: slots may be freed and reused while the snapshot is being written.
    const slots: number[] = [];
    const seqs: number[] = [];
    for (let s = store.head; s !== NONE; s = store.retentionNext[s]!) {
      slots.push(s);
      seqs.push(store.seq[s]!);
    }
    const groups = [...topic.groups()];
    const groupRecords: unknown[][] = [];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (store.seq[slot] !== seqs[i]) continue; // gone since: its end is in the log after the snapshot
      const extra = store.extra(slot);
      const deliverAt = extra?.deliverAt ?? 0;
      const tag = store.tagOf(slot);
      const record = [
        Rec.Appended,
        topic.journalId,
        seqs[i],
        store.publishedAt[slot],
        tag ?? null,
        extra?.keys ?? null,
        extra?.properties ?? null,
        extra?.groupKey ?? null,
        deliverAt,
      ];
      groupRecords.length = 0;
      for (const group of groups) group.snapshotOf(slot, groupRecords);
      yield [record, store.body(slot), topic, slot];
      for (const r of groupRecords) yield [r, undefined];
    }
  }
}
