/**
 * @module storage/replay — rebuilds the broker's topics, groups and messages from stored records.
 *
 * Replay drives the same objects and the same lifecycle table as live traffic, with the recorded values
 * (ids, sequence numbers, deadlines, nonces) in place of fresh ones and no journal attached, so nothing
 * is written while reading. Records about messages that are gone are skipped: a snapshot drops
 * finished messages, and records written while a snapshot was being taken repeat what it holds.
 */
import type { BrokerEnv } from '../env.js';
import { QUEUE_GROUP, Queue } from '../queue.js';
import { Topic, type TopicKind } from '../topic.js';
import type { GroupOptions, TopicOptions } from '../types.js';
import { type LogRecord, Rec, type ReplaySink } from './records.js';

/** A sink that applies each record to the broker's registries. */
export function replayInto(
  env: BrokerEnv,
  topics: Map<string, Topic>,
  queues: Map<string, Queue>,
): ReplaySink {
  return (record: LogRecord, chunk: number, offset: number, length: number) => {
    switch (record[0]) {
      case Rec.TopicCreated: {
        const [, name, kind, options, idPrefix, createdAt, lastSeq] = record as [
          number,
          string,
          TopicKind,
          TopicOptions,
          string,
          number,
          number,
        ];
        if (topics.has(name)) return; // a snapshot and the log after it may both create it
        topics.set(name, new Topic(name, kind, options, env, { idPrefix, createdAt, lastSeq }));
        return;
      }
      case Rec.TopicDeleted: {
        const name = record[1] as string;
        const topic = topics.get(name);
        if (topic === undefined) return;
        topics.delete(name);
        queues.delete(name);
        topic.destroy(undefined);
        return;
      }
      case Rec.TopicOptions:
        topics.get(record[1] as string)?.restoreOptions(record[2] as TopicOptions, record[3] as number);
        return;
      case Rec.GroupCreated: {
        const [, topicName, name, options, uid, createdAt] = record as [
          number,
          string,
          string,
          GroupOptions,
          number,
          number,
        ];
        const topic = topics.get(topicName);
        if (topic === undefined || topic.hasGroup(name)) return;
        const group = topic.restoreGroup(name, options, uid, createdAt);
        if (topic.kind === 'queue' && name === QUEUE_GROUP) queues.set(topicName, new Queue(topic, group));
        return;
      }
      case Rec.GroupDeleted: {
        const topic = topics.get(record[1] as string);
        if (topic?.hasGroup(record[2] as string)) topic.deleteGroup(record[2] as string);
        return;
      }
      case Rec.GroupOptions: {
        const topic = topics.get(record[1] as string);
        if (topic?.hasGroup(record[2] as string)) {
          topic.group(record[2] as string).restoreOptions(record[3] as GroupOptions, record[4] as number);
        }
        return;
      }
      case Rec.Appended:
        topics.get(record[1] as string)?.restoreMessage(record, chunk, offset, length);
        return;
      case Rec.Expired:
        topics.get(record[1] as string)?.restore(Rec.Expired, record[2] as number, undefined, record);
        return;
      case Rec.Delivered:
      case Rec.Acked:
      case Rec.Returned:
      case Rec.VisibilityChanged:
      case Rec.Released:
        topics.get(record[1] as string)?.restore(record[0], record[3] as number, record[2] as string, record);
        return;
      default:
        throw new RangeError(`unknown record tag ${String(record[0])}`);
    }
  };
}
