/**
 * @module metrics — the Prometheus metrics of a Sluice server, through prom-client.
 *
 * HOW: broker-derived values (active, inflight, delayed, oldest age, parked polls, and the cumulative sent / acked /
 * dead-lettered / expired counts the core keeps) are read on scrape from `listQueues()`, `listTopics()` and
 * `stats()`, once per scrape however many metrics ask (the first collect scans; the flag clears on the next
 * macrotask, after prom-client has awaited every collect). Received messages are counted as responses go out
 * (see instrument.ts); storage bytes and files come from the `LogStorage` getters; flush latency from
 * {@link MeteredLogStorage}.
 *
 * WHY on scrape: nothing is added to the hot path. A topic or group that disappears simply stops being reported.
 */
import type { Broker, GroupStats, TopicStats } from '@sluice/core';
import { LogStorage } from '@sluice/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { MeteredLogStorage } from './metered-storage.js';

const GROUP_LABELS = ['dialect', 'topic', 'group'] as const;
const TOPIC_LABELS = ['dialect', 'topic'] as const;

/** The dialect a core name belongs to, from its documented prefix. */
export function dialectOf(coreName: string): string {
  if (coreName.startsWith('mns:')) return 'mns';
  if (coreName.startsWith('rocketmq:')) return 'rocketmq';
  if (coreName.startsWith('dms:')) return 'dms';
  return 'core';
}

/** What the handler reports into, besides what is read from the broker on scrape. */
export interface ServerMetrics {
  /** The prom-client registry: render it with `registry.metrics()`, merge it, or add your own metrics. */
  readonly registry: Registry;
  /** Counts `n` messages received from a group. */
  received(topic: string, group: string, n: number): void;
  /** Counts one answered request. */
  request(dialect: string, status: number): void;
  /** Counts a long poll served as a short poll because the cap was reached. */
  shortened(dialect: string): void;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Registry to register into. Default: a new one (never prom-client's global registry). */
  registry?: Registry;
  /** Also collect prom-client's process metrics (CPU, memory, event loop lag). Default false. */
  processMetrics?: boolean;
  /** The current number of parked long polls (from the handler's cap). */
  parkedLongPolls: () => number;
}

/** Registers the Sluice metrics of `broker` and answers the hooks the handler reports into. */
export function createMetrics(broker: Broker, options: MetricsOptions): ServerMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  let scanned = false;
  const collect = () => {
    if (scanned) return;
    scanned = true;
    setImmediate(() => {
      scanned = false;
    });
    scan();
  };
  const gauge = (name: string, help: string, labelNames: readonly string[]) =>
    new Gauge({ name, help, labelNames, registers, collect });
  const total = (name: string, help: string, labelNames: readonly string[]) =>
    new Counter({ name, help, labelNames, registers, collect });

  const active = gauge(
    'sluice_messages_active',
    'Messages visible now, waiting for a consumer.',
    GROUP_LABELS,
  );
  const inflight = gauge('sluice_messages_inflight', 'Messages received and not yet acked.', GROUP_LABELS);
  const delayed = gauge('sluice_messages_delayed', 'Messages not visible yet (delay).', GROUP_LABELS);
  const oldest = gauge(
    'sluice_oldest_message_age_seconds',
    'Age of the oldest message a group has not finished.',
    GROUP_LABELS,
  );
  const waiting = gauge(
    'sluice_long_polls_waiting',
    'Receivers parked in a long poll on a group.',
    GROUP_LABELS,
  );
  const deadLettered = total(
    'sluice_messages_dead_lettered_total',
    'Messages moved to the dead letters by a group (since it was loaded).',
    GROUP_LABELS,
  );
  const expired = total(
    'sluice_messages_expired_total',
    'Messages expired in a group by retention.',
    GROUP_LABELS,
  );
  const acked = total('sluice_messages_acked_total', 'Messages acked by a group.', GROUP_LABELS);
  const sent = total(
    'sluice_messages_sent_total',
    'Messages sent to a topic (since it was loaded).',
    TOPIC_LABELS,
  );
  const stored = gauge('sluice_topic_messages', 'Messages stored in a topic.', TOPIC_LABELS);
  const storedBytes = gauge('sluice_topic_bytes', 'Bytes of the bodies stored in a topic.', TOPIC_LABELS);

  const received = new Counter({
    name: 'sluice_messages_received_total',
    help: 'Messages delivered to consumers over HTTP.',
    labelNames: GROUP_LABELS,
    registers,
  });
  const requests = new Counter({
    name: 'sluice_http_requests_total',
    help: 'Requests answered, by dialect and HTTP status.',
    labelNames: ['dialect', 'status'],
    registers,
  });
  const shortened = new Counter({
    name: 'sluice_long_polls_shortened_total',
    help: 'Long polls served as short polls because the cap on parked long polls was reached.',
    labelNames: ['dialect'],
    registers,
  });
  new Gauge({
    name: 'sluice_long_polls_parked',
    help: 'Long-poll requests in progress in this process (the capped number).',
    registers,
    collect() {
      this.set(options.parkedLongPolls());
    },
  });

  const storage = broker.storage;
  if (storage instanceof LogStorage) {
    new Gauge({
      name: 'sluice_storage_bytes',
      help: 'Bytes of the durable log files.',
      registers,
      collect() {
        this.set(storage.bytes);
      },
    });
    new Gauge({
      name: 'sluice_storage_files',
      help: 'Durable log files (segments and snapshot parts).',
      registers,
      collect() {
        this.set(storage.files);
      },
    });
  }
  if (storage instanceof MeteredLogStorage) {
    const flush = new Histogram({
      name: 'sluice_storage_flush_seconds',
      help: 'Time from a write being handed to storage until it is acknowledged (written, and fsynced with fsync=always).',
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    storage.onFlush = (seconds) => flush.observe(seconds);
  }

  const perGroup = [active, inflight, delayed, oldest, waiting, deadLettered, expired, acked] as const;
  function scan(): void {
    for (const metric of perGroup) metric.reset();
    for (const metric of [sent, stored, storedBytes]) metric.reset();
    const report = (topic: string, group: string, stats: GroupStats) => {
      const labels = { dialect: dialectOf(topic), topic, group };
      active.set(labels, stats.active);
      inflight.set(labels, stats.inflight);
      delayed.set(labels, stats.delayed);
      oldest.set(labels, stats.oldestAge / 1000);
      waiting.set(labels, stats.waiting);
      deadLettered.inc(labels, stats.deadLettered);
      expired.inc(labels, stats.expired);
      acked.inc(labels, stats.acked);
    };
    const reportTopic = (name: string, stats: TopicStats) => {
      const labels = { dialect: dialectOf(name), topic: name };
      sent.inc(labels, stats.sent);
      stored.set(labels, stats.messages);
      storedBytes.set(labels, stats.bytes);
    };
    for (const name of broker.listQueues()) {
      const queue = broker.queue(name);
      reportTopic(name, queue.topic.stats());
      report(name, queue.group.name, queue.stats());
    }
    for (const name of broker.listTopics()) {
      const topic = broker.topic(name);
      reportTopic(name, topic.stats());
      for (const groupName of topic.listGroups()) report(name, groupName, topic.group(groupName).stats());
    }
  }

  return {
    registry,
    received: (topic, group, n) => received.inc({ dialect: dialectOf(topic), topic, group }, n),
    request: (dialect, status) => requests.inc({ dialect, status: String(status) }),
    shortened: (dialect) => shortened.inc({ dialect }),
  };
}
