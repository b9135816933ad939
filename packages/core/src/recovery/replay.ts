/**
 * @module recovery/replay — rebuilds the broker's topics, groups and messages from stored records.
 *
 * Replay drives the same objects and the same lifecycle table as live traffic, with the recorded values
 * (ids, slots, sequence numbers, deadlines, nonces) in place of fresh ones and no journal attached, so
 * nothing is written while reading. Records about messages that are gone are skipped.
 */
import type { BrokerEnv } from '../env.js';
import { ErrorCode, SluiceError } from '../errors.js';
import type { Group } from '../group.js';
import { groupOptionsOf, topicOptionsOf } from '../options.js';
import { QUEUE_GROUP, Queue } from '../queue.js';
import { type LogRecord, Rec, type ReplaySink } from '../storage/records.js';
import { Topic, type TopicKind } from '../topic.js';

/** What replay needs of the broker besides its registries. */
export interface ReplayHost extends BrokerEnv {
  /** A journal id seen in the log: new objects must get higher ones. */
  reserveJournalId(id: number): void;
}

/** A sink that applies each record to the broker's registries. */
export function replayInto(
  host: ReplayHost,
  topics: Map<string, Topic>,
  queues: Map<string, Queue>,
): ReplaySink {
  const topicsById = new Map<number, Topic>();
  const groupsById = new Map<number, Group>();
  const topicOf = (record: LogRecord) => topicsById.get(record[1] as number);
  const groupOf = (record: LogRecord) => groupsById.get(record[1] as number);
  return (record, chunk, offset, length, version) => {
    switch (record[0]) {
      case Rec.Appended:
        topicOf(record)?.restoreMessage(record, chunk, offset, length);
        return;
      case Rec.Delivered: {
        const group = groupOf(record);
        group?.topic.restoreDeliveries(group, record, version);
        return;
      }
      case Rec.Acked: {
        const group = groupOf(record);
        group?.topic.restoreAcks(group, record);
        return;
      }
      case Rec.Returned:
      case Rec.VisibilityChanged:
      case Rec.Released:
      case Rec.Due: {
        const group = groupOf(record);
        group?.topic.restore(record[0], record[2] as number, group, record);
        return;
      }
      case Rec.Expired:
        topicOf(record)?.restore(Rec.Expired, record[2] as number, undefined, record);
        return;
      case Rec.TopicCreated: {
        const [, journalId, name, kind, options, idPrefix, createdAt, lastSeq, modifiedAt] = record as [
          number,
          number,
          string,
          TopicKind,
          Record<string, unknown>,
          string,
          number,
          number,
          number | undefined,
        ];
        host.reserveJournalId(journalId);
        // A format-1 snapshot and the log after it may both create it.
        if (topicsById.has(journalId)) return;
        if (typeof name !== 'string' || (kind !== 'queue' && kind !== 'topic')) {
          throw new TypeError('a topic record without a name or kind');
        }
        const topic = new Topic(name, kind, topicOptionsOf(options), host, {
          journalId,
          idPrefix,
          createdAt,
          modifiedAt: modifiedAt ?? createdAt,
          lastSeq,
        });
        topics.set(name, topic);
        topicsById.set(journalId, topic);
        return;
      }
      case Rec.TopicDeleted: {
        const topic = topicOf(record);
        if (topic === undefined) return;
        topicsById.delete(topic.journalId);
        for (const group of topic.groups()) groupsById.delete(group.journalId);
        if (topics.get(topic.name) === topic) {
          topics.delete(topic.name);
          queues.delete(topic.name);
        }
        topic.destroy(new SluiceError(ErrorCode.TopicNotExist, `${topic.name} was deleted`));
        return;
      }
      case Rec.TopicOptions:
        topicOf(record)?.restoreOptions(
          record[2] as Record<string, unknown>,
          record[3] as number,
          version > 1,
        );
        return;
      case Rec.GroupCreated: {
        const [
          ,
          topicId,
          journalId,
          name,
          options,
          uid,
          createdAt,
          modifiedAt,
          acked,
          deadLettered,
          expired,
          startSeq,
        ] = record as [
          number,
          number,
          number,
          string,
          Record<string, unknown>,
          number,
          number,
          number | undefined,
          number | undefined,
          number | undefined,
          number | undefined,
          number | undefined,
        ];
        host.reserveJournalId(journalId);
        const topic = topicsById.get(topicId);
        if (topic === undefined || groupsById.has(journalId)) return;
        const group = topic.restoreGroup(name, groupOptionsOf(options), {
          journalId,
          uid,
          createdAt,
          modifiedAt: modifiedAt ?? createdAt,
          acked: acked ?? 0,
          deadLettered: deadLettered ?? 0,
          expired: expired ?? 0,
          // Format 1 and 2 logs predate `startAt`: every group there started at the earliest message.
          startSeq: startSeq ?? 0,
        });
        groupsById.set(journalId, group);
        if (topic.kind === 'queue' && name === QUEUE_GROUP) queues.set(topic.name, new Queue(topic, group));
        return;
      }
      case Rec.GroupDeleted: {
        const group = groupOf(record);
        if (group === undefined) return;
        groupsById.delete(group.journalId);
        if (group.topic.hasGroup(group.name)) group.topic.deleteGroup(group.name);
        return;
      }
      case Rec.GroupOptions:
        groupOf(record)?.restoreOptions(
          record[2] as Record<string, unknown>,
          record[3] as number,
          version > 1,
        );
        return;
      default:
        // The storage checked every record's tag and shape before handing it over.
        throw new RangeError(`unknown record tag ${String(record[0])}`);
    }
  };
}
