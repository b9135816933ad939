/**
 * @module topic — an append-only log of messages with consumer groups reading it independently.
 *
 * The body and fields of a message are stored once, in the topic's {@link MessageStore}; each group keeps
 * only its delivery state per message. A message is freed when every group is done with it (its `refs`
 * count reaches zero) or when retention expires it. A topic with no group keeps its messages until
 * retention, so a group created later starts from the earliest retained message.
 */
import { ErrorCode, invalidArgument, SluiceError } from './errors.js';
import { type BrokerLink, Group } from './group.js';
import { type MessageExtra, MessageStore, NONE, type Slot } from './message-store.js';
import { type ResolvedTopicOptions, resolveTopicOptions, sameOptions } from './options.js';
import { randomWord } from './receipt.js';
import type { Scheduler, Timed } from './scheduler.js';
import type {
  GroupOptions,
  SendBatchItem,
  SendInput,
  SendResult,
  TopicOptions,
  TopicStats,
} from './types.js';

/** Longest topic, queue or group name. */
export const MAX_NAME_LENGTH = 256;

/** Throws `InvalidArgument` unless `name` is a usable name. */
export function checkName(field: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw invalidArgument(field, `must be a string of 1..${MAX_NAME_LENGTH} characters`);
  }
}

/** What a topic is to the broker: a named queue (one implicit group) or a topic with named groups. */
export type TopicKind = 'queue' | 'topic';

/** A topic: send messages to it, read them through its consumer groups. Obtain one with `broker.createTopic`. */
export class Topic implements Timed {
  /** The topic's name. */
  readonly name: string;
  /** Whether the broker made it as a queue or a topic. */
  readonly kind: TopicKind;
  /** When the topic was created, clock ms. */
  readonly createdAt: number;
  /** @internal The column store of the messages. */
  readonly store: MessageStore;
  #modifiedAt: number;
  #options: ResolvedTopicOptions;
  readonly #groups = new Map<string, Group>();
  readonly #scheduler: Scheduler;
  readonly #broker: BrokerLink;
  readonly #idPrefix: string;
  #seq = 0;
  #sent = 0;
  #deleted: SluiceError | undefined;

  /** @internal Created by the broker. */
  constructor(
    name: string,
    kind: TopicKind,
    options: TopicOptions | undefined,
    scheduler: Scheduler,
    broker: BrokerLink,
  ) {
    this.name = name;
    this.kind = kind;
    this.#options = resolveTopicOptions(options);
    this.#scheduler = scheduler;
    this.#broker = broker;
    this.store = new MessageStore();
    this.createdAt = this.#modifiedAt = scheduler.clock.now();
    this.#idPrefix = hex8(randomWord()) + hex8(randomWord());
  }

  /** The topic's options, every field set. */
  get options(): ResolvedTopicOptions {
    return this.#options;
  }

  /** When the options last changed, clock ms. */
  get modifiedAt(): number {
    return this.#modifiedAt;
  }

  /** Changes options; a shorter retention applies to stored messages at the next tick. */
  setOptions(options: TopicOptions): void {
    this.#checkLive();
    this.#options = resolveTopicOptions(options, this.#options);
    this.#modifiedAt = this.#scheduler.clock.now();
    this.#scheduler.wake(this.#retentionDue());
  }

  /**
   * Sends one message to every group of the topic.
   * @example
   * const { id } = await topic.send({ body: 'hello', tag: 'greeting' });
   */
  send(input: SendInput): Promise<SendResult> {
    try {
      this.#checkLive();
      const now = this.#scheduler.clock.now();
      const id = this.#append(input, now);
      this.#wakeGroups();
      return Promise.resolve({ id });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends many messages; one result per input, in order: `{ id }`, or `{ error }` for an input that was refused. */
  sendBatch(inputs: readonly SendInput[]): Promise<SendBatchItem[]> {
    try {
      this.#checkLive();
      if (!Array.isArray(inputs)) throw invalidArgument('inputs', 'must be an array');
      const now = this.#scheduler.clock.now();
      const results: SendBatchItem[] = new Array(inputs.length);
      for (let i = 0; i < inputs.length; i++) {
        try {
          results[i] = { id: this.#append(inputs[i]!, now) };
        } catch (error) {
          if (!(error instanceof SluiceError)) throw error;
          results[i] = { error };
        }
      }
      this.#wakeGroups();
      return Promise.resolve(results);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Creates a consumer group that starts from the earliest retained message. Same name and options
   * answers the existing group; other options throw `GroupAlreadyExist`.
   */
  createGroup(name: string, options?: GroupOptions): Group {
    this.#checkLive();
    if (this.kind === 'queue') {
      // A queue is a topic with exactly one implicit group, named ''.
      if (name !== '' || this.#groups.size > 0) throw invalidArgument('group', 'cannot be added to a queue');
    } else checkName('group', name);
    const existing = this.#groups.get(name);
    const group = new Group(this, name, options, this.#scheduler, this.#broker);
    if (existing !== undefined) {
      if (sameOptions(existing.options, group.options)) return existing;
      throw new SluiceError(
        ErrorCode.GroupAlreadyExist,
        `group ${name} already exists on ${this.name} with other options`,
        {
          group: name,
        },
      );
    }
    this.#groups.set(name, group);
    this.#backfill(group);
    return group;
  }

  /** The group named `name`; throws `GroupNotExist`. */
  group(name: string): Group {
    const group = this.#groups.get(name);
    if (group === undefined) {
      throw new SluiceError(ErrorCode.GroupNotExist, `group ${String(name)} does not exist on ${this.name}`, {
        group: name,
      });
    }
    return group;
  }

  /** True when the group exists. */
  hasGroup(name: string): boolean {
    return this.#groups.has(name);
  }

  /** Group names, sorted. */
  listGroups(): string[] {
    return [...this.#groups.keys()].sort();
  }

  /** Deletes a group: its parked receivers are rejected with `GroupNotExist`, its messages released. */
  deleteGroup(name: string): void {
    const group = this.group(name);
    this.#groups.delete(name);
    group.destroy(
      new SluiceError(ErrorCode.GroupNotExist, `group ${name} was deleted from ${this.name}`, {
        group: name,
      }),
    );
  }

  /** Counts of the stored messages. */
  stats(): TopicStats {
    return { messages: this.store.size, bytes: this.store.arena.bytes, sent: this.#sent };
  }

  /** @internal Groups of the topic. */
  groups(): IterableIterator<Group> {
    return this.#groups.values();
  }

  /** @internal The message id of a sequence number: a 64-bit topic prefix and the 64-bit sequence, in hex. */
  idOf(seq: number): string {
    return this.#idPrefix + hex16(seq);
  }

  /** @internal A group finished with `slot`; free it when no group holds it. */
  unref(slot: Slot): void {
    const store = this.store;
    const refs = store.refs[slot]! - 1;
    store.refs[slot] = refs;
    if (refs === 0) store.remove(slot);
  }

  /** @internal Appends a copy of another topic's message (a dead letter) and wakes receivers. */
  appendCopy(from: MessageStore, slot: Slot): void {
    const extra = from.extra[slot];
    this.#store(from.body(slot), from.tagNames[from.tag[slot]!], extra, this.#scheduler.clock.now(), 0);
    this.#wakeGroups();
  }

  /** @internal Earliest timed work of the topic and its groups. */
  nextDue(): number {
    let due = this.#retentionDue();
    for (const group of this.#groups.values()) {
      const d = group.nextDue();
      if (d < due) due = d;
    }
    return due;
  }

  /** @internal Expires messages past retention, then runs the groups' deadlines. */
  tick(now: number): void {
    const store = this.store;
    const retention = this.#options.retention;
    while (store.head !== NONE && store.publishedAt[store.head]! + retention <= now) {
      const slot = store.head;
      // Keep the message alive until every group has let go, then free it (whatever the refs say).
      store.refs[slot]! += 1;
      for (const group of this.#groups.values()) group.expire(slot, now);
      this.unref(slot);
    }
    for (const group of this.#groups.values()) group.tick(now);
  }

  /** @internal Deletes the topic: rejects parked receivers with `reason` (or resolves them with [] on close). */
  destroy(reason: SluiceError | undefined): void {
    this.#deleted = reason ?? new SluiceError(ErrorCode.BrokerClosed, 'the broker is closed');
    for (const group of this.#groups.values()) group.destroy(reason);
    this.#groups.clear();
  }

  #retentionDue(): number {
    const head = this.store.head;
    return head === NONE ? Number.POSITIVE_INFINITY : this.store.publishedAt[head]! + this.#options.retention;
  }

  #checkLive(): void {
    if (this.#deleted !== undefined) throw this.#deleted;
  }

  #wakeGroups(): void {
    for (const group of this.#groups.values()) group.wake();
  }

  /** Validates and stores one input; answers its id. */
  #append(input: SendInput, now: number): string {
    if (typeof input !== 'object' || input === null) throw invalidArgument('message', 'must be an object');
    const { body, tag, keys, properties, delay, deliverAt, groupKey } = input;
    let length: number;
    if (typeof body === 'string') length = Buffer.byteLength(body, 'utf8');
    else if (body instanceof Uint8Array) length = body.length;
    else throw invalidArgument('body', 'must be a string or a Uint8Array');
    if (length > this.#options.maxMessageSize) {
      throw new SluiceError(
        ErrorCode.MessageTooLarge,
        `body is ${length} bytes, more than maxMessageSize ${this.#options.maxMessageSize}`,
        { size: length, limit: this.#options.maxMessageSize },
      );
    }
    if (tag !== undefined && typeof tag !== 'string') throw invalidArgument('tag', 'must be a string');
    if (keys !== undefined && (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))) {
      throw invalidArgument('keys', 'must be an array of strings');
    }
    if (properties !== undefined) checkProperties(properties);
    if (groupKey !== undefined && typeof groupKey !== 'string')
      throw invalidArgument('groupKey', 'must be a string');
    let due = now + this.#options.delay;
    if (deliverAt !== undefined) {
      if (typeof deliverAt !== 'number' || !Number.isFinite(deliverAt)) {
        throw invalidArgument('deliverAt', 'must be a finite number of ms');
      }
      due = deliverAt;
    } else if (delay !== undefined) {
      if (typeof delay !== 'number' || !(delay >= 0) || delay > 0xffffffff) {
        throw invalidArgument('delay', 'must be a number of ms in 0..4294967295');
      }
      due = now + delay;
    }
    const delayed = due > now;
    const extra: MessageExtra | undefined =
      keys !== undefined || properties !== undefined || groupKey !== undefined || delayed
        ? { keys, properties, groupKey, deliverAt: delayed ? due : 0 }
        : undefined;
    return this.idOf(this.#store(body, tag, extra, now, delayed ? due : 0));
  }

  /** Stores a validated message and hands it to every group; answers its sequence number. */
  #store(
    body: string | Uint8Array,
    tag: string | undefined,
    extra: MessageExtra | undefined,
    now: number,
    due: number,
  ): number {
    const store = this.store;
    const seq = ++this.#seq;
    this.#sent++;
    const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    const tagId = store.tagId(tag);
    const wasEmpty = store.head === NONE;
    const slot = store.add(seq, now, body, length, tagId, extra);
    let refs = 0;
    for (const group of this.#groups.values()) if (group.accept(slot, tagId, due, now)) refs++;
    store.refs[slot] = refs;
    // Filtered out by every group: nobody will ever read it.
    if (refs === 0 && this.#groups.size > 0) store.remove(slot);
    else if (wasEmpty) this.#scheduler.wake(now + this.#options.retention);
    return seq;
  }

  /** A new group takes every retained message, in publish order. */
  #backfill(group: Group): void {
    const store = this.store;
    const now = this.#scheduler.clock.now();
    if (store.capacity > 0) group.grow(store.capacity);
    for (let s = store.head; s !== NONE; s = store.retentionNext[s]!) {
      const deliverAt = store.extra[s]?.deliverAt ?? 0;
      if (group.accept(s, store.tag[s]!, deliverAt, now)) store.refs[s]! += 1;
    }
  }
}

function checkProperties(properties: unknown): void {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw invalidArgument('properties', 'must be an object of strings');
  }
  for (const key in properties) {
    if (typeof (properties as Record<string, unknown>)[key] !== 'string') {
      throw invalidArgument('properties', `value of ${key} must be a string`);
    }
  }
}

const HEX = '0123456789ABCDEF';

function hex8(word: number): string {
  let s = '';
  for (let shift = 28; shift >= 0; shift -= 4) s += HEX[(word >>> shift) & 15];
  return s;
}

function hex16(n: number): string {
  return hex8(Math.floor(n / 0x100000000)) + hex8(n >>> 0);
}
