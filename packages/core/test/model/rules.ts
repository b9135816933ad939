/**
 * The rules of the reference model: how each call, each passing of time, and each record that a crash
 * may or may not have kept changes a world, and what the broker may answer.
 *
 * Three modes:
 * - `live`: the broker is running; the observed answers are checked against the world (throwing
 *   `Invalid` when they cannot be right) and then applied. Parked long polls are woken here.
 * - `replay`: rebuilding what a crash image may hold: records of calls that had not resolved are
 *   applied or not (`choose`), time-driven changes are recomputed, dead-letter copies made by time may
 *   or may not be on disk.
 * - `recompute`: what fell due while the broker was down, applied on open (copies appear at open time).
 */
import type { Delivery, Message } from '../../src/index.js';
import { type Invariant, invalid } from './explore.js';
import {
  type Content,
  canon,
  counts,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_RETENTION,
  DEFAULT_VISIBILITY,
  findGroup,
  fingerprint,
  type GroupOpts,
  type GroupRef,
  type GState,
  keyOf,
  type MGroup,
  type MMsg,
  type MTopic,
  msgById,
  refName,
  sameContent,
  showBody,
  type TopicOpts,
  takes,
  type World,
} from './world.js';

// ---------------------------------------------------------------------------------------------- context

export type WaiterObs =
  | { readonly state: 'pending' }
  | { readonly state: 'resolved'; readonly deliveries: readonly Delivery[] }
  | { readonly state: 'rejected'; readonly code: string };

export interface Ctx {
  readonly mode: 'live' | 'replay' | 'recompute';
  /** Where we are, for messages ("step 12"). */
  readonly label: string;
  choose(n: number): number;
  /** live: how parked receive `wid` ended during this step. */
  waiter(wid: number): WaiterObs;
  /** live: the model explained how `wid` ended. */
  consume(wid: number): void;
  /** replay: the time-driven changes of the step reached the disk (its flush resolved before the image). */
  readonly timeCertain: boolean;
}

export function inMode(ctx: Ctx, mode: Ctx['mode'], timeCertain = ctx.timeCertain): Ctx {
  return {
    mode,
    label: ctx.label,
    timeCertain,
    choose: (n) => ctx.choose(n),
    waiter: (wid) => ctx.waiter(wid),
    consume: (wid) => ctx.consume(wid),
  };
}

// ---------------------------------------------------------------------------------------------- names

export type Code =
  | 'ok'
  | 'QueueNotExist'
  | 'TopicNotExist'
  | 'GroupNotExist'
  | 'QueueAlreadyExist'
  | 'TopicAlreadyExist'
  | 'GroupAlreadyExist'
  | 'MessageNotExist'
  | 'ReceiptHandleError'
  | 'ReceiptHandleExpired'
  | 'InvalidArgument'
  | 'MessageTooLarge';

/** The error a call on `ref` gets when its queue, topic or group is missing; undefined when it exists. */
export function missing(w: World, ref: GroupRef): Code | undefined {
  const t = w.topics.get(ref.topic);
  if (ref.group === '') return t?.kind === 'queue' ? undefined : 'QueueNotExist';
  if (t?.kind !== 'topic') return 'TopicNotExist';
  return t.groups.has(ref.group) ? undefined : 'GroupNotExist';
}

export function group(w: World, ref: GroupRef): [MTopic, MGroup] {
  const found = findGroup(w, ref);
  if (found === undefined) throw new Error(`model: no group ${refName(ref)}`);
  return found;
}

/** The target of a send: a queue (kind queue) or a topic (kind topic). */
export function sendTarget(w: World, name: string, kind: 'queue' | 'topic'): MTopic | Code {
  const t = w.topics.get(name);
  if (t?.kind !== kind) return kind === 'queue' ? 'QueueNotExist' : 'TopicNotExist';
  return t;
}

// ---------------------------------------------------------------------------------------------- messages

function newState(m: MMsg, now: number): GState {
  const delayed = m.deliverAt > now;
  return {
    state: delayed ? 'delayed' : 'active',
    receiveCount: 0,
    firstReceivedAt: 0,
    due: delayed ? m.deliverAt : 0,
    handle: null,
  };
}

/**
 * Appends a message to a topic: every group whose tag filter lets it in holds it. A topic that keeps
 * consumed messages keeps it for retention in any case; otherwise, when the topic has groups and none
 * holds it, it is dropped (a topic with no group keeps it for groups to come).
 */
export function appendMessage(
  w: World,
  t: MTopic,
  content: Content,
  id: string | undefined,
  publishedAt: number,
  deliverAt: number,
  note: string,
): MMsg {
  const m: MMsg = {
    ...content,
    order: t.nextOrder++,
    id,
    publishedAt,
    deliverAt: deliverAt > publishedAt ? deliverAt : 0,
    fp: fingerprint(content),
    note,
  };
  if (id !== undefined) w.usedIds.add(id);
  let held = 0;
  for (const g of t.groups.values()) {
    if (!takes(g, m)) continue;
    g.states.set(m.order, newState(m, w.now));
    held++;
  }
  if (held > 0 || t.groups.size === 0 || t.options.keepConsumed) t.msgs.set(m.order, m);
  return m;
}

/** Wakes the parked receivers of every group of `t` (after messages were appended). */
export function wakeAll(w: World, t: MTopic, ctx: Ctx): void {
  for (const g of [...t.groups.values()]) if (t.groups.get(g.name) === g) drain(w, t, g, ctx);
}

/** A group lets go of a message; it is freed when no group holds it any more (unless retention keeps it). */
function release(t: MTopic, order: number): void {
  if (t.options.keepConsumed) return;
  for (const g of t.groups.values()) if (g.states.has(order)) return;
  t.msgs.delete(order);
}

export function finish(t: MTopic, g: MGroup, order: number, how: 'acked' | 'dead-lettered', ctx: Ctx): void {
  const m = t.msgs.get(order);
  g.states.delete(order);
  if (how === 'acked') g.acked++;
  else g.deadLettered++;
  if (m?.id !== undefined) g.gone.set(m.id, `${how} (${ctx.label})`);
  release(t, order);
}

/** Retention: the message expires in every group that holds it and is freed. */
function expireMessage(t: MTopic, order: number, ctx: Ctx): void {
  const m = t.msgs.get(order);
  for (const g of t.groups.values()) {
    if (!g.states.delete(order)) continue;
    g.expired++;
    if (m?.id !== undefined) g.gone.set(m.id, `expired (${ctx.label})`);
  }
  t.msgs.delete(order);
}

export function defaultQueue(): { topic: TopicOpts; group: GroupOpts } {
  return {
    topic: {
      delay: 0,
      retention: DEFAULT_RETENTION,
      maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
      keepConsumed: false,
    },
    group: {
      visibilityTimeout: DEFAULT_VISIBILITY,
      maxReceiveCount: 0,
      deadLetterQueue: undefined,
      ordered: false,
      tags: undefined,
      startAt: 'earliest',
    },
  };
}

function newGroup(name: string, options: GroupOpts, startOrder = 0): MGroup {
  return {
    name,
    uid: undefined,
    options,
    startOrder,
    states: new Map(),
    acked: 0,
    deadLettered: 0,
    expired: 0,
    waiters: [],
    gone: new Map(),
  };
}

function addQueue(w: World, name: string, options: { topic: TopicOpts; group: GroupOpts }): MTopic {
  const t: MTopic = {
    name,
    kind: 'queue',
    options: options.topic,
    groups: new Map(),
    msgs: new Map(),
    nextOrder: 1,
  };
  t.groups.set('', newGroup('', options.group));
  w.topics.set(name, t);
  return t;
}

/** A dead letter's copy goes to its queue (created with default options if missing). */
function appendCopy(w: World, queue: string, content: Content, ctx: Ctx): void {
  let t = w.topics.get(queue);
  if (t === undefined) t = addQueue(w, queue, defaultQueue());
  if (t.kind !== 'queue') throw new Error(`model: dead letter into topic ${queue}`);
  appendMessage(w, t, content, undefined, w.now, 0, `dead-letter copy (${ctx.label})`);
  wakeAll(w, t, ctx);
}

function contentOf(m: MMsg): Content {
  return {
    body: m.body,
    tag: m.tag,
    keys: m.keys,
    properties: m.properties,
    groupKey: m.groupKey,
    priority: m.priority,
  };
}

/** A delivery ended without an ack (nack, timeout, changeVisibility 0): back to active, or dead letter. */
function endDelivery(w: World, t: MTopic, g: MGroup, order: number, ctx: Ctx): void {
  const s = g.states.get(order)!;
  const max = g.options.maxReceiveCount;
  if (!(max > 0 && s.receiveCount >= max)) {
    s.state = 'active';
    s.due = 0;
    s.handle = null;
    s.returnCertain = undefined;
    return;
  }
  const m = t.msgs.get(order)!;
  const dlq = g.options.deadLetterQueue;
  const certain = s.returnCertain === true;
  finish(t, g, order, 'dead-lettered', ctx);
  if (dlq === undefined) return;
  const content = contentOf(m);
  if (ctx.mode === 'live' || (ctx.mode === 'replay' && (certain || ctx.timeCertain))) {
    appendCopy(w, dlq, content, ctx);
    return;
  }
  if (ctx.mode === 'recompute') {
    w.deferred.push({ queue: dlq, content });
    return;
  }
  // A crash image may hold the copy and the dead-lettering (a), neither (the dead letter is recomputed
  // on open, with a new copy: b), or the copy alone (the message is dead-lettered again on open: c).
  const c = ctx.choose(3);
  if (c !== 1) appendCopy(w, dlq, content, ctx);
  if (c !== 0) w.deferred.push({ queue: dlq, content });
}

/** On open: the dead-letter copies a crash left to be made again. */
export function appendDeferred(w: World, ctx: Ctx): void {
  const deferred = w.deferred;
  w.deferred = [];
  for (const d of deferred) appendCopy(w, d.queue, d.content, ctx);
}

// ---------------------------------------------------------------------------------------------- receiving

/** Messages a receive could take now. */
export function ready(g: MGroup, t: MTopic): number {
  if (!g.options.ordered) return counts(g).active;
  const { active, locked } = keys(g, t);
  let n = 0;
  for (const [key, list] of active) if (!locked.has(key)) n += list.length;
  return n;
}

/** Ordered groups: visible messages per key (in send order) and the keys with a message inflight. */
function keys(g: MGroup, t: MTopic): { active: Map<string, MMsg[]>; locked: Set<string> } {
  const active = new Map<string, MMsg[]>();
  const locked = new Set<string>();
  for (const [order, s] of [...g.states.entries()].sort((a, b) => a[0] - b[0])) {
    const m = t.msgs.get(order)!;
    const key = keyOf(m);
    if (s.state === 'inflight') locked.add(key);
    else if (s.state === 'active') {
      const list = active.get(key);
      if (list === undefined) active.set(key, [m]);
      else list.push(m);
    }
  }
  return { active, locked };
}

/** Finds the message a delivery or peek names; binds an unnamed dead-letter copy with that content. */
export function identify(w: World, t: MTopic, g: MGroup, seen: Message): MMsg | undefined {
  const known = msgById(t, seen.id);
  if (known !== undefined) return known;
  if (w.usedIds.has(seen.id)) return undefined;
  for (const m of t.msgs.values()) {
    if (m.id !== undefined || g.states.get(m.order)?.state !== 'active') continue;
    if (m.publishedAt !== seen.publishedAt || !sameContent(m, seen)) continue;
    const bound: MMsg = { ...m, id: seen.id };
    t.msgs.set(m.order, bound);
    w.usedIds.add(seen.id);
    return bound;
  }
  return undefined;
}

function idOf(m: MMsg): string {
  return m.id ?? `(unnamed ${m.note})`;
}

function gone(g: MGroup, id: string): string {
  const how = g.gone.get(id);
  return how === undefined ? 'a message this group never held' : `a message ${how}`;
}

/** Checks the fields of a message as the broker shows it against what was sent and what the group did. */
export function fieldMismatches(
  m: MMsg,
  seen: Message,
  receiveCount: number,
  firstReceivedAt: number,
): string[] {
  const out: string[] = [];
  if (Buffer.compare(Buffer.from(seen.body), Buffer.from(m.body)) !== 0) {
    out.push(`body ${showBody(seen.body)} instead of ${showBody(m.body)}`);
  }
  if (seen.tag !== m.tag) out.push(`tag ${String(seen.tag)} instead of ${String(m.tag)}`);
  if (JSON.stringify(seen.keys ?? null) !== JSON.stringify(m.keys ?? null)) {
    out.push(`keys ${JSON.stringify(seen.keys)} instead of ${JSON.stringify(m.keys)}`);
  }
  if (JSON.stringify(sorted(seen.properties)) !== JSON.stringify(sorted(m.properties))) {
    out.push(`properties ${JSON.stringify(seen.properties)} instead of ${JSON.stringify(m.properties)}`);
  }
  if (seen.groupKey !== m.groupKey)
    out.push(`groupKey ${String(seen.groupKey)} instead of ${String(m.groupKey)}`);
  if (seen.priority !== m.priority)
    out.push(`priority ${String(seen.priority)} instead of ${String(m.priority)}`);
  if (seen.publishedAt !== m.publishedAt)
    out.push(`publishedAt ${seen.publishedAt} instead of ${m.publishedAt}`);
  if (seen.receiveCount !== receiveCount)
    out.push(`receiveCount ${seen.receiveCount} instead of ${receiveCount}`);
  if (seen.firstReceivedAt !== firstReceivedAt) {
    out.push(`firstReceivedAt ${seen.firstReceivedAt} instead of ${firstReceivedAt}`);
  }
  return out;
}

function sorted(r: Readonly<Record<string, string>> | undefined): unknown {
  return r === undefined ? null : Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function fieldInvariant(problems: string[]): Invariant {
  return problems.some((p) => p.startsWith('firstReceivedAt')) && problems.length === 1
    ? 'I4 answers'
    : 'I1 acknowledged is durable';
}

/**
 * A receive (or a woken long poll) answered `deliveries`: each must be visible in the world, as many as
 * there are up to `max`, in key order for an ordered group, with the sent fields; then they are inflight.
 */
export function take(
  w: World,
  t: MTopic,
  g: MGroup,
  deliveries: readonly Delivery[],
  max: number,
  vt: number,
  what: string,
): void {
  const where = `${what} on ${refName({ topic: t.name, group: g.name })}`;
  if (deliveries.length > max)
    invalid('I4 answers', `${where} answered ${deliveries.length} messages, max ${max}`);
  const picked: [MMsg, GState, Delivery][] = [];
  for (const d of deliveries) {
    const m = identify(w, t, g, d);
    if (m === undefined) {
      invalid('I2 nothing comes back', `${where} delivered ${d.id} (${showBody(d.body)}), ${gone(g, d.id)}`);
    }
    const s = g.states.get(m.order);
    if (s === undefined)
      invalid('I2 nothing comes back', `${where} delivered ${idOf(m)}, ${gone(g, idOf(m))}`);
    if (picked.some(([p]) => p === m))
      invalid('I4 answers', `${where} delivered ${idOf(m)} twice in one answer`);
    if (s.state !== 'active') {
      const why =
        s.state === 'inflight'
          ? `inflight until ${s.due} (now ${w.now}): two deliveries at once`
          : `delayed until ${s.due} (now ${w.now})`;
      invalid('I4 answers', `${where} delivered ${idOf(m)} which is ${why}`);
    }
    picked.push([m, s, d]);
  }
  if (g.options.ordered) checkOrdered(t, g, picked, max, where);
  else {
    const visible = counts(g).active;
    if (picked.length !== Math.min(max, visible)) {
      invalid(
        'I4 answers',
        `${where} answered ${picked.length} messages while ${visible} were visible (max ${max})`,
      );
    }
  }
  for (const [m, s, d] of picked) {
    // A first receive is dated no earlier than the message (after a clock stepped back it could be).
    const problems = fieldMismatches(
      m,
      d,
      s.receiveCount + 1,
      s.firstReceivedAt || Math.max(w.now, m.publishedAt),
    );
    if (d.visibleAt !== w.now + vt)
      problems.push(`visibleAt ${d.visibleAt} instead of now + ${vt} = ${w.now + vt}`);
    if (typeof d.receiptHandle !== 'string' || d.receiptHandle.length === 0)
      problems.push('no receipt handle');
    if (problems.length > 0) {
      invalid(
        fieldInvariant(problems),
        `${where} delivered ${idOf(m)} (sent ${m.note}) with ${problems.join(', ')}`,
      );
    }
  }
  for (const [m, s, d] of picked) {
    s.state = 'inflight';
    s.receiveCount++;
    if (s.firstReceivedAt === 0) s.firstReceivedAt = Math.max(w.now, m.publishedAt);
    s.due = w.now + vt;
    s.handle = d.receiptHandle;
  }
}

function checkOrdered(
  t: MTopic,
  g: MGroup,
  picked: [MMsg, GState, Delivery][],
  max: number,
  where: string,
): void {
  const { active, locked } = keys(g, t);
  const runs: { key: string; msgs: MMsg[] }[] = [];
  for (const [m] of picked) {
    const key = keyOf(m);
    const last = runs.at(-1);
    if (last?.key === key) last.msgs.push(m);
    else {
      if (runs.some((r) => r.key === key)) {
        invalid('I4 answers', `${where} (ordered) split key '${key}' in one answer`);
      }
      runs.push({ key, msgs: [m] });
    }
  }
  let taken = 0;
  for (const run of runs) {
    if (locked.has(run.key)) {
      invalid(
        'I4 answers',
        `${where} (ordered) delivered key '${run.key}' while a message of that key is inflight`,
      );
    }
    const list = active.get(run.key) ?? [];
    const expected = Math.min(max - taken, list.length);
    if (run.msgs.length !== expected) {
      invalid(
        'I4 answers',
        `${where} (ordered) took ${run.msgs.length} message(s) of key '${run.key}' where ${expected} were due (its visible ones, up to max)`,
      );
    }
    if (run.key !== '') {
      for (let i = 0; i < run.msgs.length; i++) {
        if (run.msgs[i] !== list[i]) {
          invalid(
            'I4 answers',
            `${where} (ordered) broke send order within key '${run.key}': delivered ${run.msgs.map(idOf).join(', ')} but the key's first visible are ${list
              .slice(0, run.msgs.length)
              .map(idOf)
              .join(', ')}`,
          );
        }
      }
    }
    taken += run.msgs.length;
  }
  if (taken < max) {
    for (const [key, list] of active) {
      if (locked.has(key) || runs.some((r) => r.key === key)) continue;
      invalid(
        'I4 answers',
        `${where} (ordered) answered ${taken} message(s) but key '${key}' had ${list.length} ready`,
      );
    }
  }
}

/** Parked receivers of `g` take what became ready, in arrival order (live only). */
export function drain(w: World, t: MTopic, g: MGroup, ctx: Ctx): void {
  if (ctx.mode !== 'live') return;
  while (g.waiters.length > 0) {
    const n = ready(g, t);
    if (n === 0) return;
    const waiter = g.waiters[0]!;
    const obs = ctx.waiter(waiter.wid);
    const what = `parked receive #${waiter.wid}`;
    if (obs.state !== 'resolved' || obs.deliveries.length === 0) {
      invalid(
        'I4 answers',
        `${what} on ${refName({ topic: t.name, group: g.name })} should have been woken with ${Math.min(n, waiter.max)} message(s) (${n} ready), but it ${describeObs(obs)}`,
      );
    }
    take(w, t, g, obs.deliveries, waiter.max, waiter.vt, what);
    ctx.consume(waiter.wid);
    g.waiters.shift();
  }
}

export function describeObs(obs: WaiterObs): string {
  if (obs.state === 'pending') return 'is still parked';
  if (obs.state === 'rejected') return `was rejected with ${obs.code}`;
  return `resolved with ${obs.deliveries.length} message(s)`;
}

/** A receive call on `ref` that answered, parked, or failed. */
export type ReceiveObs =
  | { readonly kind: 'resolved'; readonly deliveries: readonly Delivery[] }
  | { readonly kind: 'parked'; readonly wid: number }
  | { readonly kind: 'error'; readonly code: string };

export function receive(
  w: World,
  ref: GroupRef,
  args: { max: number; vt: number | undefined; wait: number },
  obs: ReceiveObs,
): void {
  const code = missing(w, ref);
  if (code !== undefined || obs.kind === 'error') {
    const got = obs.kind === 'error' ? obs.code : 'an answer';
    if (got !== code)
      invalid('I4 answers', `receive on ${refName(ref)} got ${got}, expected ${code ?? 'an answer'}`);
    return;
  }
  const [t, g] = group(w, ref);
  const vt = args.vt ?? g.options.visibilityTimeout;
  if (obs.kind === 'parked') {
    const n = ready(g, t);
    if (n > 0) invalid('I4 answers', `receive on ${refName(ref)} parked although ${n} message(s) were ready`);
    if (args.wait === 0) invalid('I4 answers', `receive on ${refName(ref)} without wait did not answer`);
    g.waiters.push({ wid: obs.wid, max: args.max, vt, deadline: w.mono + args.wait });
    return;
  }
  if (obs.deliveries.length === 0 && args.wait > 0) {
    invalid('I4 answers', `a long poll on ${refName(ref)} answered [] at once instead of parking`);
  }
  take(w, t, g, obs.deliveries, args.max, vt, 'receive');
}

// ---------------------------------------------------------------------------------------------- handles

/** A receipt handle the test got from the broker, and what it names. */
export interface HandleInfo {
  readonly handle: string;
  readonly uid: number;
  readonly ref: GroupRef;
  readonly msgId: string;
  readonly deliveryNo: number;
}

/** How a handle is used: as received, altered (forged), or made up. */
export type HandleUse =
  | { readonly kind: 'genuine'; readonly info: HandleInfo }
  | { readonly kind: 'forged'; readonly info: HandleInfo; readonly handle: string }
  | { readonly kind: 'garbage'; readonly handle: string };

export function useHandle(use: HandleUse): string {
  return use.kind === 'genuine' ? use.info.handle : use.handle;
}

export function describeUse(use: HandleUse): string {
  if (use.kind === 'garbage') return `garbage ${JSON.stringify(use.handle.slice(0, 12))}`;
  const i = use.info;
  return `${use.kind === 'forged' ? 'forged from ' : ''}handle of ${refName(i.ref)} ${i.msgId.slice(16)} delivery ${i.deliveryNo}`;
}

function genuine(w: World, info: HandleInfo, t: MTopic, g: MGroup): Code {
  if (g.uid !== info.uid) return 'ReceiptHandleError';
  const m = msgById(t, info.msgId);
  const s = m === undefined ? undefined : g.states.get(m.order);
  if (s === undefined) return 'MessageNotExist';
  if (info.deliveryNo > s.receiveCount) return 'ReceiptHandleError';
  if (s.state === 'inflight' && s.handle === info.handle && w.now < s.due) return 'ok';
  return 'ReceiptHandleExpired';
}

/** The answers the broker may give to a settle call with `use` on group (t, g). */
export function allowed(w: World, use: HandleUse, t: MTopic, g: MGroup): Set<Code> {
  if (use.kind === 'garbage') return new Set(['ReceiptHandleError']);
  const base = genuine(w, use.info, t, g);
  if (use.kind === 'genuine') return new Set([base]);
  return new Set<Code>(base === 'ok' ? ['ReceiptHandleError'] : ['ReceiptHandleError', base]);
}

function handleInvariant(expected: Set<Code>, got: string): Invariant {
  if (got === 'ok' && expected.has('MessageNotExist')) return 'I2 nothing comes back';
  return 'I3 handles';
}

function liveState(use: HandleUse, t: MTopic, g: MGroup): [number, GState] {
  if (use.kind !== 'genuine') throw new Error('model: a non-genuine handle settled');
  const m = msgById(t, use.info.msgId)!;
  return [m.order, g.states.get(m.order)!];
}

function checkAnswer(w: World, use: HandleUse, t: MTopic, g: MGroup, got: string, call: string): boolean {
  const expected = allowed(w, use, t, g);
  if (!expected.has(got as Code)) {
    const s = use.kind === 'garbage' ? undefined : stateOf(t, g, use.info.msgId);
    invalid(
      handleInvariant(expected, got),
      `${call}(${describeUse(use)}) on ${refName({ topic: t.name, group: g.name })} answered ${got}; the model expects ${[...expected].join(' or ')}${s === undefined ? '' : ` (message ${s})`}`,
    );
  }
  return got === 'ok';
}

function stateOf(t: MTopic, g: MGroup, id: string): string {
  const m = msgById(t, id);
  const s = m === undefined ? undefined : g.states.get(m.order);
  if (s === undefined) return g.gone.get(id) ?? 'not held';
  return `${s.state}, receiveCount ${s.receiveCount}${s.state === 'inflight' ? `, visible at ${s.due}, live handle ${s.handle === null ? 'unknown (recovered)' : s.handle.slice(-6)}` : ''}`;
}

/** ack / one item of ackBatch. */
/** ack / one item of ackBatch (`wake`: drain parked receivers now, else the caller does once at the end). */
export function ack(w: World, ref: GroupRef, use: HandleUse, got: string, ctx: Ctx, wake = true): void {
  const [t, g] = group(w, ref);
  if (!checkAnswer(w, use, t, g, got, 'ack')) return;
  const [order] = liveState(use, t, g);
  finish(t, g, order, 'acked', ctx);
  // An ordered group's key may be free again: parked receivers take its next messages.
  if (wake) drain(w, t, g, ctx);
}

export function nack(w: World, ref: GroupRef, use: HandleUse, got: string, ctx: Ctx): void {
  const [t, g] = group(w, ref);
  if (!checkAnswer(w, use, t, g, got, 'nack')) return;
  const [order] = liveState(use, t, g);
  endDelivery(w, t, g, order, ctx);
  drain(w, t, g, ctx);
}

export function changeVisibility(
  w: World,
  ref: GroupRef,
  use: HandleUse,
  ms: number,
  got: string,
  answer: { receiptHandle: string; visibleAt: number } | undefined,
  ctx: Ctx,
): void {
  const [t, g] = group(w, ref);
  if (!checkAnswer(w, use, t, g, got, 'changeVisibility')) return;
  const [order, s] = liveState(use, t, g);
  if (answer === undefined) throw new Error('model: changeVisibility ok without an answer');
  if (answer.visibleAt !== w.now + ms) {
    invalid(
      'I4 answers',
      `changeVisibility(${ms}) answered visibleAt ${answer.visibleAt}, expected ${w.now + ms}`,
    );
  }
  s.due = w.now + ms;
  s.handle = answer.receiptHandle;
  if (ms === 0) {
    endDelivery(w, t, g, order, ctx);
    drain(w, t, g, ctx);
  }
}

// ---------------------------------------------------------------------------------------------- sending

export interface SendInputModel {
  readonly content: Content;
  readonly delay: number | undefined;
  readonly deliverAt: number | undefined;
  readonly size: number;
}

export function dueOf(t: MTopic, input: SendInputModel, now: number): number {
  if (input.deliverAt !== undefined) return input.deliverAt;
  if (input.delay !== undefined) return now + input.delay;
  return now + t.options.delay;
}

export type SendObs = { readonly id: string } | { readonly error: string };

/** One message of send or sendBatch (wake the groups after the whole call). */
export function sendOne(w: World, t: MTopic, input: SendInputModel, obs: SendObs, note: string): void {
  const expected = input.size > t.options.maxMessageSize ? 'MessageTooLarge' : 'ok';
  const got = 'error' in obs ? obs.error : 'ok';
  if (got !== expected) {
    invalid('I4 answers', `send of ${input.size} bytes to ${t.name} answered ${got}, expected ${expected}`);
  }
  if ('error' in obs) return;
  if (!/^[0-9A-F]{32}$/.test(obs.id)) invalid('I4 answers', `send answered the id ${JSON.stringify(obs.id)}`);
  if (w.usedIds.has(obs.id))
    invalid('I4 answers', `send answered the id ${obs.id}, already used by another message`);
  appendMessage(w, t, input.content, obs.id, w.now, dueOf(t, input, w.now), note);
}

// ---------------------------------------------------------------------------------------------- time

function nextMessageEvent(w: World): number {
  let next = Number.POSITIVE_INFINITY;
  for (const t of w.topics.values()) {
    for (const m of t.msgs.values()) next = Math.min(next, m.publishedAt + t.options.retention);
    for (const g of t.groups.values()) {
      for (const s of g.states.values()) if (s.state !== 'active') next = Math.min(next, s.due);
    }
  }
  return next;
}

function nextWaiterEnd(w: World): number {
  let next = Number.POSITIVE_INFINITY;
  for (const t of w.topics.values()) {
    for (const g of t.groups.values()) for (const x of g.waiters) next = Math.min(next, x.deadline);
  }
  return next + (w.now - w.mono);
}

/** Moves the world's clocks to wall time `target`, applying everything that falls due, in due order. */
export function advanceTo(w: World, target: number, ctx: Ctx): void {
  for (let guard = 0; ; guard++) {
    if (guard > 100_000) throw new Error('model: time does not progress');
    const tm = nextMessageEvent(w);
    const tw = ctx.mode === 'live' ? nextWaiterEnd(w) : Number.POSITIVE_INFINITY;
    const t = Math.min(tm, tw);
    if (!(t <= target)) break;
    const at = Math.max(t, w.now);
    w.mono += at - w.now;
    w.now = at;
    const messages = tm <= at;
    const waits = tw <= at;
    // Two timers due at the same instant run in the order they were armed: either may be first.
    const waitsFirst = waits && (!messages || ctx.choose(2) === 0);
    if (waitsFirst) endWaits(w, ctx);
    if (messages) fire(w, ctx);
    if (waits && !waitsFirst) endWaits(w, ctx);
  }
  if (target > w.now) {
    w.mono += target - w.now;
    w.now = target;
  }
}

function endWaits(w: World, ctx: Ctx): void {
  for (const t of w.topics.values()) {
    for (const g of t.groups.values()) {
      for (const waiter of [...g.waiters]) {
        if (waiter.deadline > w.mono) continue;
        const obs = ctx.waiter(waiter.wid);
        if (obs.state !== 'resolved' || obs.deliveries.length > 0) {
          invalid(
            'I4 answers',
            `parked receive #${waiter.wid} on ${refName({ topic: t.name, group: g.name })} should have ended empty at the end of its wait, but it ${describeObs(obs)}`,
          );
        }
        ctx.consume(waiter.wid);
        g.waiters.splice(g.waiters.indexOf(waiter), 1);
      }
    }
  }
}

/** Everything due at `w.now`: per topic, retention first, then each group's deadlines, then its waiters. */
function fire(w: World, ctx: Ctx): void {
  for (const t of [...w.topics.values()]) {
    if (w.topics.get(t.name) !== t) continue;
    for (const m of [...t.msgs.values()]) {
      if (m.publishedAt + t.options.retention <= w.now) expireMessage(t, m.order, ctx);
    }
    for (const g of [...t.groups.values()]) {
      if (t.groups.get(g.name) !== g) continue;
      const due = [...g.states.entries()]
        .filter(([, s]) => s.state !== 'active' && s.due <= w.now)
        .sort((a, b) => a[0] - b[0]);
      for (const [order, s] of due) {
        if (g.states.get(order) !== s) continue;
        if (s.state === 'delayed') {
          s.state = 'active';
          s.due = 0;
        } else endDelivery(w, t, g, order, ctx);
      }
      if (due.length > 0) drain(w, t, g, ctx);
    }
  }
}

/** Whether the wall clock may be stepped back without making the model ambiguous (see model.test.ts). */
export function canStepBack(w: World, longRetention: number): string | undefined {
  for (const t of w.topics.values()) {
    if (t.options.retention < longRetention && t.msgs.size > 0)
      return `${t.name} holds messages with a short retention`;
    for (const g of t.groups.values()) {
      for (const s of g.states.values()) {
        if (s.state !== 'active')
          return `${refName({ topic: t.name, group: g.name })} has ${s.state} messages`;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------- admin

export interface QueueOptsModel {
  readonly topic: TopicOpts;
  readonly group: GroupOpts;
}

function same(a: object, b: object): boolean {
  return canon(a) === canon(b);
}

/** A dead-letter queue naming a topic (or the queue itself) is refused. */
function badDeadLetter(w: World, dlq: string | undefined, self: string | undefined): boolean {
  if (dlq === undefined) return false;
  return dlq === self || w.topics.get(dlq)?.kind === 'topic';
}

/** The answers allowed: one code, or several when two errors apply and either may win. */
export type Answer = Code | readonly Code[];

export function createQueue(w: World, name: string, options: QueueOptsModel): Answer {
  const existing = w.topics.get(name);
  if (badDeadLetter(w, options.group.deadLetterQueue, name)) {
    return existing === undefined ? 'InvalidArgument' : ['InvalidArgument', 'QueueAlreadyExist'];
  }
  if (existing !== undefined) {
    const g = existing.groups.get('');
    return existing.kind === 'queue' &&
      g !== undefined &&
      same(existing.options, options.topic) &&
      same(g.options, options.group)
      ? 'ok'
      : 'QueueAlreadyExist';
  }
  addQueue(w, name, options);
  return 'ok';
}

function rejectWaiters(g: MGroup, code: string, ctx: Ctx, where: string): void {
  if (ctx.mode !== 'live') {
    g.waiters = [];
    return;
  }
  for (const waiter of g.waiters) {
    const obs = ctx.waiter(waiter.wid);
    if (obs.state !== 'rejected' || obs.code !== code) {
      invalid(
        'I4 answers',
        `parked receive #${waiter.wid} on ${where} should have been rejected with ${code}, but it ${describeObs(obs)}`,
      );
    }
    ctx.consume(waiter.wid);
  }
  g.waiters = [];
}

function dropTopic(w: World, t: MTopic, code: string, ctx: Ctx): void {
  for (const g of t.groups.values()) rejectWaiters(g, code, ctx, refName({ topic: t.name, group: g.name }));
  w.topics.delete(t.name);
}

export function deleteQueue(w: World, name: string, ctx: Ctx): Code {
  const t = w.topics.get(name);
  if (t?.kind !== 'queue') return 'QueueNotExist';
  dropTopic(w, t, 'QueueNotExist', ctx);
  return 'ok';
}

export function createTopic(w: World, name: string, options: TopicOpts): Code {
  const existing = w.topics.get(name);
  if (existing !== undefined)
    return existing.kind === 'topic' && same(existing.options, options) ? 'ok' : 'TopicAlreadyExist';
  w.topics.set(name, { name, kind: 'topic', options, groups: new Map(), msgs: new Map(), nextOrder: 1 });
  return 'ok';
}

export function deleteTopic(w: World, name: string, ctx: Ctx): Code {
  const t = w.topics.get(name);
  if (t?.kind !== 'topic') return 'TopicNotExist';
  dropTopic(w, t, 'TopicNotExist', ctx);
  return 'ok';
}

/**
 * A new group starts from the earliest retained message of its topic (that its tag filter lets in: with
 * keepConsumed, also ones other groups finished or filtered out), or, 'latest', after the last one sent.
 */
export function createGroup(w: World, topic: string, name: string, options: GroupOpts): Answer {
  const t = w.topics.get(topic);
  if (t?.kind !== 'topic') return 'TopicNotExist';
  const existing = t.groups.get(name);
  if (badDeadLetter(w, options.deadLetterQueue, topic)) {
    return existing === undefined ? 'InvalidArgument' : ['InvalidArgument', 'GroupAlreadyExist'];
  }
  if (existing !== undefined) return same(existing.options, options) ? 'ok' : 'GroupAlreadyExist';
  const g = newGroup(name, options, options.startAt === 'latest' ? t.nextOrder - 1 : 0);
  t.groups.set(name, g);
  for (const m of t.msgs.values()) if (takes(g, m)) g.states.set(m.order, newState(m, w.now));
  return 'ok';
}

export function deleteGroup(w: World, topic: string, name: string, ctx: Ctx): Code {
  const t = w.topics.get(topic);
  if (t?.kind !== 'topic') return 'TopicNotExist';
  const g = t.groups.get(name);
  if (g === undefined) return 'GroupNotExist';
  rejectWaiters(g, 'GroupNotExist', ctx, refName({ topic, group: name }));
  t.groups.delete(name);
  for (const order of g.states.keys()) release(t, order);
  return 'ok';
}

export interface OptionsPatch {
  readonly visibilityTimeout?: number | undefined;
  readonly maxReceiveCount?: number | undefined;
  /** null: unset */
  readonly deadLetterQueue?: string | null | undefined;
}

export function setOptions(w: World, ref: GroupRef, patch: OptionsPatch): Code {
  const code = missing(w, ref);
  if (code !== undefined) return code;
  const [, g] = group(w, ref);
  const dlq = patch.deadLetterQueue;
  if (typeof dlq === 'string' && badDeadLetter(w, dlq, ref.topic)) return 'InvalidArgument';
  g.options = {
    ...g.options,
    ...(patch.visibilityTimeout !== undefined && { visibilityTimeout: patch.visibilityTimeout }),
    ...(patch.maxReceiveCount !== undefined && { maxReceiveCount: patch.maxReceiveCount }),
    ...(dlq !== undefined && { deadLetterQueue: dlq ?? undefined }),
  };
  return 'ok';
}

// ---------------------------------------------------------------------------------------------- closing

/** A graceful close answers every parked receiver with []. */
export function closeWaiters(w: World, ctx: Ctx): void {
  for (const t of w.topics.values()) {
    for (const g of t.groups.values()) {
      for (const waiter of g.waiters) {
        const obs = ctx.waiter(waiter.wid);
        if (obs.state !== 'resolved' || obs.deliveries.length > 0) {
          invalid(
            'I4 answers',
            `parked receive #${waiter.wid} should have been answered [] by close, but it ${describeObs(obs)}`,
          );
        }
        ctx.consume(waiter.wid);
      }
      g.waiters = [];
    }
  }
}

/** A crash: parked receivers are gone with the process. */
export function dropWaiters(w: World): void {
  for (const t of w.topics.values()) for (const g of t.groups.values()) g.waiters = [];
}

/** A parked receiver aborted through its signal answers []. */
export function abortWaiter(w: World, wid: number, ctx: Ctx): void {
  for (const t of w.topics.values()) {
    for (const g of t.groups.values()) {
      const i = g.waiters.findIndex((x) => x.wid === wid);
      if (i < 0) continue;
      const obs = ctx.waiter(wid);
      if (obs.state !== 'resolved' || obs.deliveries.length > 0) {
        invalid('I4 answers', `aborted receive #${wid} should have answered [], but it ${describeObs(obs)}`);
      }
      ctx.consume(wid);
      g.waiters.splice(i, 1);
      return;
    }
  }
  invalid('I4 answers', `receive #${wid} was aborted while the model has it answered already`);
}

/**
 * On open after a close or a crash at `w.now`, `downtime` ms later: what fell due meanwhile is applied
 * (as if the broker had run, in due order; dead-letter copies made then are dated at the open).
 */
export function reopen(w: World, downtime: number, ctx: Ctx): void {
  dropWaiters(w);
  advanceTo(w, w.now + downtime, inMode(ctx, 'recompute'));
  appendDeferred(w, inMode(ctx, 'recompute'));
}
