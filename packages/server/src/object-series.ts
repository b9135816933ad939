/**
 * @module object-series — the per-queue, per-topic and per-group series of `/metrics`, bounded and rendered in
 * slices.
 *
 * WHAT: each scrape reads every topic and group from the broker (`Broker.eachTopic`, unsorted, live). The
 * `maxObjects` groups with the deepest backlog (active + delayed + inflight; ties by topic then group name, so the
 * choice is deterministic) keep their own series, and so do the `maxObjects` topics storing the most messages. The
 * others are folded, per dialect, into one series with `topic="_other"` (and `group="_other"`): sums, except the
 * oldest message age, which is their maximum. So `sum by (dialect) (…)` still answers the totals, and the series
 * count is bounded by the cap whatever the number of objects. (The same label-value convention as the cardinality
 * limits of OpenTelemetry's overflow series and of most exporters, rather than a second metric name that every
 * query would have to add.) `sluice_objects{dialect,kind}` and `sluice_objects_folded{dialect,kind}` say how many
 * there are and how many were folded.
 *
 * WHY by hand and in slices, not prom-client gauges: measured here at ~58k objects, prom-client's labelled gauges
 * took 5.8 s and 455k series per scrape, all of it in one synchronous run; even with the cap, prom-client formats
 * each family's values in one go (12 families x 1,000 labelled values: 40-150 ms on this 2-core machine), over the
 * ~50 ms the event loop may block. Here the scan, the fold and the text are generators run by `runInSlices`
 * (~10 ms slices), and the label text of a kept object is built once for all its families.
 *
 * Counts are read object by object across slices, so one scrape is not one instant (as with any exporter
 * scraping many sources). When an object moves into or out of the kept set, its counters move between its own
 * series and `_other`; `_other`'s counters can then go down, which `rate()` reads as a reset.
 */
import type { Broker, GroupStats, TopicStats } from '@sluice/core';
import { type FamilyType, familyHeader, labelValue, sampleValue } from './exposition.js';
import { DEFAULT_SLICE_MS, runInSlices } from './slices.js';
import { TopN } from './top-n.js';

/** Objects (groups, and topics) that keep their own series by default. */
export const DEFAULT_METRICS_MAX_OBJECTS = 1000;

/** The `topic` (and `group`) label value of the series that fold the objects beyond the cap. */
export const OTHER = '_other';

/** The dialect a core name belongs to, from its documented prefix. */
export function dialectOf(coreName: string): string {
  if (coreName.startsWith('mns:')) return 'mns';
  if (coreName.startsWith('rocketmq:')) return 'rocketmq';
  if (coreName.startsWith('dms:')) return 'dms';
  return 'core';
}

/** What a group series reports: the core's counts plus the messages delivered over HTTP. */
interface GroupValues extends GroupStats {
  readonly received: number;
}

/** One group as scanned: the core's counts as they come (no copy), and the received count beside them. */
interface GroupRow {
  readonly dialect: string;
  readonly topic: string;
  readonly group: string;
  readonly backlog: number;
  readonly values: GroupStats;
  readonly received: number;
}

interface TopicRow {
  readonly dialect: string;
  readonly topic: string;
  readonly values: TopicStats;
}

/** The folded groups of one dialect. */
class GroupTotals implements GroupValues {
  active = 0;
  inflight = 0;
  delayed = 0;
  deadLettered = 0;
  expired = 0;
  acked = 0;
  retained = 0;
  oldestAge = 0;
  waiting = 0;
  received = 0;

  add(v: GroupStats, received: number): void {
    this.active += v.active;
    this.inflight += v.inflight;
    this.delayed += v.delayed;
    this.deadLettered += v.deadLettered;
    this.expired += v.expired;
    this.acked += v.acked;
    this.retained += v.retained;
    if (v.oldestAge > this.oldestAge) this.oldestAge = v.oldestAge;
    this.waiting += v.waiting;
    this.received += received;
  }
}

/** The folded topics of one dialect. */
class TopicTotals implements TopicStats {
  messages = 0;
  bytes = 0;
  sent = 0;

  add(v: TopicStats): void {
    this.messages += v.messages;
    this.bytes += v.bytes;
    this.sent += v.sent;
  }
}

/** Per dialect: the objects seen, and the folded ones with their sums. */
class DialectCounts {
  topics = 0;
  groups = 0;
  foldedTopics = 0;
  foldedGroups = 0;
  readonly otherGroups = new GroupTotals();
  readonly otherTopics = new TopicTotals();
}

interface Family<V> {
  readonly name: string;
  readonly help: string;
  readonly type: FamilyType;
  readonly value: (v: V) => number;
}

const GROUP_FAMILIES: readonly Family<GroupValues>[] = [
  {
    name: 'sluice_messages_active',
    help: 'Messages visible now, waiting for a consumer.',
    type: 'gauge',
    value: (v) => v.active,
  },
  {
    name: 'sluice_messages_inflight',
    help: 'Messages received and not yet acked.',
    type: 'gauge',
    value: (v) => v.inflight,
  },
  {
    name: 'sluice_messages_delayed',
    help: 'Messages not visible yet (delay).',
    type: 'gauge',
    value: (v) => v.delayed,
  },
  {
    name: 'sluice_oldest_message_age_seconds',
    help: 'Age of the oldest message a group has not finished (_other: the oldest of the folded groups).',
    type: 'gauge',
    value: (v) => v.oldestAge / 1000,
  },
  {
    name: 'sluice_long_polls_waiting',
    help: 'Receivers parked in a long poll on a group.',
    type: 'gauge',
    value: (v) => v.waiting,
  },
  {
    name: 'sluice_messages_dead_lettered_total',
    help: 'Messages moved to the dead letters by a group (since it was loaded).',
    type: 'counter',
    value: (v) => v.deadLettered,
  },
  {
    name: 'sluice_messages_expired_total',
    help: 'Messages expired in a group by retention.',
    type: 'counter',
    value: (v) => v.expired,
  },
  {
    name: 'sluice_messages_acked_total',
    help: 'Messages acked by a group.',
    type: 'counter',
    value: (v) => v.acked,
  },
  {
    name: 'sluice_messages_received_total',
    help: 'Messages delivered to consumers over HTTP.',
    type: 'counter',
    value: (v) => v.received,
  },
];

const TOPIC_FAMILIES: readonly Family<TopicStats>[] = [
  {
    name: 'sluice_messages_sent_total',
    help: 'Messages sent to a topic (since it was loaded).',
    type: 'counter',
    value: (v) => v.sent,
  },
  {
    name: 'sluice_topic_messages',
    help: 'Messages stored in a topic.',
    type: 'gauge',
    value: (v) => v.messages,
  },
  {
    name: 'sluice_topic_bytes',
    help: 'Bytes of the bodies stored in a topic.',
    type: 'gauge',
    value: (v) => v.bytes,
  },
];

/** Deeper backlog first, then by name: a strict total order, so the kept set is the same whatever the scan order. */
const deeperGroup = (a: GroupRow, b: GroupRow): boolean =>
  a.backlog !== b.backlog
    ? a.backlog > b.backlog
    : a.topic !== b.topic
      ? a.topic < b.topic
      : a.group < b.group;

const biggerTopic = (a: TopicRow, b: TopicRow): boolean =>
  a.values.messages !== b.values.messages ? a.values.messages > b.values.messages : a.topic < b.topic;

const byGroupName = (a: GroupRow, b: GroupRow): number =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.group < b.group ? -1 : a.group > b.group ? 1 : 0;

const byTopicName = (a: TopicRow, b: TopicRow): number =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0;

/** Lines written between two yields while rendering. */
const LINES_PER_UNIT = 64;

/** Options of {@link ObjectSeries}. */
export interface ObjectSeriesOptions {
  /** Groups, and topics, with their own series; the rest fold into `_other`. Default 1000. */
  readonly maxObjects?: number;
  /** Longest run of the scan or the rendering before the event loop gets a turn, ms. Default 10. */
  readonly sliceMs?: number;
}

/** The per-object series of one broker: counts received messages, and renders the bounded series on demand. */
export class ObjectSeries {
  readonly #broker: Broker;
  readonly #maxObjects: number;
  readonly #sliceMs: number;
  /** Messages delivered over HTTP, by core topic, then group: kept here (no label hashing on the hot path). */
  readonly #received = new Map<string, Map<string, number>>();

  constructor(broker: Broker, options: ObjectSeriesOptions = {}) {
    const maxObjects = options.maxObjects ?? DEFAULT_METRICS_MAX_OBJECTS;
    if (!(Number.isInteger(maxObjects) && maxObjects >= 0)) {
      throw new TypeError('maxObjects must be a non-negative integer');
    }
    const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    if (!(Number.isFinite(sliceMs) && sliceMs > 0)) throw new TypeError('sliceMs must be a positive number');
    this.#broker = broker;
    this.#maxObjects = maxObjects;
    this.#sliceMs = sliceMs;
  }

  /** Counts `n` messages delivered from `group` of core topic `topic`. */
  received(topic: string, group: string, n: number): void {
    let groups = this.#received.get(topic);
    if (groups === undefined) {
      groups = new Map();
      this.#received.set(topic, groups);
    }
    groups.set(group, (groups.get(group) ?? 0) + n);
  }

  /**
   * Scans the broker and renders the series as exposition text (every line ends with `\n`), in slices. With
   * `openMetrics`, counter families are named as OpenMetrics wants.
   */
  async render(openMetrics = false): Promise<string> {
    const started = performance.now();
    const groups = new TopN<GroupRow>(this.#maxObjects, deeperGroup);
    const topics = new TopN<TopicRow>(this.#maxObjects, biggerTopic);
    const dialects = new Map<string, DialectCounts>();
    await runInSlices(this.#scan(groups, topics, dialects), this.#sliceMs);
    await runInSlices(this.#prune(), this.#sliceMs);
    const parts: string[] = [];
    const seconds = (performance.now() - started) / 1000;
    await runInSlices(this.#write(parts, groups, topics, dialects, seconds, openMetrics), this.#sliceMs);
    return parts.join('');
  }

  *#scan(groups: TopN<GroupRow>, topics: TopN<TopicRow>, dialects: Map<string, DialectCounts>): Generator {
    const countsOf = (dialect: string): DialectCounts => {
      let counts = dialects.get(dialect);
      if (counts === undefined) {
        counts = new DialectCounts();
        dialects.set(dialect, counts);
      }
      return counts;
    };
    for (const topic of this.#broker.eachTopic()) {
      const name = topic.name;
      const dialect = dialectOf(name);
      const counts = countsOf(dialect);
      counts.topics++;
      const row: TopicRow = { dialect, topic: name, values: topic.stats() };
      // A core topic really named `_other` would clash with the folded series: it is always folded.
      const foldedTopic = name === OTHER ? row : topics.offer(row);
      if (foldedTopic !== undefined) {
        const into = countsOf(foldedTopic.dialect);
        into.foldedTopics++;
        into.otherTopics.add(foldedTopic.values);
      }
      const received = this.#received.get(name);
      // `groups()` is a live Map iterator too, so a topic with very many groups is sliced as well.
      for (const group of topic.groups()) {
        const stats = group.stats();
        counts.groups++;
        const groupRow: GroupRow = {
          dialect,
          topic: name,
          group: group.name,
          backlog: stats.active + stats.delayed + stats.inflight,
          values: stats,
          received: received?.get(group.name) ?? 0,
        };
        const folded = name === OTHER ? groupRow : groups.offer(groupRow);
        if (folded !== undefined) {
          const into = countsOf(folded.dialect);
          into.foldedGroups++;
          into.otherGroups.add(folded.values, folded.received);
        }
        yield;
      }
      yield;
    }
  }

  /** Forgets the received counts of deleted groups and topics (prom-client kept them for ever). */
  *#prune(): Generator {
    const broker = this.#broker;
    for (const [name, groups] of this.#received) {
      const topic = broker.hasQueue(name)
        ? broker.queue(name).topic
        : broker.hasTopic(name)
          ? broker.topic(name)
          : undefined;
      if (topic === undefined) {
        this.#received.delete(name);
      } else {
        for (const group of groups.keys()) if (!topic.hasGroup(group)) groups.delete(group);
      }
      yield;
    }
  }

  *#write(
    parts: string[],
    groupsKept: TopN<GroupRow>,
    topicsKept: TopN<TopicRow>,
    dialects: Map<string, DialectCounts>,
    seconds: number,
    openMetrics: boolean,
  ): Generator {
    const groups = [...groupsKept.items].sort(byGroupName);
    const topics = [...topicsKept.items].sort(byTopicName);
    yield;
    const groupLabels = groups.map(
      (r) => `{dialect="${r.dialect}",topic="${labelValue(r.topic)}",group="${labelValue(r.group)}"}`,
    );
    const topicLabels = topics.map((r) => `{dialect="${r.dialect}",topic="${labelValue(r.topic)}"}`);
    const groupValues = groups.map((r): GroupValues => ({ ...r.values, received: r.received }));
    const topicValues = topics.map((r) => r.values);
    const order = [...dialects.keys()].sort();
    yield;
    for (const family of GROUP_FAMILIES) {
      parts.push(familyHeader(family.name, family.help, family.type, openMetrics));
      yield* lines(parts, family, groupValues, groupLabels);
      for (const dialect of order) {
        const counts = dialects.get(dialect)!;
        if (counts.foldedGroups === 0) continue;
        const value = sampleValue(family.value(counts.otherGroups));
        parts.push(`${family.name}{dialect="${dialect}",topic="${OTHER}",group="${OTHER}"} ${value}\n`);
      }
    }
    for (const family of TOPIC_FAMILIES) {
      parts.push(familyHeader(family.name, family.help, family.type, openMetrics));
      yield* lines(parts, family, topicValues, topicLabels);
      for (const dialect of order) {
        const counts = dialects.get(dialect)!;
        if (counts.foldedTopics === 0) continue;
        parts.push(
          `${family.name}{dialect="${dialect}",topic="${OTHER}"} ${sampleValue(family.value(counts.otherTopics))}\n`,
        );
      }
    }
    const meta = (name: string, help: string, of: (c: DialectCounts, kind: 'topic' | 'group') => number) => {
      parts.push(familyHeader(name, help, 'gauge', openMetrics));
      for (const dialect of order) {
        const counts = dialects.get(dialect)!;
        for (const kind of ['topic', 'group'] as const) {
          parts.push(`${name}{dialect="${dialect}",kind="${kind}"} ${of(counts, kind)}\n`);
        }
      }
    };
    meta('sluice_objects', 'Topics (queues count as topics) and groups, by dialect.', (c, kind) =>
      kind === 'topic' ? c.topics : c.groups,
    );
    meta(
      'sluice_objects_folded',
      `Topics and groups beyond the cap, whose series are folded into the ${OTHER} ones.`,
      (c, kind) => (kind === 'topic' ? c.foldedTopics : c.foldedGroups),
    );
    parts.push(
      familyHeader(
        'sluice_metrics_scan_seconds',
        'Time this scrape took to read every object from the broker, in slices (wall clock).',
        'gauge',
        openMetrics,
      ),
    );
    parts.push(`sluice_metrics_scan_seconds ${sampleValue(seconds)}\n`);
  }
}

/** The sample lines of one family, one per kept object, yielding every {@link LINES_PER_UNIT} lines. */
function* lines<V>(
  parts: string[],
  family: Family<V>,
  values: readonly V[],
  labels: readonly string[],
): Generator {
  let chunk = '';
  for (let i = 0; i < values.length; i++) {
    chunk += `${family.name}${labels[i]} ${sampleValue(family.value(values[i]!))}\n`;
    if (i % LINES_PER_UNIT === LINES_PER_UNIT - 1) {
      parts.push(chunk);
      chunk = '';
      yield;
    }
  }
  if (chunk !== '') parts.push(chunk);
}
