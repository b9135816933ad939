/**
 * @module registry — DMS projects, queues and consumer groups mapped onto core topics and groups.
 *
 * A DMS queue `(project, id)` is the core topic `dms:<project>:<id>`; each consumer group is a core group named by
 * its group id; each group's dead letters are the core queue `dms:<project>:<id>:<group id>:deadletters`. The prefix
 * keeps DMS objects apart from other dialects'. Names, descriptions and modes live in the core `metadata`, so a
 * broker on durable storage gives the same queues back after a restart ({@link DmsRegistry.load}).
 */
import { randomUUID } from 'node:crypto';
import type { Broker, Group, Queue, Topic } from '@sluice/core';
import { DmsCaps } from './caps.js';
import { DmsCode, dmsError } from './errors.js';
import { routeTag } from './handler-token.js';

/** Queue modes of the v1.0 API. */
export const QueueMode = {
  Normal: 'NORMAL',
  Fifo: 'FIFO',
  KafkaHa: 'KAFKA_HA',
  KafkaHt: 'KAFKA_HT',
} as const;

/** One of the {@link QueueMode} values. */
export type QueueMode = (typeof QueueMode)[keyof typeof QueueMode];

/** Largest message, and largest produce/consume payload, bytes. */
export const MAX_MESSAGE_BYTES = 524_288;

/** How long dead letters (and NORMAL/FIFO messages) are kept: 72 h. */
const RETENTION_72H_MS = 72 * 3600 * 1000;

/** A DMS queue as the dialect sees it. */
export interface DmsQueue {
  readonly project: string;
  /** UUID. */
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly mode: QueueMode;
  /** Dead letters enabled. */
  readonly redrive: boolean;
  /** Failures before a message is dead-lettered (only meaningful with `redrive`). */
  readonly maxConsumeCount: number;
  /** Retention in hours: 72 for NORMAL/FIFO, the requested value for Kafka modes. */
  readonly retentionHours: number;
  readonly topic: Topic;
  /** Consumer groups by id, in creation order. */
  readonly groups: Map<string, DmsGroup>;
  /**
   * Largest stored message (body + attributes), bytes: while 10 of them fit in 512 KB, consume needs no size check.
   * Unknown after a reload, so it starts at the maximum there.
   */
  largestMessage: number;
}

/** A DMS consumer group. */
export interface DmsGroup {
  /** `g-` + UUID. */
  readonly id: string;
  readonly name: string;
  readonly queue: DmsQueue;
  readonly group: Group;
  /** The group's dead-letter store, when the queue has `redrive` on. */
  readonly deadLetters: Queue | undefined;
  /** Route tag of the group's handlers (see handler-token.ts). */
  readonly tag: string;
}

/** What `POST /queues` asks for, validated. */
export interface QueueSpec {
  readonly name: string;
  readonly description: string | null;
  readonly mode: QueueMode;
  readonly redrive: boolean;
  readonly maxConsumeCount: number;
  readonly retentionHours: number;
}

const PREFIX = 'dms:';
const META = {
  kind: 'dms.kind',
  project: 'dms.project',
  id: 'dms.id',
  name: 'dms.name',
  description: 'dms.description',
  mode: 'dms.mode',
  redrive: 'dms.redrive',
  maxConsumeCount: 'dms.maxConsumeCount',
  retentionHours: 'dms.retentionHours',
} as const;

/** Core topic name of a DMS queue. */
export function topicName(project: string, queueId: string): string {
  return `${PREFIX}${project}:${queueId}`;
}

/** Core queue name of a group's dead letters. */
export function deadLetterName(project: string, queueId: string, groupId: string): string {
  return `${PREFIX}${project}:${queueId}:${groupId}:deadletters`;
}

/** True when `mode` is one of the Kafka modes. */
export function isKafka(mode: QueueMode): boolean {
  return mode === QueueMode.KafkaHa || mode === QueueMode.KafkaHt;
}

/** The DMS view of a broker: every project's queues and groups. */
export class DmsRegistry {
  readonly #broker: Broker;
  /** Projects with at least one queue (an emptied project is dropped, so `size` counts the projects in use). */
  readonly #projects = new Map<string, Map<string, DmsQueue>>();
  readonly #caps: DmsCaps;
  readonly #groupStart: 'earliest' | 'latest';

  /**
   * `caps`: the quotas creation is checked against (default: none); `groupStart`: where new groups start
   * (default: the earliest retained message).
   */
  constructor(broker: Broker, caps: DmsCaps = new DmsCaps(), groupStart: 'earliest' | 'latest' = 'earliest') {
    this.#broker = broker;
    this.#caps = caps;
    this.#groupStart = groupStart;
  }

  /** Rebuilds the registry from the broker's `dms:` topics (after a restart on durable storage). */
  load(): void {
    let objects = 0;
    for (const name of this.#broker.listTopics()) {
      if (!name.startsWith(PREFIX)) continue;
      const topic = this.#broker.topic(name);
      const meta = topic.options.metadata ?? {};
      if (meta[META.kind] !== 'queue') continue;
      const project = meta[META.project] ?? '';
      const id = meta[META.id] ?? '';
      const queue: DmsQueue = {
        project,
        id,
        name: meta[META.name] ?? id,
        description: meta[META.description] ?? null,
        mode: (meta[META.mode] as QueueMode | undefined) ?? QueueMode.Normal,
        redrive: meta[META.redrive] === 'enable',
        maxConsumeCount: Number(meta[META.maxConsumeCount] ?? 0),
        retentionHours: Number(meta[META.retentionHours] ?? 72),
        topic,
        groups: new Map(),
        largestMessage: MAX_MESSAGE_BYTES,
      };
      const groups = topic
        .listGroups()
        .map((groupId) => topic.group(groupId))
        .sort((a, b) => a.createdAt - b.createdAt);
      for (const group of groups) {
        const dl = deadLetterName(project, id, group.name);
        queue.groups.set(group.name, {
          id: group.name,
          name: group.options.metadata?.[META.name] ?? group.name,
          queue,
          group,
          deadLetters: this.#broker.hasQueue(dl) ? this.#broker.queue(dl) : undefined,
          tag: routeTag(project, id, group.name),
        });
      }
      this.#project(project).set(id, queue);
      objects += 1 + queue.groups.size;
    }
    this.#caps.adopt(objects);
  }

  #project(project: string): Map<string, DmsQueue> {
    let queues = this.#projects.get(project);
    if (queues === undefined) {
      queues = new Map();
      this.#projects.set(project, queues);
    }
    return queues;
  }

  /** The project's queues, oldest first. */
  listQueues(project: string): DmsQueue[] {
    const queues = [...(this.#projects.get(project)?.values() ?? [])];
    return queues.sort((a, b) => a.topic.createdAt - b.topic.createdAt);
  }

  /** How many queues the project has. */
  queueCount(project: string): number {
    return this.#projects.get(project)?.size ?? 0;
  }

  /** A queue by id, or 404 `10240401`. */
  queue(project: string, queueId: string): DmsQueue {
    const queue = this.#projects.get(project)?.get(queueId);
    if (queue === undefined) throw dmsError(DmsCode.QueueNotFound);
    return queue;
  }

  /** True while the queue exists (a parked consume checks this to tell a deleted queue from a deleted group). */
  hasQueue(project: string, queueId: string): boolean {
    return this.#projects.get(project)?.has(queueId) === true;
  }

  /** A group of a queue by id, or 404 `10240405`. */
  group(queue: DmsQueue, groupId: string): DmsGroup {
    const group = queue.groups.get(groupId);
    if (group === undefined) throw dmsError(DmsCode.GroupNotFound);
    return group;
  }

  /**
   * Creates a queue; the caller has checked the name rules. 400 `10240017` when the name is taken, 400 `10240020`
   * past a quota (queues per project, projects, the server's objects).
   */
  createQueue(project: string, spec: QueueSpec): DmsQueue {
    const existing = this.#projects.get(project);
    for (const q of existing?.values() ?? [])
      if (q.name === spec.name) throw dmsError(DmsCode.QueueNameExists);
    return this.#caps.queue(existing?.size ?? 0, this.#projects.size, () => this.#newQueue(project, spec));
  }

  #newQueue(project: string, spec: QueueSpec): DmsQueue {
    const id = randomUUID();
    const metadata: Record<string, string> = {
      [META.kind]: 'queue',
      [META.project]: project,
      [META.id]: id,
      [META.name]: spec.name,
      [META.mode]: spec.mode,
      [META.redrive]: spec.redrive ? 'enable' : 'disable',
      [META.maxConsumeCount]: String(spec.maxConsumeCount),
      [META.retentionHours]: String(spec.retentionHours),
    };
    if (spec.description !== null) metadata[META.description] = spec.description;
    const topic = this.#broker.createTopic(topicName(project, id), {
      retention: spec.retentionHours * 3600 * 1000,
      maxMessageSize: MAX_MESSAGE_BYTES,
      metadata,
    });
    const queue: DmsQueue = { project, id, ...spec, topic, groups: new Map(), largestMessage: 0 };
    this.#project(project).set(id, queue);
    return queue;
  }

  /** Deletes a queue with its groups and dead letters; parked consumes end with 404. */
  deleteQueue(queue: DmsQueue): void {
    const queues = this.#projects.get(queue.project);
    if (queues?.delete(queue.id) !== true) return;
    if (queues.size === 0) this.#projects.delete(queue.project);
    for (const group of queue.groups.values()) this.#dropDeadLetters(group);
    const objects = 1 + queue.groups.size;
    queue.groups.clear();
    if (this.#broker.hasTopic(queue.topic.name)) this.#broker.deleteTopic(queue.topic.name);
    this.#caps.release(objects);
  }

  /**
   * Creates groups, all or nothing. The caller has validated names; 400 `10240018` for a taken or repeated name,
   * 400 `10240019` past `maxGroups` or a quota (groups per queue, the server's objects).
   */
  createGroups(queue: DmsQueue, names: readonly string[], maxGroups: number): DmsGroup[] {
    if (queue.groups.size + names.length > maxGroups) {
      throw dmsError(DmsCode.TooManyGroups, `A queue can have at most ${maxGroups} consumer groups.`);
    }
    const taken = new Set([...queue.groups.values()].map((g) => g.name));
    for (const name of names) {
      if (taken.has(name)) throw dmsError(DmsCode.GroupNameExists);
      taken.add(name);
    }
    const before = queue.groups.size;
    try {
      return this.#caps.groups(before, names.length, () => this.#newGroups(queue, names));
    } catch (error) {
      // A failure half-way (a full disk) keeps the groups made before it: they hold places again.
      this.#caps.adopt(queue.groups.size - before);
      throw error;
    }
  }

  #newGroups(queue: DmsQueue, names: readonly string[]): DmsGroup[] {
    const fifo = queue.mode === QueueMode.Fifo;
    return names.map((name) => {
      const id = `g-${randomUUID()}`;
      let deadLetters: Queue | undefined;
      if (queue.redrive) {
        deadLetters = this.#broker.createQueue(deadLetterName(queue.project, queue.id, id), {
          retention: RETENTION_72H_MS,
          maxMessageSize: MAX_MESSAGE_BYTES,
          ordered: fifo,
          metadata: { [META.kind]: 'deadletters' },
        });
      }
      const group = queue.topic.createGroup(id, {
        ordered: fifo,
        startAt: this.#groupStart,
        metadata: { [META.name]: name },
        ...(deadLetters === undefined
          ? {}
          : { maxReceiveCount: queue.maxConsumeCount, deadLetterQueue: deadLetters.name }),
      });
      const entry: DmsGroup = {
        id,
        name,
        queue,
        group,
        deadLetters,
        tag: routeTag(queue.project, queue.id, id),
      };
      queue.groups.set(id, entry);
      return entry;
    });
  }

  /** Deletes a group and its dead letters; its parked consumes end with 404 `10240405`. */
  deleteGroup(group: DmsGroup): void {
    if (!group.queue.groups.delete(group.id)) return;
    if (group.queue.topic.hasGroup(group.id)) group.queue.topic.deleteGroup(group.id);
    this.#dropDeadLetters(group);
    this.#caps.release(1);
  }

  #dropDeadLetters(group: DmsGroup): void {
    if (group.deadLetters !== undefined && this.#broker.hasQueue(group.deadLetters.name)) {
      this.#broker.deleteQueue(group.deadLetters.name);
    }
  }
}
