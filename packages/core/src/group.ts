/**
 * @module group — a consumer group: the delivery state of every message of a topic, for one group.
 *
 * HOW: the group is an actor over typed-array columns indexed by the topic's slots. Each message it holds
 * has a state (the lifecycle machine's), a receive count, its first-receive time and two link words.
 * While a message is visible the links chain it into the ready list (one list, or one per `groupKey` when
 * ordered); while it is delayed or inflight, `next[slot]` holds its entry in the group's timer wheel,
 * whose payload keeps the live delivery's version and 64-bit nonce. Every state change looks up the
 * compiled lifecycle table (`next[row]`, `fx[row]`) and performs the effect bits it names: the machine,
 * not this file, decides what happens.
 *
 * Priorities: the ready list stays ONE list, kept sorted by priority (1 first; none ranks as 8), then in
 * the order messages joined their priority (sent or due at the back, returned at the front). A group starts
 * without priorities; the first message it meets with a priority other than 8 makes it allocate two
 * 17-entry bookmark arrays (`#levelHead`/`#levelTail`: where each priority's run starts and ends in the
 * list) and a bit mask of the non-empty runs. From then on a message joins at its run's end (or start), or,
 * for a run that was empty, right after the nearest higher non-empty run (one `clz32`): O(1). Taking stays
 * "pop the head", so receive and peek do not know priorities exist, and a group that never meets one runs
 * exactly the code it ran before (one `undefined` check per enqueue). Ordered groups ignore priorities:
 * within a key, send order is the contract.
 *
 * WHY: nothing is allocated per queued message (no object, closure, promise or timer), receipt handles
 * decode in O(1), and deadlines cost O(1) to arm and cancel. Allocation happens per call (the
 * `Delivery` objects a caller asked for, a parked receiver), never per stored message.
 */
import { EventEmitter } from 'eventemitter3';
import { EMPTY_U8, EMPTY_U32 } from './capacity.js';
import type { BrokerEnv } from './env.js';
import { ErrorCode, invalidArgument, SluiceError } from './errors.js';
import { ABSENT, Flag, Fx, MsgEvent, MsgState, REJECTED, rowOf } from './lifecycle/codes.js';
import { transitionTable } from './lifecycle/compile.js';
import { DEFAULT_PRIORITY, grow, type MessageStore, NONE, type Slot } from './message-store.js';
import { DeliveredMessage } from './message-view.js';
import {
  groupOptionsOf,
  MAX_DURATION,
  optionsRecord,
  type ResolvedGroupOptions,
  resolveGroupOptions,
} from './options.js';
import { decoded, decodeHandle, encodeHandle, randomWord } from './receipt.js';
import type { Scheduler } from './scheduler.js';
import { Need, Rec } from './storage/records.js';
import { type TimerId, TimerWheel } from './timer/wheel.js';
import type { Topic } from './topic.js';
import type {
  AckResult,
  Delivery,
  GroupOptions,
  GroupStats,
  Message,
  ReceiveOptions,
  VisibilityChange,
} from './types.js';

/** Events a group emits (only computed when someone listens). */
export interface GroupEvents {
  /** A message left the group as a dead letter (after `maxReceiveCount` deliveries). */
  deadLetter: (message: Message) => void;
  /** A message expired in this group (retention). */
  expired: (message: Message) => void;
}

const { next: NEXT, fx: FX } = transitionTable();
const PAYLOAD = 4; // per timer entry: slot, version, nonceA, nonceB
const OK: AckResult = Object.freeze({ ok: true });
const ACK_FAILURES = {
  ReceiptHandleError: Object.freeze({ ok: false, code: 'ReceiptHandleError' }),
  ReceiptHandleExpired: Object.freeze({ ok: false, code: 'ReceiptHandleExpired' }),
  MessageNotExist: Object.freeze({ ok: false, code: 'MessageNotExist' }),
} as const satisfies Record<string, AckResult>;
type HandleFailure = keyof typeof ACK_FAILURES;
const HANDLE_MESSAGES: Record<HandleFailure, string> = {
  ReceiptHandleError: 'the receipt handle is malformed, forged, or from another group',
  ReceiptHandleExpired: 'the delivery of this receipt handle has ended (timed out, nacked or superseded)',
  MessageNotExist: 'the message of this receipt handle is gone (acked, deleted or expired)',
};
const EMPTY: Delivery[] = [];

/** A recorded delivery being replayed. */
export interface Restore {
  /** -1: keep the current one (a visibility change carries no counts). */
  receiveCount: number;
  /** ms after publishedAt + 1 of the first receive (0: never; -1: keep the current one). */
  firstReceived: number;
  visibleAt: number;
  version: number;
  nonceA: number;
  nonceB: number;
}

/** The identity and counters of a group read back from its log. */
export interface RestoredGroup {
  readonly journalId: number;
  readonly uid: number;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly acked: number;
  readonly deadLettered: number;
  readonly expired: number;
  /** The group takes only messages with a higher sequence number (a `'latest'` group); 0: every one. */
  readonly startSeq?: number;
}

/** A group's state at one instant, for a snapshot (see `Group.capture`). */
export interface GroupCapture extends RestoredGroup {
  readonly group: Group;
  readonly name: string;
  readonly options: Record<string, unknown>;
  readonly startSeq: number;
  /** Per captured message: the state (ABSENT when the group never held it), receive count, first receive. */
  readonly state: Uint8Array;
  readonly receiveCount: Uint32Array;
  readonly firstReceived: Uint32Array;
  /** Inflight deliveries: (index, visibleAt, version, nonceA, nonceB) per delivery. */
  readonly inflight: readonly number[];
}

/** One ordering key's queue of visible messages (ordered groups only). */
class KeyQueue {
  head: Slot = NONE;
  tail: Slot = NONE;
  inflight = 0;
  /** In the ready ring (may be stale: checked when popped). */
  queued = false;
  nextReady: KeyQueue | undefined = undefined;
  constructor(readonly key: string) {}
}

/** A receiver parked in a long poll. */
class Waiter {
  next: Waiter | undefined = undefined;
  prev: Waiter | undefined = undefined;
  timer: unknown = undefined;
  constructor(
    readonly max: number,
    readonly visibilityTimeout: number,
    readonly resolve: (deliveries: Delivery[]) => void,
    readonly reject: (error: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}
  onAbort: (() => void) | undefined = undefined;
}

/**
 * A consumer group over a topic: independent progress (fan-out between groups), competing consumers
 * inside one. Obtain one with `topic.createGroup(name)`; a queue's implicit group is `queue.group`.
 */
export class Group extends EventEmitter<GroupEvents> {
  /** The group's name within its topic. */
  readonly name: string;
  /** Random id carried in this group's receipt handles. */
  readonly uid: number;
  /** @internal The group's id in journal records. */
  readonly journalId: number;
  /** When the group was created, clock ms. */
  readonly createdAt: number;
  /**
   * @internal The topic's last sequence number when a `'latest'` group was created (it takes only later
   * messages), 0 for an `'earliest'` one. Recorded with the group, so replay and snapshots agree.
   */
  readonly startSeq: number;
  #modifiedAt: number;
  #options: ResolvedGroupOptions;
  #tagFilter: ReadonlySet<string> | undefined;
  readonly #host: Topic;
  readonly #store: MessageStore;
  readonly #scheduler: Scheduler;
  readonly #env: BrokerEnv;

  #capacity: number;
  #state: Uint8Array;
  #receiveCount: Uint32Array;
  /** ms after publishedAt + 1 of the first receive; 0 = never received. */
  #firstReceived: Uint32Array;
  #next: Uint32Array;
  #prev: Uint32Array;
  readonly #wheel: TimerWheel;

  #readyHead: Slot = NONE;
  #readyTail: Slot = NONE;
  /** Per priority 1..16: first and last slot of its run in the ready list (allocated with the first priority). */
  #levelHead: Uint32Array | undefined = undefined;
  #levelTail: Uint32Array | undefined = undefined;
  /** Bit p set: priority p has a run in the ready list (then `#levelHead[p]`/`#levelTail[p]` are valid). */
  #levels = 0;
  readonly #keys = new Map<string, KeyQueue>();
  #readyKeysHead: KeyQueue | undefined = undefined;
  #readyKeysTail: KeyQueue | undefined = undefined;

  #active = 0;
  #inflight = 0;
  #delayed = 0;
  #acked = 0;
  #deadLettered = 0;
  #expiredCount = 0;
  /** Messages this group took that the topic still stores: the slots whose state is not ABSENT. */
  #retained = 0;
  #waitersHead: Waiter | undefined = undefined;
  #waitersTail: Waiter | undefined = undefined;
  #waiting = 0;
  #deleted: SluiceError | undefined = undefined;
  // The one context of the transition being applied (set before #apply, read by its effects).
  #now = 0;
  #visibilityTimeout = 0;
  /** Delivered and Acked records being gathered during one call (durable storage only). */
  #deliveredRecord: number[] | undefined;
  #ackedRecord: number[] | undefined;
  /** Set while replaying a recorded delivery: the values `armVisibility` restores. */
  #restoring: Restore | undefined = undefined;
  /** The earliest deadline armed since replay began (see `endReplay`). */
  #earliestArmed = Number.POSITIVE_INFINITY;

  /** @internal Created by `Topic.createGroup` (or restored from the log, with the recorded identity). */
  constructor(
    host: Topic,
    name: string,
    options: GroupOptions | undefined,
    env: BrokerEnv,
    restored?: RestoredGroup,
  ) {
    super();
    this.name = name;
    this.#host = host;
    this.#store = host.store;
    this.#env = env;
    this.#scheduler = env.scheduler;
    this.#options = resolveGroupOptions(options);
    this.#tagFilter = this.#options.tags && new Set(this.#options.tags);
    this.uid = restored?.uid ?? randomWord();
    this.journalId = restored?.journalId ?? env.nextJournalId();
    this.createdAt = this.#modifiedAt = restored?.createdAt ?? env.scheduler.now();
    this.startSeq = restored?.startSeq ?? (this.#options.startAt === 'latest' ? host.lastSeq : 0);
    if (restored !== undefined) {
      this.#modifiedAt = restored.modifiedAt;
      this.#acked = restored.acked;
      this.#deadLettered = restored.deadLettered;
      this.#expiredCount = restored.expired;
    }
    this.#capacity = 0;
    this.#state = EMPTY_U8;
    this.#receiveCount = EMPTY_U32;
    this.#firstReceived = EMPTY_U32;
    this.#next = EMPTY_U32;
    this.#prev = EMPTY_U32;
    this.#grow(host.store.capacity);
    // The wheel starts at the clock's time, not the group's creation (a restored group, after a step back).
    this.#wheel = new TimerWheel({ now: env.scheduler.now(), payloadWidth: PAYLOAD });
  }

  /** The group's options, every field set. */
  get options(): ResolvedGroupOptions {
    return this.#options;
  }

  /** When the options last changed, clock ms. */
  get modifiedAt(): number {
    return this.#modifiedAt;
  }

  /** The topic the group reads. */
  get topic(): Topic {
    return this.#host;
  }

  /** Changes options (not `ordered` or `tags`); new values apply to deliveries from now on. */
  setOptions(options: GroupOptions): void {
    this.#checkLive();
    const resolved = resolveGroupOptions(options, this.#options);
    this.#env.checkDeadLetterQueue(
      resolved.deadLetterQueue,
      this.#host.kind === 'queue' ? this.#host.name : undefined,
    );
    const refusal = this.#env.refusal(Need.Record);
    if (refusal !== undefined) throw refusal;
    this.#options = resolved;
    this.#modifiedAt = this.#scheduler.now();
    this.#env.journal?.record([Rec.GroupOptions, this.journalId, optionsRecord(resolved), this.#modifiedAt]);
  }

  /** @internal Replay: options as recorded (complete; a format-1 record only has the fields it set). */
  restoreOptions(options: Record<string, unknown>, modifiedAt: number, complete: boolean): void {
    this.#options = resolveGroupOptions(groupOptionsOf(options), complete ? undefined : this.#options);
    this.#tagFilter = this.#options.tags && new Set(this.#options.tags);
    this.#modifiedAt = modifiedAt;
  }

  // ---------------------------------------------------------------- receiving

  /**
   * Receives up to `max` visible messages, each with a new receipt handle. With `wait`, parks until a
   * message becomes visible (waking receivers in arrival order) or the wait ends; then answers `[]`.
   * @example
   * const [delivery] = await group.receive({ max: 1, wait: 20_000 });
   * if (delivery) await group.ack(delivery.receiptHandle);
   */
  receive(options?: ReceiveOptions): Promise<Delivery[]> {
    try {
      this.#checkLive();
      const max = options?.max ?? 1;
      const wait = options?.wait ?? 0;
      const vt = options?.visibilityTimeout ?? this.#options.visibilityTimeout;
      if (!Number.isInteger(max) || max < 1 || max > 1000)
        throw invalidArgument('max', 'must be an integer in 1..1000');
      if (typeof wait !== 'number' || !(wait >= 0) || wait > 0x7fffffff) {
        throw invalidArgument('wait', 'must be a number of ms in 0..2147483647');
      }
      if (typeof vt !== 'number' || !(vt >= 0) || vt > MAX_DURATION) {
        throw invalidArgument('visibilityTimeout', `must be a number of ms in 0..${MAX_DURATION}`);
      }
      const signal = options?.signal;
      if (signal?.aborted) return Promise.resolve([]);
      if (this.#hasReady()) {
        const refusal = this.#env.refusal(Need.Record);
        if (refusal !== undefined) throw refusal;
        const out: Delivery[] = [];
        this.#take(max, vt, this.#scheduler.now(), out);
        if (out.length > 0) return this.#env.settle(out);
      }
      if (wait === 0) return Promise.resolve(EMPTY.slice());
      return this.#park(max, vt, wait, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Visible messages in the order `receive` would take them, without receiving them (no handle, no state change). */
  peek(options?: { max?: number }): Message[] {
    this.#checkLive();
    const max = options?.max ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 1000)
      throw invalidArgument('max', 'must be an integer in 1..1000');
    const out: Message[] = [];
    if (this.#options.ordered) {
      for (const kq of this.#keys.values()) {
        for (let s = kq.head; s !== NONE && out.length < max; s = this.#next[s]!)
          out.push(this.#message(s, 0));
      }
      out.sort((a, b) => a.publishedAt - b.publishedAt);
      return out.slice(0, max);
    }
    for (let s = this.#readyHead; s !== NONE && out.length < max; s = this.#next[s]!)
      out.push(this.#message(s, 0));
    return out;
  }

  /** Live counts. */
  stats(): GroupStats {
    return {
      active: this.#active,
      inflight: this.#inflight,
      delayed: this.#delayed,
      deadLettered: this.#deadLettered,
      expired: this.#expiredCount,
      acked: this.#acked,
      retained: this.#retained,
      oldestAge: this.#oldestAge(),
      waiting: this.#waiting,
    };
  }

  // ---------------------------------------------------------------- settling deliveries

  /** Acknowledges a delivery: the message is done for this group. Rejects with a handle error code otherwise. */
  ack(handle: string): Promise<void> {
    try {
      this.#checkWritable();
      const failure = this.#settle(handle, MsgEvent.Ack, this.#scheduler.now());
      if (failure !== undefined) return Promise.reject(this.#handleError(failure));
      this.#writeBatches();
      this.wake();
      return this.#env.settle(undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Acknowledges many deliveries; one result per handle, in order. Good handles are acked whatever the others. */
  ackBatch(handles: readonly string[]): Promise<AckResult[]> {
    try {
      if (!Array.isArray(handles)) throw invalidArgument('handles', 'must be an array of strings');
      this.#checkWritable();
      const results: AckResult[] = new Array(handles.length);
      const now = this.#scheduler.now();
      for (let i = 0; i < handles.length; i++) {
        const failure = this.#settle(handles[i]!, MsgEvent.Ack, now);
        results[i] = failure === undefined ? OK : ACK_FAILURES[failure];
      }
      this.#writeBatches();
      this.wake();
      return this.#env.settle(results);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Ends a delivery without an ack: the message is visible again now (or dead-lettered if exhausted). */
  nack(handle: string): Promise<void> {
    try {
      this.#checkWritable();
      const failure = this.#settle(handle, MsgEvent.Nack, this.#scheduler.now());
      if (failure !== undefined) return Promise.reject(this.#handleError(failure));
      this.wake();
      return this.#env.settle(undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * True when `handle` is well-formed, one of this group's, and was issued for the message whose id is `id`
   * (whether or not that delivery is still live). For wire formats that put the message id next to the handle:
   * a live handle behind another message's id must not settle its own message. O(1), no state change.
   */
  handleIsFor(handle: string, id: string): boolean {
    if (typeof id !== 'string' || !decodeHandle(handle) || decoded.groupUid !== this.uid) return false;
    // An id is the topic's 16-hex-digit prefix, then the sequence number in 16 (see Topic.idOf).
    if (id.length !== 32 || !/^[0-9A-F]{32}$/.test(id)) return false;
    const seq = Number.parseInt(id.slice(16), 16);
    return seq % decoded.seqModulus === decoded.seq && this.#host.idOf(seq) === id;
  }

  /**
   * Moves the deadline of a delivery to `ms` from now and answers a NEW handle; the old one stops working.
   * `ms = 0` makes the message visible again at once (the new handle then stops working at once too).
   */
  changeVisibility(handle: string, ms: number): Promise<VisibilityChange> {
    try {
      if (typeof ms !== 'number' || !(ms >= 0) || ms > MAX_DURATION) {
        throw invalidArgument('visibilityTimeout', `must be a number of ms in 0..${MAX_DURATION}`);
      }
      this.#checkWritable();
      const now = this.#scheduler.now();
      const failure = this.#check(handle, now);
      if (failure !== undefined) return Promise.reject(this.#handleError(failure));
      const slot = decoded.slot;
      this.#now = now;
      this.#visibilityTimeout = ms;
      this.#apply(slot, MsgEvent.ChangeVisibility, 0);
      const id = this.#next[slot]! as TimerId;
      const visibleAt = this.#wheel.dueOf(id);
      const receiptHandle = this.#handleOf(slot, id);
      if (ms === 0) {
        // Visible now: end the delivery here rather than on the next tick of the wheel.
        this.#wheel.remove(id);
        this.#apply(slot, MsgEvent.Timeout, this.#flags(slot));
        this.wake();
      }
      return this.#env.settle({ receiptHandle, visibleAt });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // ---------------------------------------------------------------- called by the topic

  /** @internal True when the group's tag filter lets a message with `tag` in. */
  wants(tag: string | undefined): boolean {
    return this.#tagFilter === undefined || this.#tagFilter.has(tag ?? '');
  }

  /** @internal A message was added to the topic: hold it if the tag filter lets it in. */
  accept(slot: Slot, tag: string | undefined, deliverAt: number, now: number): boolean {
    if (!this.wants(tag) || this.#store.seq[slot]! <= this.startSeq) return false;
    if (slot >= this.#capacity) this.#grow(this.#store.capacity);
    this.#retained++;
    this.#receiveCount[slot] = 0;
    this.#firstReceived[slot] = 0;
    if (deliverAt > now) {
      this.#state[slot] = MsgState.Delayed;
      this.#delayed++;
      this.#arm(slot, Math.ceil(deliverAt), 0, 0, 0);
    } else {
      this.#state[slot] = MsgState.Active;
      this.#active++;
      this.#pushBack(slot);
    }
    return true;
  }

  /** @internal Wakes parked receivers after the topic added messages. */
  wake(): void {
    if (this.#waitersHead !== undefined) this.#drainWaiters();
  }

  /** @internal Retention: the topic expires `slot` in every group. */
  expire(slot: Slot, now: number): void {
    if (!this.holds(slot)) return;
    this.#now = now;
    this.#apply(slot, MsgEvent.Expire, 0);
  }

  /** @internal Earliest time the group has timed work, or Infinity. */
  nextDue(): number {
    return this.#wheel.size === 0 ? Number.POSITIVE_INFINITY : this.#wheel.nextDue();
  }

  /** @internal Runs every deadline due at `now`, then hands what became visible to parked receivers. */
  tick(now: number): void {
    if (this.#wheel.size > 0) {
      this.#now = now;
      this.#wheel.advance(now, this.#onTimer);
    }
    this.wake();
  }

  /** @internal The wall clock stepped back to `now`: deadlines keep their times (see `TimerWheel.rewind`). */
  rewind(now: number): void {
    this.#wheel.rewind(now);
  }

  /** @internal The topic's columns grew. */
  grow(capacity: number): void {
    this.#grow(capacity);
  }

  /** @internal The group is being deleted (or its topic): let go of every message and release parked receivers. */
  destroy(reason: SluiceError): void {
    for (let s = this.#store.head; s !== NONE; ) {
      const next = this.#store.retentionNext[s]!; // read first: unref may free `s`
      if (this.holds(s)) {
        this.#state[s] = ABSENT;
        this.#host.unref(s);
      }
      s = next;
    }
    this.#wheel.clear();
    this.#end(reason, false);
  }

  /** @internal The broker is closing: parked receivers get `[]`, later calls `BrokerClosed`; state stays as it is. */
  close(): void {
    this.#end(new SluiceError(ErrorCode.BrokerClosed, 'the broker is closed'), true);
  }

  #end(reason: SluiceError, closing: boolean): void {
    this.#deleted = reason;
    for (let w = this.#waitersHead; w !== undefined; w = w.next) {
      this.#unpark(w);
      if (closing) w.resolve([]);
      else w.reject(reason);
    }
    this.#waitersHead = this.#waitersTail = undefined;
    this.#waiting = 0;
  }

  /** @internal True while the group has not finished the message in `slot`. */
  holds(slot: Slot): boolean {
    if (slot >= this.#capacity) return false;
    const state = this.#state[slot]!;
    return state !== ABSENT && state < MsgState.Acked;
  }

  // ---------------------------------------------------------------- replay (durable storage)

  /** @internal Replay of a `Delivered` or `VisibilityChanged` record: the delivery exactly as recorded. */
  restoreDelivery(slot: Slot, restore: Restore): void {
    if (!this.holds(slot)) return; // the group finished it later in the log
    this.#restoring = restore;
    try {
      const state = this.#state[slot]!;
      if (state === MsgState.Delayed) {
        this.#wheel.remove(this.#next[slot]! as TimerId);
        this.#apply(slot, MsgEvent.Due, 0);
      }
      this.#apply(slot, state === MsgState.Inflight ? MsgEvent.ChangeVisibility : MsgEvent.Receive, 0);
    } finally {
      this.#restoring = undefined;
    }
  }

  /** @internal Replay of a `Due` record: the delayed message became visible. */
  restoreDue(slot: Slot): void {
    if (this.#state[slot] !== MsgState.Delayed) return;
    this.#wheel.remove(this.#next[slot]! as TimerId);
    this.#apply(slot, MsgEvent.Due, 0);
  }

  /** @internal Replay of an `Acked` record. */
  restoreAck(slot: Slot): void {
    if (this.#state[slot] === MsgState.Inflight) this.#apply(slot, MsgEvent.Ack, 0);
  }

  /** @internal Replay of a `Returned` record: the delivery ended, to `state` (active or deadLetter). */
  restoreReturn(slot: Slot, state: number): void {
    if (this.#state[slot] !== MsgState.Inflight) return;
    // No HasDeadLetterQueue flag: the copy is a record of the dead-letter queue's own.
    this.#apply(slot, MsgEvent.Nack, state === MsgState.DeadLetter ? Flag.Exhausted : 0);
  }

  /**
   * @internal Replay of a `Released` record (snapshots): the group had finished this message before the
   * snapshot (its counters, restored with the group, already count it).
   */
  restoreRelease(slot: Slot): void {
    if (!this.holds(slot)) return;
    this.forget(slot);
    this.#state[slot] = MsgState.Acked;
    this.#host.unref(slot);
  }

  /**
   * @internal Replay is over. Deadlines that passed while the broker was down sit in the wheel as due now;
   * the wheel goes back to the earliest of them, so that catching up fires them in the order they fell due
   * (and before the retention of a message that expired later).
   */
  endReplay(): void {
    if (this.#earliestArmed < this.#wheel.now) this.#wheel.rewind(this.#earliestArmed);
    this.#earliestArmed = Number.POSITIVE_INFINITY;
  }

  /**
   * @internal The topic frees `slot` (retention, every group done, or replay found it stale): the group
   * forgets it, held or finished, so the slot is ABSENT again for the next message that takes it.
   */
  leave(slot: Slot): void {
    if (slot >= this.#capacity || this.#state[slot] === ABSENT) return;
    this.forget(slot);
    this.#state[slot] = ABSENT;
    this.#retained--;
  }

  /** @internal Lets go of `slot` without counting it anywhere (replay found it stale); the caller frees it. */
  forget(slot: Slot): void {
    if (!this.holds(slot)) return;
    const state = this.#state[slot]!;
    if (state === MsgState.Active) this.#unlink(slot);
    else {
      this.#wheel.remove(this.#next[slot]! as TimerId);
      if (state === MsgState.Inflight && this.#options.ordered) this.#keyReleased(slot);
    }
    this.#count(state, -1);
    this.#state[slot] = ABSENT;
  }

  /**
   * @internal For snapshots: copies this group's view of the messages in `slots` (the first `n`), at this
   * instant. Inflight deliveries go to `inflight` as (index, visibleAt, version, nonceA, nonceB).
   */
  capture(slots: Uint32Array, n: number): GroupCapture {
    const state = new Uint8Array(n);
    const receiveCount = new Uint32Array(n);
    const firstReceived = new Uint32Array(n);
    const inflight: number[] = [];
    const p = this.#wheel.payload;
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!;
      if (slot >= this.#capacity) {
        state[i] = ABSENT;
        continue;
      }
      const st = this.#state[slot]!;
      state[i] = st;
      receiveCount[i] = this.#receiveCount[slot]!;
      firstReceived[i] = this.#firstReceived[slot]!;
      if (st === MsgState.Inflight) {
        const id = this.#next[slot]! as TimerId;
        const at = id * PAYLOAD;
        inflight.push(i, this.#wheel.dueOf(id), p[at + 1]!, p[at + 2]!, p[at + 3]!);
      }
    }
    return {
      group: this,
      journalId: this.journalId,
      name: this.name,
      options: optionsRecord(this.#options),
      startSeq: this.startSeq,
      uid: this.uid,
      createdAt: this.createdAt,
      modifiedAt: this.#modifiedAt,
      acked: this.#acked,
      deadLettered: this.#deadLettered,
      expired: this.#expiredCount,
      state,
      receiveCount,
      firstReceived,
      inflight,
    };
  }

  // ---------------------------------------------------------------- the machine

  readonly #onTimer = (id: TimerId): void => {
    const slot = this.#wheel.payload[id * PAYLOAD]!;
    const state = this.#state[slot];
    if (state === MsgState.Delayed) this.#apply(slot, MsgEvent.Due, 0);
    else if (state === MsgState.Inflight) this.#apply(slot, MsgEvent.Timeout, this.#flags(slot));
  };

  /**
   * The guard flags of a delivery ending unacked. A message whose dead-letter queue cannot take it now (a
   * topic took that name) is not exhausted: it stays in this group, and the broker reports an `error`,
   * rather than be dropped when the user asked for it to be kept.
   */
  #flags(slot: Slot): number {
    const max = this.#options.maxReceiveCount;
    if (max === 0 || this.#receiveCount[slot]! < max) return 0;
    const dlq = this.#options.deadLetterQueue;
    if (dlq === undefined) return Flag.Exhausted;
    return this.#env.canDeadLetter(dlq, this.#host.name, this.name)
      ? Flag.Exhausted | Flag.HasDeadLetterQueue
      : 0;
  }

  /** Steps `slot` through the lifecycle table and performs the effects it names. */
  #apply(slot: Slot, event: number, flags: number): void {
    const from = this.#state[slot]!;
    const row = rowOf(from, event, flags);
    const to = NEXT[row]!;
    if (to === REJECTED) throw new Error(`lifecycle: event ${event} not allowed in state ${from}`);
    const fx = FX[row]!;
    let version = 0;
    if (fx & Fx.disarm) {
      const id = this.#next[slot]! as TimerId;
      version = (this.#wheel.payload[id * PAYLOAD + 1]! + 1) >>> 0;
      this.#wheel.remove(id);
    }
    if (fx & Fx.dequeue) this.#unlink(slot);
    let message: Message | undefined;
    if (fx & Fx.release && to !== MsgState.Acked) {
      const name = to === MsgState.DeadLetter ? 'deadLetter' : 'expired';
      if (this.listenerCount(name) + this.#env.listenerCount(name) > 0)
        message = this.#env.guard(() => this.#message(slot, 0));
    }
    if (fx & Fx.toDeadLetter) this.#env.deadLetter(this.#options.deadLetterQueue!, this.#store, slot);
    if (fx & Fx.armVisibility) {
      const restore = this.#restoring;
      if (restore !== undefined) {
        // Replay: the recorded delivery, exactly (so its receipt handle still works).
        // A VisibilityChanged record carries no counts (-1): keep the ones the delivery set.
        if (restore.receiveCount >= 0) this.#receiveCount[slot] = restore.receiveCount;
        if (restore.firstReceived >= 0) this.#firstReceived[slot] = restore.firstReceived;
        this.#arm(slot, restore.visibleAt, restore.version, restore.nonceA, restore.nonceB);
      } else {
        if (event === MsgEvent.Receive) {
          const count = this.#receiveCount[slot]!;
          if (count < 0xffffffff) this.#receiveCount[slot] = count + 1;
          if (this.#firstReceived[slot] === 0) {
            // Never before it was published (a clock stepped back since): at the earliest, at publishedAt.
            const after = this.#now - this.#store.publishedAt[slot]!;
            this.#firstReceived[slot] = Math.min(Math.max(after, 0) + 1, 0xffffffff);
          }
        }
        this.#arm(slot, Math.ceil(this.#now + this.#visibilityTimeout), version, randomWord(), randomWord());
      }
    }
    this.#count(from, -1);
    this.#state[slot] = to;
    this.#count(to, 1);
    if (fx & Fx.enqueue) this.#pushBack(slot);
    if (fx & Fx.requeue) this.#pushFront(slot);
    if (this.#options.ordered) {
      if (to === MsgState.Inflight && from !== MsgState.Inflight) this.#keyOf(slot).inflight++;
      else if (from === MsgState.Inflight && to !== MsgState.Inflight) this.#keyReleased(slot);
      else if (fx & Fx.dequeue) this.#dropKeyIfIdle(this.#keyOf(slot));
    }
    if (fx & Fx.persist && this.#env.journal !== undefined) this.#persist(slot, event, to);
    if (fx & Fx.release) this.#host.unref(slot);
    if (message !== undefined) {
      this.#env.notify(this, to === MsgState.DeadLetter ? 'deadLetter' : 'expired', message);
    }
  }

  #count(state: number, delta: number): void {
    switch (state) {
      case MsgState.Active:
        this.#active += delta;
        break;
      case MsgState.Inflight:
        this.#inflight += delta;
        break;
      case MsgState.Delayed:
        this.#delayed += delta;
        break;
      case MsgState.Acked:
        this.#acked += delta;
        break;
      case MsgState.DeadLetter:
        this.#deadLettered += delta;
        break;
      case MsgState.Expired:
        this.#expiredCount += delta;
        break;
    }
  }

  /** Arms a deadline for `slot` (delay or visibility) for a delivery with this version and nonce. */
  #arm(slot: Slot, due: number, version: number, nonceA: number, nonceB: number): void {
    if (due < this.#earliestArmed) this.#earliestArmed = due;
    const id = this.#wheel.add(due);
    const p = this.#wheel.payload;
    const at = id * PAYLOAD;
    p[at] = slot;
    p[at + 1] = version;
    p[at + 2] = nonceA;
    p[at + 3] = nonceB;
    this.#next[slot] = id;
    this.#scheduler.wake(due);
  }

  /** Writes the change a transition made to the journal (durable storage only). */
  #persist(slot: Slot, event: number, to: number): void {
    const journal = this.#env.journal!;
    const group = this.journalId;
    const seq = this.#store.seq[slot]!;
    switch (event) {
      case MsgEvent.Receive:
      case MsgEvent.ChangeVisibility: {
        const id = this.#next[slot]! as TimerId;
        const p = this.#wheel.payload;
        const at = id * PAYLOAD;
        const visibleAt = this.#wheel.dueOf(id);
        if (event === MsgEvent.Receive) {
          // One record per receive call, not per message (written by #writeBatches).
          this.#deliveredRecord ??= [Rec.Delivered, group];
          this.#deliveredRecord.push(
            seq,
            this.#receiveCount[slot]!,
            this.#firstReceived[slot]!,
            visibleAt,
            p[at + 1]!,
            p[at + 2]!,
            p[at + 3]!,
          );
        } else {
          journal.record([Rec.VisibilityChanged, group, seq, visibleAt, p[at + 1], p[at + 2], p[at + 3]]);
        }
        break;
      }
      case MsgEvent.Ack:
        this.#ackedRecord ??= [Rec.Acked, group];
        this.#ackedRecord.push(seq);
        break;
      case MsgEvent.Nack:
      case MsgEvent.Timeout:
        journal.record([Rec.Returned, group, seq, to]);
        break;
      case MsgEvent.Due:
        journal.record([Rec.Due, group, seq]);
        break;
      // EXPIRE is written once per message by the topic.
    }
  }

  /** Writes the batched Delivered and Acked records of the call that just ran. */
  #writeBatches(): void {
    const journal = this.#env.journal;
    if (journal === undefined) return;
    if (this.#deliveredRecord !== undefined) journal.record(this.#deliveredRecord);
    if (this.#ackedRecord !== undefined) journal.record(this.#ackedRecord);
    this.#deliveredRecord = this.#ackedRecord = undefined;
  }

  /** Delivers up to `max` visible messages into `out`. */
  #take(max: number, visibilityTimeout: number, now: number, out: Delivery[]): void {
    try {
      this.#takeFrom(max, visibilityTimeout, now, out);
    } finally {
      // Also when a body could not be read: the deliveries made before it are recorded.
      if (this.#deliveredRecord !== undefined) this.#writeBatches();
    }
  }

  #takeFrom(max: number, visibilityTimeout: number, now: number, out: Delivery[]): void {
    this.#now = now;
    this.#visibilityTimeout = visibilityTimeout;
    if (!this.#options.ordered) {
      while (out.length < max && this.#readyHead !== NONE) out.push(this.#deliver(this.#readyHead));
      return;
    }
    while (out.length < max) {
      const kq = this.#readyKeysHead;
      if (kq === undefined) return;
      this.#readyKeysHead = kq.nextReady;
      if (this.#readyKeysHead === undefined) this.#readyKeysTail = undefined;
      kq.nextReady = undefined;
      kq.queued = false;
      // A key is taken only when nothing of it is inflight, and then as one batch in send order.
      if (kq.inflight > 0) continue;
      while (out.length < max && kq.head !== NONE) out.push(this.#deliver(kq.head));
    }
  }

  #deliver(slot: Slot): Delivery {
    const store = this.#store;
    // The body first: if it cannot be read (a disk fault), nothing has changed.
    const body = store.body(slot);
    this.#apply(slot, MsgEvent.Receive, 0);
    const id = this.#next[slot]! as TimerId;
    const handle = this.#handleOf(slot, id);
    const extra = store.extra(slot);
    return new DeliveredMessage(
      this.#host,
      store.seq[slot]!,
      body,
      store.tagOf(slot),
      extra?.keys,
      extra?.properties,
      extra?.groupKey,
      store.publishedAt[slot]!,
      store.publishedAt[slot]! + this.#firstReceived[slot]! - 1,
      this.#receiveCount[slot]!,
      this.#wheel.dueOf(id),
      handle,
      store.priority === undefined ? undefined : store.priority[slot] || undefined,
    );
  }

  #handleOf(slot: Slot, id: number): string {
    const p = this.#wheel.payload;
    const at = id * PAYLOAD;
    return encodeHandle(
      this.uid,
      slot,
      this.#store.seq[slot]!,
      this.#receiveCount[slot]!,
      p[at + 1]!,
      p[at + 2]!,
      p[at + 3]!,
    );
  }

  #message(slot: Slot, visibleAt: number): Message {
    const store = this.#store;
    const extra = store.extra(slot);
    const first = this.#firstReceived[slot]!;
    return {
      id: this.#host.idOf(store.seq[slot]!),
      body: store.body(slot),
      tag: store.tagOf(slot),
      keys: extra?.keys,
      properties: extra?.properties,
      groupKey: extra?.groupKey,
      publishedAt: store.publishedAt[slot]!,
      firstReceivedAt: first === 0 ? 0 : store.publishedAt[slot]! + first - 1,
      receiveCount: this.#receiveCount[slot]!,
      visibleAt: visibleAt || Math.max(store.publishedAt[slot]!, extra?.deliverAt ?? 0),
      priority: store.priorityOf(slot) || undefined,
    };
  }

  /** Validates a handle for `event` and applies it; answers the failure, if any. */
  #settle(handle: string, event: number, now: number): HandleFailure | undefined {
    if (this.#deleted !== undefined) return 'ReceiptHandleError';
    const failure = this.#check(handle, now);
    if (failure !== undefined) return failure;
    const slot = decoded.slot;
    this.#now = now;
    this.#apply(slot, event, event === MsgEvent.Nack ? this.#flags(slot) : 0);
    return undefined;
  }

  /** Classifies a handle: undefined when it names the live delivery of an inflight message. */
  #check(handle: string, now: number): HandleFailure | undefined {
    if (!decodeHandle(handle) || decoded.groupUid !== this.uid) return 'ReceiptHandleError';
    const slot = decoded.slot;
    // Columns grow with use (and start empty after a restart that replayed no live message): a slot past
    // them held a message this group no longer has, like an ABSENT one.
    if (slot >= this.#capacity) return 'MessageNotExist';
    const state = this.#state[slot]!;
    if (
      state === ABSENT ||
      state >= MsgState.Acked ||
      this.#store.seq[slot]! % decoded.seqModulus !== decoded.seq
    ) {
      return 'MessageNotExist';
    }
    const count = this.#receiveCount[slot]!;
    if (decoded.deliveryNo > count) return 'ReceiptHandleError';
    if (decoded.deliveryNo < count || state !== MsgState.Inflight) return 'ReceiptHandleExpired';
    const at = this.#next[slot]! * PAYLOAD;
    const p = this.#wheel.payload;
    const version = p[at + 1]!;
    if (decoded.version !== version)
      return decoded.version < version ? 'ReceiptHandleExpired' : 'ReceiptHandleError';
    if (decoded.nonceA !== p[at + 2] || decoded.nonceB !== p[at + 3]) return 'ReceiptHandleError';
    // The deadline may have passed before the wheel's timer ran: the delivery has ended all the same.
    if (now >= this.#wheel.dueOf(this.#next[slot]! as TimerId)) return 'ReceiptHandleExpired';
    return undefined;
  }

  #handleError(failure: HandleFailure): SluiceError {
    if (this.#deleted !== undefined) return this.#deleted;
    return new SluiceError(ErrorCode[failure], HANDLE_MESSAGES[failure]);
  }

  // ---------------------------------------------------------------- ready lists

  #hasReady(): boolean {
    return this.#options.ordered ? this.#readyKeysHead !== undefined : this.#readyHead !== NONE;
  }

  #keyOf(slot: Slot): KeyQueue {
    const key = this.#store.extra(slot)?.groupKey ?? '';
    let kq = this.#keys.get(key);
    if (kq === undefined) {
      kq = new KeyQueue(key);
      this.#keys.set(key, kq);
    }
    return kq;
  }

  #markReady(kq: KeyQueue): void {
    if (kq.queued || kq.inflight > 0 || kq.head === NONE) return;
    kq.queued = true;
    if (this.#readyKeysTail === undefined) this.#readyKeysHead = kq;
    else this.#readyKeysTail.nextReady = kq;
    this.#readyKeysTail = kq;
  }

  #pushBack(slot: Slot): void {
    if (this.#options.ordered) {
      const kq = this.#keyOf(slot);
      this.#next[slot] = NONE;
      this.#prev[slot] = kq.tail;
      if (kq.tail === NONE) kq.head = slot;
      else this.#next[kq.tail] = slot;
      kq.tail = slot;
      this.#markReady(kq);
      return;
    }
    if (this.#store.priority !== undefined && this.#ranks(slot)) {
      this.#insertRanked(slot, false);
      return;
    }
    this.#next[slot] = NONE;
    this.#prev[slot] = this.#readyTail;
    if (this.#readyTail === NONE) this.#readyHead = slot;
    else this.#next[this.#readyTail] = slot;
    this.#readyTail = slot;
  }

  /** A delivery ended unacked: back to the front (ordered: to its place in send order within its key). */
  #pushFront(slot: Slot): void {
    if (this.#options.ordered) {
      const kq = this.#keyOf(slot);
      const seq = this.#store.seq;
      let after = NONE;
      let before = kq.head;
      while (before !== NONE && seq[before]! < seq[slot]!) {
        after = before;
        before = this.#next[before]!;
      }
      this.#prev[slot] = after;
      this.#next[slot] = before;
      if (after === NONE) kq.head = slot;
      else this.#next[after] = slot;
      if (before === NONE) kq.tail = slot;
      else this.#prev[before] = slot;
      return;
    }
    if (this.#store.priority !== undefined && this.#ranks(slot)) {
      this.#insertRanked(slot, true);
      return;
    }
    this.#prev[slot] = NONE;
    this.#next[slot] = this.#readyHead;
    if (this.#readyHead === NONE) this.#readyTail = slot;
    else this.#prev[this.#readyHead] = slot;
    this.#readyHead = slot;
  }

  #unlink(slot: Slot): void {
    const next = this.#next[slot]!;
    const prev = this.#prev[slot]!;
    if (this.#options.ordered) {
      const kq = this.#keyOf(slot);
      if (prev === NONE) kq.head = next;
      else this.#next[prev] = next;
      if (next === NONE) kq.tail = prev;
      else this.#prev[next] = prev;
      return;
    }
    const heads = this.#levelHead;
    if (heads !== undefined) {
      const tails = this.#levelTail!;
      const level = this.#store.priority![slot] || DEFAULT_PRIORITY;
      if (heads[level] === slot) {
        if (tails[level] === slot) this.#levels &= ~(1 << level);
        else heads[level] = next;
      } else if (tails[level] === slot) tails[level] = prev;
    }
    if (prev === NONE) this.#readyHead = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#readyTail = prev;
    else this.#prev[next] = prev;
  }

  /**
   * True when the group keeps priority runs (only asked once the topic has stored a priority), starting them
   * when `slot` is the first message it meets with a priority other than the default. Everything already in
   * the ready list ranks as the default, so it becomes that run.
   */
  #ranks(slot: Slot): boolean {
    if (this.#levelTail !== undefined) return true;
    const level = this.#store.priority![slot]!;
    if (level === 0 || level === DEFAULT_PRIORITY) return false;
    this.#levelHead = new Uint32Array(17).fill(NONE);
    this.#levelTail = new Uint32Array(17).fill(NONE);
    if (this.#readyHead !== NONE) {
      this.#levelHead[DEFAULT_PRIORITY] = this.#readyHead;
      this.#levelTail[DEFAULT_PRIORITY] = this.#readyTail;
      this.#levels = 1 << DEFAULT_PRIORITY;
    }
    return true;
  }

  /** Links `slot` at the end (or, `front`, the start) of its priority's run in the ready list. */
  #insertRanked(slot: Slot, front: boolean): void {
    const heads = this.#levelHead!;
    const tails = this.#levelTail!;
    const level = this.#store.priority![slot] || DEFAULT_PRIORITY;
    const bit = 1 << level;
    let after: Slot;
    let before: Slot;
    if (this.#levels & bit) {
      if (front) {
        before = heads[level]!;
        after = this.#prev[before]!;
        heads[level] = slot;
      } else {
        after = tails[level]!;
        before = this.#next[after]!;
        tails[level] = slot;
      }
    } else {
      // A new run: right after the lowest of the higher-priority runs (bits below `level`), else first.
      const higher = this.#levels & (bit - 1);
      after = higher === 0 ? NONE : tails[31 - Math.clz32(higher)]!;
      before = after === NONE ? this.#readyHead : this.#next[after]!;
      heads[level] = tails[level] = slot;
      this.#levels |= bit;
    }
    this.#prev[slot] = after;
    this.#next[slot] = before;
    if (after === NONE) this.#readyHead = slot;
    else this.#next[after] = slot;
    if (before === NONE) this.#readyTail = slot;
    else this.#prev[before] = slot;
  }

  /** An inflight message of an ordered group left inflight: unlock its key when it was the last. */
  #keyReleased(slot: Slot): void {
    const kq = this.#keyOf(slot);
    kq.inflight--;
    if (kq.inflight === 0) {
      if (kq.head === NONE) this.#dropKeyIfIdle(kq);
      else this.#markReady(kq);
    }
  }

  #dropKeyIfIdle(kq: KeyQueue): void {
    if (kq.head === NONE && kq.inflight === 0 && !kq.queued) this.#keys.delete(kq.key);
  }

  // ---------------------------------------------------------------- long polling

  #park(
    max: number,
    visibilityTimeout: number,
    wait: number,
    signal: AbortSignal | undefined,
  ): Promise<Delivery[]> {
    return new Promise<Delivery[]>((resolve, reject) => {
      const waiter = new Waiter(max, visibilityTimeout, resolve, reject, signal);
      waiter.timer = this.#scheduler.clock.setTimer(
        () => {
          waiter.timer = undefined;
          this.#removeWaiter(waiter);
          resolve([]);
        },
        wait,
        true,
      );
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#removeWaiter(waiter);
          resolve([]);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      waiter.prev = this.#waitersTail;
      if (this.#waitersTail === undefined) this.#waitersHead = waiter;
      else this.#waitersTail.next = waiter;
      this.#waitersTail = waiter;
      this.#waiting++;
    });
  }

  #unpark(waiter: Waiter): void {
    if (waiter.timer !== undefined) this.#scheduler.clock.clearTimer(waiter.timer);
    waiter.timer = undefined;
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  #removeWaiter(waiter: Waiter): void {
    this.#unpark(waiter);
    const { prev, next } = waiter;
    if (prev === undefined) {
      if (this.#waitersHead !== waiter) return; // already removed
      this.#waitersHead = next;
    } else prev.next = next;
    if (next === undefined) this.#waitersTail = prev;
    else next.prev = prev;
    waiter.next = waiter.prev = undefined;
    this.#waiting--;
  }

  #drainWaiters(): void {
    // While the storage cannot take deliveries, parked receivers keep waiting (and end with []).
    if (this.#env.refusal(Need.Record) !== undefined) return;
    const now = this.#scheduler.now();
    while (this.#waitersHead !== undefined && this.#hasReady()) {
      const waiter = this.#waitersHead;
      const out: Delivery[] = [];
      try {
        this.#take(waiter.max, waiter.visibilityTimeout, now, out);
      } catch (error) {
        // What was taken before the fault stays inflight until its deadline, like any lost answer.
        this.#removeWaiter(waiter);
        waiter.reject(error);
        continue;
      }
      if (out.length === 0) return;
      this.#removeWaiter(waiter);
      if (this.#env.journal === undefined) waiter.resolve(out);
      else this.#env.settle(out).then(waiter.resolve, waiter.reject);
    }
  }

  // ---------------------------------------------------------------- housekeeping

  #oldestAge(): number {
    const store = this.#store;
    let steps = 0;
    for (let s = store.head; s !== NONE && steps < 256; s = store.retentionNext[s]!, steps++) {
      if (this.holds(s)) return Math.max(0, this.#scheduler.now() - store.publishedAt[s]!);
    }
    const s = this.#readyHead;
    return s === NONE ? 0 : Math.max(0, this.#scheduler.now() - store.publishedAt[s]!);
  }

  #checkLive(): void {
    if (this.#deleted !== undefined) throw this.#deleted;
  }

  /** Throws when the storage cannot take a change now (before the change is made). */
  #checkWritable(): void {
    const refusal = this.#env.refusal(Need.Record);
    if (refusal !== undefined) throw refusal;
  }

  #grow(capacity: number): void {
    if (capacity <= this.#capacity) return;
    this.#capacity = capacity;
    const state = new Uint8Array(capacity).fill(ABSENT);
    state.set(this.#state);
    this.#state = state;
    this.#receiveCount = grow(this.#receiveCount, new Uint32Array(capacity));
    this.#firstReceived = grow(this.#firstReceived, new Uint32Array(capacity));
    this.#next = grow(this.#next, new Uint32Array(capacity));
    this.#prev = grow(this.#prev, new Uint32Array(capacity));
  }
}
