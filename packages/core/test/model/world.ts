/**
 * The reference model's state: one possible world. Plain data (maps and small objects), copied whole
 * when the model branches (see explore.ts). The rules that change it are in rules.ts.
 *
 * A world mirrors what the broker should hold: topics (a queue is a topic of kind 'queue' with one
 * group named ''), their retained messages in send order, and per group the state of each message it
 * still holds (delayed, active or inflight; a finished message is simply gone from the group), its
 * counters and its parked long polls.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_RETENTION = 4 * 24 * 3600_000;
export const DEFAULT_VISIBILITY = 30_000;
export const DEFAULT_MAX_MESSAGE_SIZE = 65_536;

export interface TopicOpts {
  readonly delay: number;
  readonly retention: number;
  readonly maxMessageSize: number;
  /** Messages stay for retention whatever the groups did (false in queues). */
  readonly keepConsumed: boolean;
}

export interface GroupOpts {
  readonly visibilityTimeout: number;
  /** 0 = unlimited */
  readonly maxReceiveCount: number;
  readonly deadLetterQueue: string | undefined;
  readonly ordered: boolean;
  /** Sorted, unique; undefined = every message. */
  readonly tags: readonly string[] | undefined;
  readonly startAt: 'earliest' | 'latest';
}

/** What a message carries, as sent. */
export interface Content {
  readonly body: Uint8Array;
  readonly tag: string | undefined;
  readonly keys: readonly string[] | undefined;
  readonly properties: Readonly<Record<string, string>> | undefined;
  readonly groupKey: string | undefined;
  readonly priority?: number | undefined;
}

/** A retained message of a topic. Immutable: binding its id replaces the object. */
export interface MMsg extends Content {
  /** Append order in the topic (the broker's send order). */
  readonly order: number;
  /** Known once the broker named it (a send's answer, or a dead-letter copy once seen). */
  readonly id: string | undefined;
  readonly publishedAt: number;
  /** Visible from then on; 0 or <= publishedAt: never delayed. */
  readonly deliverAt: number;
  /** Content fingerprint (for comparing worlds). */
  readonly fp: string;
  /** Where it came from, for messages ("step 12"). */
  readonly note: string;
}

/** A message a group still holds. */
export interface GState {
  state: 'delayed' | 'active' | 'inflight';
  receiveCount: number;
  /** 0 = never received. */
  firstReceivedAt: number;
  /** delayed: when it becomes visible; inflight: its visibleAt deadline. */
  due: number;
  /** inflight: the live receipt handle; null when nobody has it (a delivery recovered from a crash). */
  handle: string | null;
  /** replay only: this delivery was ended by a call known to be on disk (its dead-letter copy is too). */
  returnCertain?: boolean | undefined;
}

/** A parked long poll. */
export interface MWaiter {
  readonly wid: number;
  readonly max: number;
  readonly vt: number;
  /** Monotonic time its wait ends. */
  readonly deadline: number;
}

export interface MGroup {
  readonly name: string;
  /** The broker's `group.uid`, bound when first observed; receipt handles carry it. */
  uid: number | undefined;
  options: GroupOpts;
  /** The group takes only messages of a higher order (a 'latest' group: the topic's last order at creation). */
  readonly startOrder: number;
  /** By message order. */
  states: Map<number, GState>;
  acked: number;
  deadLettered: number;
  expired: number;
  waiters: MWaiter[];
  /** How finished messages left the group, by id (only to explain failures). */
  gone: Map<string, string>;
}

export interface MTopic {
  readonly name: string;
  readonly kind: 'queue' | 'topic';
  readonly options: TopicOpts;
  /** In creation order, like the broker's map. */
  groups: Map<string, MGroup>;
  /** Retained messages by order (insertion order = send order). */
  msgs: Map<number, MMsg>;
  nextOrder: number;
}

/** A dead-letter copy whose append is left to the next open (it is recomputed there). */
export interface Deferred {
  readonly queue: string;
  readonly content: Content;
}

export interface World {
  /** Wall clock, ms. */
  now: number;
  /** Monotonic clock (parked receivers' waits run on it). */
  mono: number;
  /** In creation order, like the broker's map. */
  topics: Map<string, MTopic>;
  /** Every message id this world has seen used (ids are never reused for another message). */
  usedIds: Set<string>;
  deferred: Deferred[];
  /** The wall clock was stepped back at some point (a few checks are then skipped, see observe.ts). */
  steppedBack: boolean;
}

export function newWorld(now: number, mono: number): World {
  return { now, mono, topics: new Map(), usedIds: new Set(), deferred: [], steppedBack: false };
}

export function copyWorld(w: World): World {
  const topics = new Map<string, MTopic>();
  for (const [name, t] of w.topics) {
    const groups = new Map<string, MGroup>();
    for (const [gname, g] of t.groups) {
      const states = new Map<number, GState>();
      for (const [order, s] of g.states) states.set(order, { ...s });
      groups.set(gname, { ...g, states, waiters: [...g.waiters], gone: new Map(g.gone) });
    }
    topics.set(name, { ...t, groups, msgs: new Map(t.msgs) });
  }
  return {
    now: w.now,
    mono: w.mono,
    topics,
    usedIds: new Set(w.usedIds),
    deferred: [...w.deferred],
    steppedBack: w.steppedBack,
  };
}

/** A canonical string of the world, to merge branches that ended in the same state. */
export function worldKey(w: World): string {
  const parts: unknown[] = [w.now, w.mono, w.steppedBack, [...w.usedIds].sort()];
  for (const t of w.topics.values()) {
    const msgs = [...t.msgs.values()].map((m) => [m.order, m.id ?? null, m.publishedAt, m.deliverAt, m.fp]);
    const groups = [...t.groups.values()].map((g) => [
      g.name,
      g.startOrder,
      g.uid ?? null,
      g.options,
      [...g.states.entries()],
      g.acked,
      g.deadLettered,
      g.expired,
      g.waiters,
    ]);
    parts.push([t.name, t.kind, t.options, t.nextOrder, msgs, groups]);
  }
  parts.push(w.deferred.map((d) => [d.queue, fingerprint(d.content)]));
  return canon(parts);
}

/** JSON with object keys sorted (and undefined fields left out): equal options give equal strings. */
export function canon(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function fingerprint(c: Content): string {
  const h = createHash('sha1');
  h.update(c.body);
  h.update(
    JSON.stringify([
      c.tag ?? null,
      c.keys ?? null,
      c.properties ?? null,
      c.groupKey ?? null,
      c.priority ?? null,
    ]),
  );
  return h.digest('base64').slice(0, 12);
}

export function sameContent(a: Content, b: Content): boolean {
  return (
    Buffer.compare(Buffer.from(a.body), Buffer.from(b.body)) === 0 &&
    a.tag === b.tag &&
    a.groupKey === b.groupKey &&
    a.priority === b.priority &&
    JSON.stringify(a.keys ?? null) === JSON.stringify(b.keys ?? null) &&
    sameRecord(a.properties, b.properties)
  );
}

function sameRecord(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return JSON.stringify(ka) === JSON.stringify(kb) && ka.every((k) => a[k] === b[k]);
}

/** The group a name pair designates: a queue's implicit group is ('q', ''). */
export interface GroupRef {
  readonly topic: string;
  readonly group: string;
}

export function refName(ref: GroupRef): string {
  return ref.group === '' ? ref.topic : `${ref.topic}/${ref.group}`;
}

export function findGroup(w: World, ref: GroupRef): [MTopic, MGroup] | undefined {
  const t = w.topics.get(ref.topic);
  const g = t?.groups.get(ref.group);
  return t !== undefined && g !== undefined ? [t, g] : undefined;
}

export function msgById(t: MTopic, id: string): MMsg | undefined {
  for (const m of t.msgs.values()) if (m.id === id) return m;
  return undefined;
}

export function keyOf(m: MMsg): string {
  return m.groupKey ?? '';
}

/** Retained messages the group took: held, or finished while the topic keeps them. */
export function retainedOf(t: MTopic, g: MGroup): number {
  let n = 0;
  for (const m of t.msgs.values()) if (takes(g, m)) n++;
  return n;
}

/** The group's tag filter lets `m` in and it is not older than the group's start. */
export function takes(g: MGroup, m: { tag: string | undefined; order: number }): boolean {
  return (g.options.tags === undefined || g.options.tags.includes(m.tag ?? '')) && m.order > g.startOrder;
}

export function counts(g: MGroup): { active: number; inflight: number; delayed: number } {
  let active = 0;
  let inflight = 0;
  let delayed = 0;
  for (const s of g.states.values()) {
    if (s.state === 'active') active++;
    else if (s.state === 'inflight') inflight++;
    else delayed++;
  }
  return { active, inflight, delayed };
}

/** Short description of a body for messages: length and first bytes. */
export function showBody(body: Uint8Array): string {
  const head = Buffer.from(body.subarray(0, 8)).toString('hex');
  return `${body.length}B${body.length > 0 ? `:${head}${body.length > 8 ? '…' : ''}` : ''}`;
}
