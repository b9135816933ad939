/**
 * @module recovery/snapshot — the live state of a broker as records, for compaction.
 *
 * HOW: `captureState` copies, synchronously and at the instant the storage seals its segment, what the
 * records need: each topic's messages in publish order (slot, seq, times, tag, extras, where the body
 * is) and each group's state of each (see `Topic.capture`, `Group.capture`); typed-array reads, no body
 * bytes. `snapshotRecords` then turns the copy into records while the broker keeps running; bodies are
 * read from their (immutable) place in the old files, which stay until the snapshot is committed.
 *
 * WHY a copy and not a walk of the live state: the snapshot must be the state at one instant, the one
 * the sealed segment ends at, so that replaying it and then the segments after it gives exactly the live
 * state: the same slots (receipt handles stay valid), the same counters, no change counted twice.
 */
import { MsgState } from '../lifecycle/codes.js';
import type { SnapshotItem } from '../storage/adapter.js';
import type { BodyStore } from '../storage/records.js';
import { Rec } from '../storage/records.js';
import type { Topic, TopicCapture } from '../topic.js';

/** The state of every topic at one instant. */
export type StateCapture = readonly TopicCapture[];

/** Copies the state of `topics` now (see the module doc). */
export function captureState(topics: Iterable<Topic>): StateCapture {
  const out: TopicCapture[] = [];
  for (const topic of topics) out.push(topic.capture());
  return out;
}

/**
 * The records that rebuild `capture`, with message bodies read from `bodies`. Per topic: the topic, its
 * groups (with their counters), then each message followed by what each group had done with it.
 */
export async function* snapshotRecords(
  capture: StateCapture,
  bodies: BodyStore,
): AsyncGenerator<SnapshotItem> {
  for (const t of capture) {
    yield [t.created, undefined];
    const topicId = t.created[1] as number;
    for (const g of t.groups) {
      yield [
        [
          Rec.GroupCreated,
          topicId,
          g.journalId,
          g.name,
          g.options,
          g.uid,
          g.createdAt,
          g.modifiedAt,
          g.acked,
          g.deadLettered,
          g.expired,
          g.startSeq,
        ],
        undefined,
      ];
    }
    // Inflight deliveries by message index, per group.
    const inflight = t.groups.map((g) => {
      const byIndex = new Map<number, number>();
      for (let k = 0; k < g.inflight.length; k += 5) byIndex.set(g.inflight[k]!, k);
      return byIndex;
    });
    for (let i = 0; i < t.count; i++) {
      const extra = t.extras[i];
      const record: unknown[] = [
        Rec.Appended,
        topicId,
        t.seq[i],
        t.publishedAt[i],
        t.tags[i] ?? null,
        extra?.keys ?? null,
        extra?.properties ?? null,
        extra?.groupKey ?? null,
        extra?.deliverAt ?? 0,
        t.slots[i],
      ];
      const priority = t.priorities?.[i] ?? 0;
      if (priority !== 0) record.push(priority);
      yield [record, bodies.view(t.chunk[i]!, t.offset[i]!, t.length[i]!)];
      for (let j = 0; j < t.groups.length; j++) {
        const g = t.groups[j]!;
        const state = g.state[i]!;
        const seq = t.seq[i];
        if (state === MsgState.Inflight) {
          const k = inflight[j]!.get(i)!;
          const d = g.inflight;
          yield [
            [
              Rec.Delivered,
              g.journalId,
              seq,
              g.receiveCount[i],
              g.firstReceived[i],
              d[k + 1],
              d[k + 2],
              d[k + 3],
              d[k + 4],
            ],
            undefined,
          ];
        } else if (state === MsgState.Active || state === MsgState.Delayed) {
          if (g.receiveCount[i]! > 0) {
            // Visible again after earlier deliveries: one delivery and its return keep the counts.
            yield [
              [Rec.Delivered, g.journalId, seq, g.receiveCount[i], g.firstReceived[i], 0, 0, 0, 0],
              undefined,
            ];
            yield [[Rec.Returned, g.journalId, seq, MsgState.Active], undefined];
          } else if (state === MsgState.Active && (extra?.deliverAt ?? 0) > 0) {
            // Delayed once, visible now: it stays visible, whatever the clock says on replay.
            yield [[Rec.Due, g.journalId, seq], undefined];
          }
        } else if (g.group.wants(t.tags[i])) {
          // Finished here while other groups still hold it (a group that never held it is left alone:
          // its filter keeps it out on replay as it did live).
          yield [[Rec.Released, g.journalId, seq], undefined];
        }
      }
    }
  }
}
