/**
 * After every step the broker is looked at as a whole, synchronously, without changing anything:
 * queues, topics and groups with their options, group stats, topic stats, and every visible message
 * (peek) with its fields. {@link compare} answers what a world gets wrong about that picture (and binds
 * what the world did not know yet: the uid of a new group, the id of a dead-letter copy).
 */
import type { Broker, GroupStats, Message } from '../../src/index.js';
import type { Invariant } from './explore.js';
import { fieldMismatches, identify } from './rules.js';
import {
  canon,
  counts,
  type GroupOpts,
  refName,
  retainedOf,
  showBody,
  type TopicOpts,
  type World,
} from './world.js';

export interface GroupView {
  readonly uid: number;
  readonly options: GroupOpts;
  readonly stats: GroupStats;
  readonly peek: readonly Message[];
}

export interface TopicView {
  readonly kind: 'queue' | 'topic';
  readonly options: TopicOpts;
  readonly messages: number;
  readonly bytes: number;
  readonly groups: ReadonlyMap<string, GroupView>;
}

export type View = ReadonlyMap<string, TopicView>;

function groupOptions(o: {
  visibilityTimeout: number;
  maxReceiveCount: number;
  deadLetterQueue: string | undefined;
  ordered: boolean;
  tags: readonly string[] | undefined;
  startAt: 'earliest' | 'latest';
}): GroupOpts {
  return {
    visibilityTimeout: o.visibilityTimeout,
    maxReceiveCount: o.maxReceiveCount,
    deadLetterQueue: o.deadLetterQueue,
    ordered: o.ordered,
    tags: o.tags === undefined ? undefined : [...o.tags],
    startAt: o.startAt,
  };
}

/** Everything the broker shows, read in one go. */
export function look(broker: Broker): View {
  const view = new Map<string, TopicView>();
  for (const name of broker.listQueues()) {
    const q = broker.queue(name);
    const o = q.topic.options;
    const groups = new Map<string, GroupView>();
    groups.set('', {
      uid: q.group.uid,
      // A queue's group always starts with the queue (its options do not show startAt).
      options: groupOptions({ ...q.group.options, startAt: 'earliest' }),
      stats: q.stats(),
      peek: q.peek({ max: 1000 }),
    });
    const s = q.topic.stats();
    view.set(name, {
      kind: 'queue',
      options: {
        delay: o.delay,
        retention: o.retention,
        maxMessageSize: o.maxMessageSize,
        keepConsumed: o.keepConsumed,
      },
      messages: s.messages,
      bytes: s.bytes,
      groups,
    });
  }
  for (const name of broker.listTopics()) {
    const t = broker.topic(name);
    const o = t.options;
    const groups = new Map<string, GroupView>();
    for (const gname of t.listGroups()) {
      const g = t.group(gname);
      groups.set(gname, {
        uid: g.uid,
        options: groupOptions(g.options),
        stats: g.stats(),
        peek: g.peek({ max: 1000 }),
      });
    }
    const s = t.stats();
    view.set(name, {
      kind: 'topic',
      options: {
        delay: o.delay,
        retention: o.retention,
        maxMessageSize: o.maxMessageSize,
        keepConsumed: o.keepConsumed,
      },
      messages: s.messages,
      bytes: s.bytes,
      groups,
    });
  }
  return view;
}

export interface Mismatch {
  readonly invariant: Invariant;
  readonly text: string;
}

/**
 * What `w` gets wrong about `view`. `reopened`: the broker was opened since the last step, so a
 * difference in what is due is reported as I6.
 */
export function compare(w: World, view: View, reopened: boolean): Mismatch[] {
  const out: Mismatch[] = [];
  const add = (invariant: Invariant, text: string) => out.push({ invariant, text });
  const dueInvariant: Invariant = reopened ? 'I6 due work applied on open' : 'I5 stats';
  for (const [name, t] of w.topics) {
    const tv = view.get(name);
    if (tv === undefined || tv.kind !== t.kind) {
      add('I1 acknowledged is durable', `${t.kind} ${name} is missing`);
      continue;
    }
    if (canon(tv.options) !== canon(t.options)) {
      add('options', `${name} options ${canon(tv.options)} instead of ${canon(t.options)}`);
    }
    for (const [gname, g] of t.groups) {
      const where = refName({ topic: name, group: gname });
      const gv = tv.groups.get(gname);
      if (gv === undefined) {
        add('I1 acknowledged is durable', `group ${where} is missing`);
        continue;
      }
      if (g.uid === undefined) g.uid = gv.uid;
      else if (g.uid !== gv.uid)
        add('I3 handles', `group ${where} has uid ${gv.uid} instead of ${g.uid}: its handles broke`);
      if (canon(gv.options) !== canon(g.options)) {
        add('options', `${where} options ${canon(gv.options)} instead of ${canon(g.options)}`);
      }
      // Visible messages, one by one.
      const expectedActive = new Set<number>();
      for (const [order, s] of g.states) if (s.state === 'active') expectedActive.add(order);
      let unknown = 0;
      for (const seen of gv.peek) {
        const m = identify(w, t, g, seen);
        const s = m === undefined ? undefined : g.states.get(m.order);
        if (m === undefined || s === undefined) {
          unknown++;
          const how = g.gone.get(seen.id);
          add(
            'I2 nothing comes back',
            `${where} shows ${seen.id} (${showBody(seen.body)}) as visible: ${how === undefined ? 'a message it never held' : `a message ${how}`}`,
          );
          continue;
        }
        if (s.state !== 'active') {
          add(
            dueInvariant,
            `${where} shows ${seen.id} (sent ${m.note}) as visible; the model has it ${s.state} until ${s.due} (now ${w.now})`,
          );
          continue;
        }
        expectedActive.delete(m.order);
        const problems = fieldMismatches(m, seen, s.receiveCount, s.firstReceivedAt);
        if (problems.length > 0) {
          add(
            'I1 acknowledged is durable',
            `${where} shows ${seen.id} (sent ${m.note}) with ${problems.join(', ')}`,
          );
        }
      }
      const c = counts(g);
      const st = gv.stats;
      // Held in another state (due work not applied) or not held at all (lost)?
      const sameTotal =
        unknown === 0 && st.active + st.inflight + st.delayed === c.active + c.inflight + c.delayed;
      for (const order of expectedActive) {
        const m = t.msgs.get(order)!;
        add(
          sameTotal ? dueInvariant : reopened ? 'I1 acknowledged is durable' : 'I4 answers',
          `${where} does not show ${m.id ?? `an unnamed message (${m.note})`} (sent ${m.note}, ${showBody(m.body)}) as visible`,
        );
      }
      const pairs: [string, number, number, Invariant][] = [
        ['active', st.active, c.active, dueInvariant],
        ['inflight', st.inflight, c.inflight, dueInvariant],
        ['delayed', st.delayed, c.delayed, dueInvariant],
        ['acked', st.acked, g.acked, 'I5 stats'],
        ['deadLettered', st.deadLettered, g.deadLettered, 'I5 stats'],
        ['expired', st.expired, g.expired, 'I5 stats'],
        ['retained', st.retained, retainedOf(t, g), 'I5 stats'],
        ['waiting', st.waiting, g.waiters.length, 'I4 answers'],
      ];
      if (!w.steppedBack) pairs.push(['oldestAge', st.oldestAge, oldestAge(w, name, gname), 'I5 stats']);
      for (const [field, got, want, invariant] of pairs) {
        if (got !== want) add(invariant, `${where} stats.${field} ${got} instead of ${want}`);
      }
    }
    for (const gname of tv.groups.keys()) {
      if (!t.groups.has(gname))
        add('I2 nothing comes back', `group ${refName({ topic: name, group: gname })} exists`);
    }
    let bytes = 0;
    for (const m of t.msgs.values()) bytes += m.body.length;
    if (tv.messages !== t.msgs.size)
      add('I5 stats', `${name} stats.messages ${tv.messages} instead of ${t.msgs.size}`);
    if (tv.bytes !== bytes) add('I5 stats', `${name} stats.bytes ${tv.bytes} instead of ${bytes}`);
  }
  for (const [name, tv] of view) {
    if (!w.topics.has(name)) add('I2 nothing comes back', `${tv.kind} ${name} exists`);
  }
  return out;
}

function oldestAge(w: World, topic: string, group: string): number {
  const t = w.topics.get(topic)!;
  const g = t.groups.get(group)!;
  for (const m of t.msgs.values()) if (g.states.has(m.order)) return Math.max(0, w.now - m.publishedAt);
  return 0;
}
