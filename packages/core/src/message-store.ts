/**
 * @module message-store — a topic's messages, stored once however many groups read them.
 *
 * Struct of arrays (lru-cache style): a message is a `Slot`, an index into typed-array columns grown by
 * doubling. Free slots are chained through `retentionNext`, so there is no separate free stack. Live
 * slots form a doubly linked list in publish order (the retention list): its head is the oldest message,
 * so retention expires from the head and a new group backfills in publish order.
 *
 * Per message: 8 publishedAt + 8 seq + 12 body position + 2 tag + 2 refs + 8 links = 40 bytes. The rare
 * fields (keys, properties, groupKey, a delay) live in a map, only for the messages that have them, flagged
 * by the top bit of the tag column. Priorities get a one-byte column, allocated when the topic stores its first
 * message with a priority: a topic that never sees one never has it.
 *
 * A message keeps its slot for life, and the journal records it: replay puts each message back in the slot
 * it had (`place`), so receipt handles, which name a slot, stay valid across restarts and snapshots.
 */
import { EMPTY_F64, EMPTY_U16, EMPTY_U32, nextCapacity } from './capacity.js';
import type { BodyStore } from './storage/records.js';

/** Index of a message in its topic's columns (and in each group's columns). */
export type Slot = number;
/** "No slot" in a link column. */
export const NONE = 0xffffffff;
/** Rank of a message without a priority: the middle of 1 (highest) .. 16, as MNS's default. */
export const DEFAULT_PRIORITY = 8;
/** Lowest priority (1 is the highest). */
export const MAX_PRIORITY = 16;
/** Tag column bit: the message has an entry in the extras map. */
const HAS_EXTRA = 0x8000;
const TAG_MASK = 0x7fff;
/** Tag id of a message whose tag is kept in its extras: the topic has met more distinct tags than ids. */
const TAG_IN_EXTRA = TAG_MASK;

/** Rarely present fields of a message, kept in one object only when the message has any of them. */
export interface MessageExtra {
  readonly keys: readonly string[] | undefined;
  readonly properties: Readonly<Record<string, string>> | undefined;
  readonly groupKey: string | undefined;
  /** When the message becomes visible, if later than publishedAt (needed for groups created before it is due). */
  readonly deliverAt: number;
  /** The tag, when the topic has no tag id left to give it (see `tagId`). */
  readonly tag?: string | undefined;
}

/** The column store behind a topic. Internal: groups read its columns directly. */
export class MessageStore {
  capacity: number;
  publishedAt: Float64Array;
  seq: Float64Array;
  chunk: Uint32Array;
  offset: Uint32Array;
  length: Uint32Array;
  tag: Uint16Array;
  /** How many groups still hold the message. */
  refs: Uint16Array;
  /** Per message: its priority (1..16), 0 for none. Undefined until the topic stores a message with one. */
  priority: Uint8Array | undefined = undefined;
  readonly #extras = new Map<Slot, MessageExtra>();
  retentionNext: Uint32Array;
  retentionPrev: Uint32Array;
  /** Oldest live message, or NONE. */
  head: Slot = NONE;
  tail: Slot = NONE;
  #free: Slot = NONE;
  /** Live messages. */
  size = 0;
  /** Bytes of the live messages' bodies. */
  bytes = 0;
  /** Where the bodies are: a memory arena, or a durable storage's files. */
  readonly bodies: BodyStore;
  /** Tag names by id; id 0 is "no tag". */
  readonly tagNames: (string | undefined)[] = [undefined];
  readonly #tagIds = new Map<string, number>();
  /** While replaying a log: slots are taken as recorded, and the free list is rebuilt once at the end. */
  #placing = false;

  constructor(bodies: BodyStore, initialCapacity = 0) {
    this.bodies = bodies;
    this.capacity = 0;
    this.publishedAt = EMPTY_F64;
    this.seq = EMPTY_F64;
    this.chunk = EMPTY_U32;
    this.offset = EMPTY_U32;
    this.length = EMPTY_U32;
    this.tag = EMPTY_U16;
    this.refs = EMPTY_U16;
    this.retentionNext = EMPTY_U32;
    this.retentionPrev = EMPTY_U32;
    if (initialCapacity > 0) this.#grow(initialCapacity);
  }

  /**
   * The id of a tag name (interned); 0 for none. The first 32 766 distinct tags of a topic get ids; later
   * ones get {@link TAG_IN_EXTRA} and are kept with their message (`add` puts them in its extras).
   */
  tagId(tag: string | undefined): number {
    if (tag === undefined) return 0;
    let id = this.#tagIds.get(tag);
    if (id === undefined) {
      id = this.tagNames.length;
      if (id >= TAG_IN_EXTRA) return TAG_IN_EXTRA;
      this.#tagIds.set(tag, id);
      this.tagNames.push(tag);
    }
    return id;
  }

  /** The slot the next `add` will take. */
  nextSlot(): Slot {
    if (this.#free === NONE) this.#grow();
    return this.#free;
  }

  /**
   * Stores a message (its body already written to `bodies` at chunk/offset) at the tail of the retention
   * list, in the slot {@link nextSlot} named. `tag` is the tag name when `tagId` is {@link TAG_IN_EXTRA}.
   */
  add(
    seq: number,
    publishedAt: number,
    chunk: number,
    offset: number,
    length: number,
    tagId: number,
    extra: MessageExtra | undefined,
    tag?: string,
    priority = 0,
  ): Slot {
    const slot = this.nextSlot();
    this.#free = this.retentionNext[slot]!;
    this.#fill(slot, seq, publishedAt, chunk, offset, length, tagId, extra, tag, priority);
    return slot;
  }

  /**
   * Replay: stores a message in the slot it had when it was written. The slot must be free (see `occupant`).
   * Until {@link endPlacing}, free slots are not tracked: the free list is rebuilt once at the end.
   */
  place(
    slot: Slot,
    seq: number,
    publishedAt: number,
    chunk: number,
    offset: number,
    length: number,
    tagId: number,
    extra: MessageExtra | undefined,
    tag?: string,
    priority = 0,
  ): void {
    this.#placing = true;
    if (slot >= this.capacity) this.#grow(slot + 1);
    this.#fill(slot, seq, publishedAt, chunk, offset, length, tagId, extra, tag, priority);
  }

  /** The seq of the message in `slot`, or 0 when the slot is free. */
  occupant(slot: Slot): number {
    return slot < this.capacity ? this.seq[slot]! : 0;
  }

  /** Replay is over: every slot that holds no message is free again. */
  endPlacing(): void {
    if (!this.#placing) return;
    this.#placing = false;
    this.#free = NONE;
    for (let s = this.capacity - 1; s >= 0; s--) {
      if (this.seq[s] === 0) {
        this.retentionNext[s] = this.#free;
        this.#free = s;
      }
    }
  }

  #fill(
    slot: Slot,
    seq: number,
    publishedAt: number,
    chunk: number,
    offset: number,
    length: number,
    tagId: number,
    extra: MessageExtra | undefined,
    tag: string | undefined,
    priority: number,
  ): void {
    const priorities = this.priority;
    if (priority !== 0) (priorities ?? this.#allocatePriorities())[slot] = priority;
    else if (priorities !== undefined) priorities[slot] = 0;
    if (tagId === TAG_IN_EXTRA)
      extra = { keys: undefined, properties: undefined, groupKey: undefined, deliverAt: 0, ...extra, tag };
    this.publishedAt[slot] = publishedAt;
    this.seq[slot] = seq;
    this.chunk[slot] = chunk;
    this.offset[slot] = offset;
    this.length[slot] = length;
    this.bytes += length;
    this.refs[slot] = 0;
    if (extra === undefined) this.tag[slot] = tagId;
    else {
      this.tag[slot] = tagId | HAS_EXTRA;
      this.#extras.set(slot, extra);
    }
    this.retentionNext[slot] = NONE;
    this.retentionPrev[slot] = this.tail;
    if (this.tail === NONE) this.head = slot;
    else this.retentionNext[this.tail] = slot;
    this.tail = slot;
    this.size++;
  }

  /** Frees a slot: unlinks it from the retention list, releases its body, and chains it as free. */
  remove(slot: Slot): void {
    const next = this.retentionNext[slot]!;
    const prev = this.retentionPrev[slot]!;
    if (prev === NONE) this.head = next;
    else this.retentionNext[prev] = next;
    if (next === NONE) this.tail = prev;
    else this.retentionPrev[next] = prev;
    this.bodies.free(this.chunk[slot]!, this.offset[slot]!, this.length[slot]!);
    this.bytes -= this.length[slot]!;
    if (this.tag[slot]! & HAS_EXTRA) this.#extras.delete(slot);
    this.seq[slot] = 0;
    this.size--;
    if (this.#placing) return;
    this.retentionNext[slot] = this.#free;
    this.#free = slot;
  }

  /** Compaction moved the body of `slot` (if it still holds message `seq`). */
  relocate(slot: Slot, seq: number, chunk: number, offset: number): void {
    if (this.seq[slot] !== seq) return;
    this.chunk[slot] = chunk;
    this.offset[slot] = offset;
  }

  /** The rare fields of the message in `slot`, if it has any. */
  extra(slot: Slot): MessageExtra | undefined {
    return this.tag[slot]! & HAS_EXTRA ? this.#extras.get(slot) : undefined;
  }

  /** The priority of the message in `slot` (1..16), 0 when it has none. */
  priorityOf(slot: Slot): number {
    const priorities = this.priority;
    return priorities === undefined ? 0 : priorities[slot]!;
  }

  #allocatePriorities(): Uint8Array {
    this.priority = new Uint8Array(this.capacity);
    return this.priority;
  }

  /** The tag of the message in `slot`. */
  tagOf(slot: Slot): string | undefined {
    const id = this.tag[slot]! & TAG_MASK;
    return id === TAG_IN_EXTRA ? this.extra(slot)?.tag : this.tagNames[id];
  }

  /** A view of the body of `slot` (no copy). */
  body(slot: Slot): Uint8Array {
    return this.bodies.view(this.chunk[slot]!, this.offset[slot]!, this.length[slot]!);
  }

  #chainFree(from: number, to: number): void {
    if (from >= to) return;
    for (let i = from; i < to - 1; i++) this.retentionNext[i] = i + 1;
    this.retentionNext[to - 1] = this.#free;
    this.#free = from;
  }

  #grow(atLeast = 0): void {
    const old = this.capacity;
    let n = nextCapacity(old);
    while (n < atLeast) n = nextCapacity(n);
    if (n > 0xfffffffe) throw new RangeError('topic is full');
    this.capacity = n;
    this.publishedAt = grow(this.publishedAt, new Float64Array(n));
    this.seq = grow(this.seq, new Float64Array(n));
    this.chunk = grow(this.chunk, new Uint32Array(n));
    this.offset = grow(this.offset, new Uint32Array(n));
    this.length = grow(this.length, new Uint32Array(n));
    this.tag = grow(this.tag, new Uint16Array(n));
    this.refs = grow(this.refs, new Uint16Array(n));
    if (this.priority !== undefined) this.priority = grow(this.priority, new Uint8Array(n));
    this.retentionNext = grow(this.retentionNext, new Uint32Array(n));
    this.retentionPrev = grow(this.retentionPrev, new Uint32Array(n));
    if (!this.#placing) this.#chainFree(old, n);
  }
}

/** Copies `from` into the start of `to` and returns `to`. */
export function grow<T extends { set(a: ArrayLike<number>): void }>(from: ArrayLike<number>, to: T): T {
  to.set(from);
  return to;
}
