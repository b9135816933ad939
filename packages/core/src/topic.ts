/**
 * @module topic — an append-only log of messages with consumer groups reading it independently.
 *
 * The body and fields of a message are stored once, in the topic's {@link MessageStore}; each group keeps
 * only its delivery state per message (`refs` counts the groups still holding it).
 *
 * Retention (`keepConsumed`, the default for topics): every message stays until the topic's retention
 * expires it, whatever the groups did, so what a new group sees does not depend on how far the others got.
 * A message every group has finished costs its slot columns (the topic's and each group's) and its body:
 * in the arena in memory, in the log files on durable storage (read back only when delivered).
 * Without it (queues, and topics that ask): a message is freed as soon as its `refs` reach zero, and one
 * sent while the topic has groups but none of their tag filters lets it in is not kept at all.
 *
 * A new group starts at the earliest retained message (`startAt: 'earliest'`) or takes only messages sent
 * after it (`'latest'`: every sequence number above the topic's last one at creation, recorded with it).
 */

import type { BodyArena } from './arena.js';
import type { BrokerEnv } from './env.js';
import { ErrorCode, invalidArgument, SluiceError } from './errors.js';
import { Group, type GroupCapture, type Restore, type RestoredGroup } from './group.js';
import { MAX_PRIORITY, type MessageExtra, MessageStore, NONE, type Slot } from './message-store.js';
import { SentMessage } from './message-view.js';
import {
  MAX_NAME_LENGTH,
  optionsRecord,
  type ResolvedTopicOptions,
  resolveGroupOptions,
  resolveTopicOptions,
  sameOptions,
  topicOptionsOf,
} from './options.js';
import { randomWord } from './receipt.js';
import type { Scheduler, Timed } from './scheduler.js';
import { Need, NO_SLOT, Rec } from './storage/records.js';
import type {
  GroupOptions,
  SendBatchItem,
  SendInput,
  SendResult,
  TopicOptions,
  TopicStats,
} from './types.js';

// Replay hands recorded deliveries to groups through this one object: read at once, never kept.
const replayedDelivery: Restore = {
  receiveCount: 0,
  firstReceived: 0,
  visibleAt: 0,
  version: 0,
  nonceA: 0,
  nonceB: 0,
};

/** Throws `InvalidArgument` unless `name` is a usable name (1..{@link MAX_NAME_LENGTH} characters). */
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
  readonly #env: BrokerEnv;
  /** @internal The first 16 hex characters of every message id of this topic. */
  readonly idPrefix: string;
  readonly #idPrefixChars: Buffer;
  /** @internal The topic's id in journal records. */
  readonly journalId: number;
  #seq = 0;
  #sent = 0;
  #deleted: SluiceError | undefined;

  /** @internal Created by the broker (or restored from its log, with the recorded identity). */
  constructor(
    name: string,
    kind: TopicKind,
    options: TopicOptions | undefined,
    env: BrokerEnv,
    restored?: RestoredTopic,
  ) {
    this.name = name;
    this.kind = kind;
    this.#options = resolveTopicOptions(options, undefined, kind === 'queue');
    this.#env = env;
    this.#scheduler = env.scheduler;
    this.store = new MessageStore(env.newBodyStore());
    this.createdAt = this.#modifiedAt = restored?.createdAt ?? env.scheduler.now();
    if (restored !== undefined) this.#modifiedAt = restored.modifiedAt;
    this.idPrefix = restored?.idPrefix ?? hex8(randomWord()) + hex8(randomWord());
    this.#idPrefixChars = Buffer.from(this.idPrefix, 'latin1');
    this.#seq = restored?.lastSeq ?? 0;
    this.journalId = restored?.journalId ?? env.nextJournalId();
    if (restored === undefined) env.journal?.record(this.#createdRecord());
  }

  #createdRecord(): unknown[] {
    return [
      Rec.TopicCreated,
      this.journalId,
      this.name,
      this.kind,
      optionsRecord(this.#options),
      this.idPrefix,
      this.createdAt,
      this.#seq,
      this.#modifiedAt,
    ];
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
    const resolved = resolveTopicOptions(options, this.#options);
    this.#checkWritable(Need.Record);
    this.#options = resolved;
    this.#modifiedAt = this.#scheduler.now();
    this.#env.journal?.record([
      Rec.TopicOptions,
      this.journalId,
      optionsRecord(this.#options),
      this.#modifiedAt,
    ]);
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
      this.#checkWritable(Need.Room);
      const now = this.#scheduler.now();
      const seq = this.#append(input, now);
      this.#wakeGroups();
      return this.#env.settle<SendResult>(new SentMessage(this, seq));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends many messages; one result per input, in order: `{ id }`, or `{ error }` for an input that was refused. */
  sendBatch(inputs: readonly SendInput[]): Promise<SendBatchItem[]> {
    try {
      this.#checkLive();
      if (!Array.isArray(inputs)) throw invalidArgument('inputs', 'must be an array');
      this.#checkWritable(Need.Room);
      const now = this.#scheduler.now();
      const results: SendBatchItem[] = new Array(inputs.length);
      for (let i = 0; i < inputs.length; i++) {
        try {
          results[i] = new SentMessage(this, this.#append(inputs[i]!, now));
        } catch (error) {
          if (!(error instanceof SluiceError)) throw error;
          results[i] = { error };
        }
      }
      this.#wakeGroups();
      return this.#env.settle(results);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Creates a consumer group. With `startAt: 'earliest'` (default) it takes every message the topic retains,
   * in publish order, then every new one; with `'latest'`, only messages sent from now on. Same name and
   * options answers the existing group; other options throw `GroupAlreadyExist`.
   * @example
   * const audit = topic.createGroup('audit'); // sees what other groups already acked, within retention
   * const live = topic.createGroup('live', { startAt: 'latest' });
   */
  createGroup(name: string, options?: GroupOptions): Group {
    this.#checkLive();
    if (this.kind === 'queue') {
      // A queue is a topic with exactly one implicit group, named ''.
      if (name !== '' || this.#groups.size > 0) throw invalidArgument('group', 'cannot be added to a queue');
    } else checkName('group', name);
    const resolved = resolveGroupOptions(options);
    this.#env.checkDeadLetterQueue(resolved.deadLetterQueue, this.kind === 'queue' ? this.name : undefined);
    const existing = this.#groups.get(name);
    if (existing !== undefined) {
      if (sameOptions(existing.options, resolved)) return existing;
      throw new SluiceError(
        ErrorCode.GroupAlreadyExist,
        `group ${name} already exists on ${this.name} with other options`,
        {
          group: name,
        },
      );
    }
    this.#checkWritable(Need.Record);
    const group = new Group(this, name, options, this.#env);
    this.#groups.set(name, group);
    this.#env.journal?.record([
      Rec.GroupCreated,
      this.journalId,
      group.journalId,
      name,
      optionsRecord(group.options),
      group.uid,
      group.createdAt,
      group.createdAt,
      0,
      0,
      0,
      group.startSeq,
    ]);
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
    this.#checkWritable(Need.Record);
    this.#groups.delete(name);
    this.#env.journal?.record([Rec.GroupDeleted, group.journalId]);
    group.destroy(
      new SluiceError(ErrorCode.GroupNotExist, `group ${name} was deleted from ${this.name}`, {
        group: name,
      }),
    );
  }

  /** Counts of the stored messages. */
  stats(): TopicStats {
    return { messages: this.store.size, bytes: this.store.bytes, sent: this.#sent };
  }

  /** @internal Groups of the topic. */
  groups(): IterableIterator<Group> {
    return this.#groups.values();
  }

  /** @internal The message id of a sequence number: a 64-bit topic prefix and the 64-bit sequence, in hex. */
  idOf(seq: number): string {
    return formatId(this.#idPrefixChars, seq);
  }

  /** @internal A group finished with `slot`; free it when no group holds it, unless retention keeps it. */
  unref(slot: Slot): void {
    const store = this.store;
    const refs = store.refs[slot]! - 1;
    store.refs[slot] = refs;
    if (refs === 0 && !this.#options.keepConsumed) this.#free(slot);
  }

  /** Frees `slot`: every group lets go of it (held or finished), then the store. */
  #free(slot: Slot): void {
    for (const group of this.#groups.values()) group.leave(slot);
    this.store.remove(slot);
  }

  /** @internal Appends a copy of another topic's message (a dead letter) and wakes receivers. */
  appendCopy(from: MessageStore, slot: Slot): void {
    const extra = from.extra(slot);
    const body = from.body(slot);
    const copy: MessageExtra | undefined =
      extra === undefined
        ? undefined
        : { keys: extra.keys, properties: extra.properties, groupKey: extra.groupKey, deliverAt: 0 };
    this.#store(body, body.length, from.tagOf(slot), copy, this.#scheduler.now(), 0, from.priorityOf(slot));
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

  /** @internal The wall clock stepped back to `now`: the groups' deadlines keep their times. */
  rewind(now: number): void {
    for (const group of this.#groups.values()) group.rewind(now);
  }

  /**
   * @internal Expires messages past retention and runs the groups' deadlines, in the order they fell due:
   * before a message expires, the groups catch up to just before its expiry. After a broker was down that is what
   * would have happened had it run (a delivery that timed out before its message's retention dead-letters
   * it rather than letting it expire).
   */
  tick(now: number): void {
    const store = this.store;
    const retention = this.#options.retention;
    while (store.head !== NONE) {
      const expiry = store.publishedAt[store.head]! + retention;
      if (expiry > now) break;
      // Strictly earlier deadlines (a tick of 1 ms before): at the same instant, retention comes first.
      for (const group of this.#groups.values()) if (group.nextDue() < expiry) group.tick(expiry - 1);
      // The groups may have finished the head meanwhile: look again.
      if (store.head === NONE || store.publishedAt[store.head]! + retention > expiry) continue;
      this.#env.journal?.record([Rec.Expired, this.journalId, store.seq[store.head]!]);
      this.#expire(store.head, now);
    }
    for (const group of this.#groups.values()) group.tick(now);
  }

  /** @internal Deletes the topic: rejects parked receivers with `reason` and lets go of every message. */
  destroy(reason: SluiceError): void {
    this.#deleted = reason;
    for (const group of this.#groups.values()) group.destroy(reason);
    this.#groups.clear();
  }

  /** @internal The broker is closing: parked receivers get `[]`, later calls `BrokerClosed`; state stays. */
  close(): void {
    this.#deleted = new SluiceError(ErrorCode.BrokerClosed, 'the broker is closed');
    for (const group of this.#groups.values()) group.close();
  }

  /** Expires `slot` in every group and frees it. */
  #expire(slot: Slot, now: number): void {
    const store = this.store;
    // Keep the message alive until every group has let go, then free it (whatever the refs say).
    store.refs[slot]! += 1;
    for (const group of this.#groups.values()) group.expire(slot, now);
    this.#free(slot);
  }

  #retentionDue(): number {
    const head = this.store.head;
    return head === NONE ? Number.POSITIVE_INFINITY : this.store.publishedAt[head]! + this.#options.retention;
  }

  #checkLive(): void {
    if (this.#deleted !== undefined) throw this.#deleted;
  }

  /** Throws when the storage cannot take a change that needs `need` now (before the change is made). */
  #checkWritable(need: Need): void {
    const refusal = this.#env.refusal(need);
    if (refusal !== undefined) throw refusal;
  }

  #wakeGroups(): void {
    for (const group of this.#groups.values()) group.wake();
  }

  /** Validates and stores one input; answers its sequence number. */
  #append(input: SendInput, now: number): number {
    if (typeof input !== 'object' || input === null) throw invalidArgument('message', 'must be an object');
    const { body, tag, keys, properties, delay, deliverAt, groupKey, priority } = input;
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
    if (priority !== undefined && !(Number.isInteger(priority) && priority >= 1 && priority <= MAX_PRIORITY))
      throw invalidArgument('priority', `must be an integer in 1..${MAX_PRIORITY} (1 is the highest)`);
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
    return this.#store(body, length, tag, extra, now, delayed ? due : 0, priority ?? 0);
  }

  /**
   * Stores a validated message and hands it to every group whose filter lets it in; answers its sequence
   * number. The record names the slot the message takes, so replay puts it back there.
   */
  #store(
    body: string | Uint8Array,
    length: number,
    tag: string | undefined,
    extra: MessageExtra | undefined,
    now: number,
    due: number,
    priority: number,
  ): number {
    const seq = ++this.#seq;
    this.#sent++;
    const store = this.store;
    const kept = this.#options.keepConsumed || this.#groups.size === 0 || this.#wanted(tag);
    const slot = kept ? store.nextSlot() : NO_SLOT;
    const journal = this.#env.journal;
    let chunk = 0;
    let offset = 0;
    if (journal !== undefined) {
      const record = [
        Rec.Appended,
        this.journalId,
        seq,
        now,
        tag ?? null,
        extra?.keys ?? null,
        extra?.properties ?? null,
        extra?.groupKey ?? null,
        due,
        slot,
      ];
      // An optional trailing field: records of messages without a priority stay as they were.
      if (priority !== 0) record.push(priority);
      if (!kept) {
        // Nobody will read it: recorded only so its sequence number is never given out again.
        journal.record(record);
        return seq;
      }
      journal.message(record, body, length);
      chunk = journal.lastChunk;
      offset = journal.lastOffset;
    } else {
      if (!kept) return seq;
      // Without a journal the bodies live in this topic's own arena (see BrokerEnv.newBodyStore).
      const bodies = store.bodies as BodyArena;
      bodies.write(body, length);
      chunk = bodies.lastChunk;
      offset = bodies.lastOffset;
    }
    const wasEmpty = store.head === NONE;
    store.add(seq, now, chunk, offset, length, store.tagId(tag), extra, tag, priority);
    this.#offer(slot, tag, due, now);
    if (wasEmpty) this.#scheduler.wake(now + this.#options.retention);
    return seq;
  }

  /** True when some group's tag filter lets `tag` in. */
  #wanted(tag: string | undefined): boolean {
    for (const group of this.#groups.values()) if (group.wants(tag)) return true;
    return false;
  }

  /** Hands the message in `slot` to every group whose filter lets it in; its refs count them. */
  #offer(slot: Slot, tag: string | undefined, due: number, now: number): void {
    let refs = 0;
    for (const group of this.#groups.values()) if (group.accept(slot, tag, due, now)) refs++;
    this.store.refs[slot] = refs;
  }

  // ---------------------------------------------------------------- replay (durable storage)

  /** Slot of each replayed seq (seq - replayBase), while a log is being replayed. */
  #replayIndex: Uint32Array | undefined;
  #replayBase = 0;

  /**
   * @internal Replay of an `Appended` record whose body is already in storage at chunk/offset: the message
   * goes back into the slot it had (format 1 records name none: it takes the next free one, as then).
   */
  restoreMessage(record: readonly unknown[], chunk: number, offset: number, length: number): void {
    const seq = record[2] as number;
    if (seq > this.#seq) this.#seq = seq;
    const recorded = record.length > 9 ? (record[9] as number) : undefined;
    const priority = record.length > 10 ? (record[10] as number) : 0;
    if (recorded === NO_SLOT || this.#slotOf(seq) !== NONE) return;
    const [, , , publishedAt, tag, keys, properties, groupKey, deliverAt] = record as [
      unknown,
      unknown,
      unknown,
      number,
      string | null,
      string[] | null,
      Record<string, string> | null,
      string | null,
      number,
    ];
    const delayed = deliverAt > publishedAt;
    const extra: MessageExtra | undefined =
      keys !== null || properties !== null || groupKey !== null || delayed
        ? {
            keys: keys ?? undefined,
            properties: properties ?? undefined,
            groupKey: groupKey ?? undefined,
            deliverAt: delayed ? deliverAt : 0,
          }
        : undefined;
    const store = this.store;
    const name = tag ?? undefined;
    let slot: Slot;
    if (recorded === undefined) {
      if (!this.#options.keepConsumed && this.#groups.size > 0 && !this.#wanted(name)) return;
      slot = store.nextSlot();
      store.add(seq, publishedAt, chunk, offset, length, store.tagId(name), extra, name, priority);
    } else {
      slot = recorded;
      const occupant = store.occupant(slot);
      if (occupant === seq) return;
      // A newer message holds the slot: this one was finished before it took the slot.
      if (occupant > seq) return;
      // An older one: the records that freed it are lost (a repair dropped them). The newer one wins.
      if (occupant !== 0) this.#evict(slot);
      store.place(slot, seq, publishedAt, chunk, offset, length, store.tagId(name), extra, name, priority);
    }
    // Delayed as when it was sent: it became visible only by a `Due` record, or does so once replay is over
    // (then recorded), so a clock that stepped back meanwhile never makes a visible message delayed again.
    this.#offer(slot, name, deliverAt, publishedAt);
    this.#index(seq, slot);
  }

  /** Replay: frees `slot` in every group without counting it (see `restoreMessage`). */
  #evict(slot: Slot): void {
    this.#free(slot);
  }

  #index(seq: number, slot: Slot): void {
    if (this.#replayIndex === undefined) {
      this.#replayBase = seq;
      this.#replayIndex = new Uint32Array(1024).fill(NONE);
    }
    let index = this.#replayIndex;
    const at = seq - this.#replayBase;
    if (at < 0) return; // older than the first message of this replay: never referenced again
    if (at >= index.length) {
      let n = index.length;
      while (n <= at) n *= 2;
      const grown = new Uint32Array(n).fill(NONE);
      grown.set(index);
      index = this.#replayIndex = grown;
    }
    index[at] = slot;
  }

  /** @internal Replay of a record about message `seq`, in `group` (undefined for the topic's own records). */
  restore(tag: number, seq: number, group: Group | undefined, record: readonly unknown[]): void {
    const slot = this.#slotOf(seq);
    if (slot === NONE) return; // the message was finished and dropped before this record mattered
    if (group === undefined) {
      if (tag === Rec.Expired) this.#expire(slot, this.#scheduler.now());
      return;
    }
    const restore = replayedDelivery;
    switch (tag) {
      case Rec.VisibilityChanged:
        restore.receiveCount = -1;
        restore.firstReceived = -1;
        restore.visibleAt = record[3] as number;
        restore.version = record[4] as number;
        restore.nonceA = record[5] as number;
        restore.nonceB = record[6] as number;
        group.restoreDelivery(slot, restore);
        break;
      case Rec.Returned:
        group.restoreReturn(slot, record[3] as number);
        break;
      case Rec.Released:
        group.restoreRelease(slot);
        break;
      case Rec.Due:
        group.restoreDue(slot);
        break;
    }
  }

  /**
   * @internal Replay of a `Delivered` record: one delivery per 7 fields from index 2. Format 1 wrote the
   * first receive as a time (0: never); format 2 writes it as the group's column does.
   */
  restoreDeliveries(group: Group, record: readonly unknown[], version: number): void {
    const restore = replayedDelivery;
    const publishedAt = this.store.publishedAt;
    for (let i = 2; i + 7 <= record.length; i += 7) {
      const slot = this.#slotOf(record[i] as number);
      if (slot === NONE) continue;
      const first = record[i + 2] as number;
      restore.receiveCount = record[i + 1] as number;
      restore.firstReceived = version === 1 && first > 0 ? first - publishedAt[slot]! + 1 : first;
      restore.visibleAt = record[i + 3] as number;
      restore.version = record[i + 4] as number;
      restore.nonceA = record[i + 5] as number;
      restore.nonceB = record[i + 6] as number;
      group.restoreDelivery(slot, restore);
    }
  }

  /** @internal Replay of an `Acked` record: the acked seqs from index 2. */
  restoreAcks(group: Group, record: readonly unknown[]): void {
    for (let i = 2; i < record.length; i++) {
      const slot = this.#slotOf(record[i] as number);
      if (slot !== NONE) group.restoreAck(slot);
    }
  }

  /** @internal Replay: a group as recorded. */
  restoreGroup(name: string, options: GroupOptions, restored: RestoredGroup): Group {
    const group = new Group(this, name, options, this.#env, restored);
    this.#groups.set(name, group);
    this.#backfill(group, restored.createdAt);
    return group;
  }

  /** @internal Replay: options as recorded (complete; a format-1 record only has the fields it set). */
  restoreOptions(options: Record<string, unknown>, modifiedAt: number, complete: boolean): void {
    this.#options = resolveTopicOptions(
      topicOptionsOf(options),
      complete ? undefined : this.#options,
      this.kind === 'queue',
    );
    this.#modifiedAt = modifiedAt;
  }

  /** @internal Replay is over: drop the seq index, give free slots back. */
  endReplay(): void {
    this.#replayIndex = undefined;
    this.store.endPlacing();
    for (const group of this.#groups.values()) group.endReplay();
  }

  /** @internal The last sequence number used. */
  get lastSeq(): number {
    return this.#seq;
  }

  /**
   * @internal For snapshots: copies the topic, its groups and its messages (in publish order) at this
   * instant. Cheap per message (column reads); the records are built from the copy later.
   */
  capture(): TopicCapture {
    const store = this.store;
    const n = store.size;
    const slots = new Uint32Array(n);
    const seq = new Float64Array(n);
    const publishedAt = new Float64Array(n);
    const chunk = new Uint32Array(n);
    const offset = new Uint32Array(n);
    const length = new Uint32Array(n);
    const tags: (string | undefined)[] = new Array(n);
    const extras: (MessageExtra | undefined)[] = new Array(n);
    const priorities = store.priority === undefined ? undefined : new Uint8Array(n);
    let i = 0;
    for (let s = store.head; s !== NONE; s = store.retentionNext[s]!, i++) {
      slots[i] = s;
      seq[i] = store.seq[s]!;
      publishedAt[i] = store.publishedAt[s]!;
      chunk[i] = store.chunk[s]!;
      offset[i] = store.offset[s]!;
      length[i] = store.length[s]!;
      tags[i] = store.tagOf(s);
      extras[i] = store.extra(s);
      if (priorities !== undefined) priorities[i] = store.priority![s]!;
    }
    const groups: GroupCapture[] = [];
    for (const group of this.#groups.values()) groups.push(group.capture(slots, n));
    return {
      topic: this,
      created: this.#createdRecord(),
      count: n,
      slots,
      seq,
      publishedAt,
      chunk,
      offset,
      length,
      tags,
      extras,
      priorities,
      groups,
    };
  }

  #slotOf(seq: number): Slot {
    const index = this.#replayIndex;
    if (index === undefined) return NONE;
    const at = seq - this.#replayBase;
    if (at < 0 || at >= index.length) return NONE;
    const slot = index[at]!;
    // The slot may have been freed (and reused) since: check it still holds this seq.
    return slot !== NONE && this.store.seq[slot] === seq ? slot : NONE;
  }

  /**
   * A new `'earliest'` group takes every retained message, in publish order (delayed ones still delayed at
   * `now`); a `'latest'` one none (they are all at or below its `startSeq`).
   */
  #backfill(group: Group, now = this.#scheduler.now()): void {
    const store = this.store;
    if (store.capacity > 0) group.grow(store.capacity);
    if (group.startSeq > 0) return;
    for (let s = store.head; s !== NONE; s = store.retentionNext[s]!) {
      const deliverAt = store.extra(s)?.deliverAt ?? 0;
      if (group.accept(s, store.tagOf(s), deliverAt, now)) store.refs[s]! += 1;
    }
  }
}

/** The identity of a topic read back from its log. */
export interface RestoredTopic {
  readonly journalId: number;
  readonly idPrefix: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly lastSeq: number;
}

/** A topic's state at one instant, for a snapshot (see `Topic.capture`). */
export interface TopicCapture {
  readonly topic: Topic;
  /** Its `TopicCreated` record. */
  readonly created: readonly unknown[];
  readonly count: number;
  /** Per message, in publish order: its slot and fields. */
  readonly slots: Uint32Array;
  readonly seq: Float64Array;
  readonly publishedAt: Float64Array;
  readonly chunk: Uint32Array;
  readonly offset: Uint32Array;
  readonly length: Uint32Array;
  readonly tags: readonly (string | undefined)[];
  readonly extras: readonly (MessageExtra | undefined)[];
  /** Per message: its priority (0: none); undefined when the topic never stored one. */
  readonly priorities: Uint8Array | undefined;
  readonly groups: readonly GroupCapture[];
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

const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const idChars = Buffer.allocUnsafeSlow(32);

/** 32 upper-case hex characters: the 16 of `prefix`, then `seq` as 16. Built in one native string copy. */
function formatId(prefix: Buffer, seq: number): string {
  prefix.copy(idChars, 0);
  let high = Math.floor(seq / 0x100000000);
  let low = seq >>> 0;
  for (let i = 31; i >= 24; i--, low >>>= 4) idChars[i] = HEX[low & 15]!;
  for (let i = 23; i >= 16; i--, high >>>= 4) idChars[i] = HEX[high & 15]!;
  return idChars.toString('latin1', 0, 32);
}

function hex8(word: number): string {
  return (word >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
