/**
 * @module metrics — the Prometheus metrics of a Sluice server: prom-client for the process metrics, the request
 * counters and the storage; object-series.ts for the per-queue, per-topic and per-group series.
 *
 * HOW: the per-object series (active, inflight, delayed, oldest age, parked polls, the cumulative sent / acked /
 * dead-lettered / expired counts the core keeps, and the received counts kept as responses go out, see
 * instrument.ts) are read from the broker on each scrape, in slices, with everything beyond `maxObjects` folded
 * into `_other` series (see object-series.ts). They are appended to what the registry renders: `registry.metrics()`
 * is wrapped so that it serves both, and so that scrapes arriving while one is rendered share that render instead
 * of starting another. Storage bytes and files come from the `LogStorage` getters; flush latency from
 * {@link MeteredLogStorage}.
 *
 * WHY on scrape: nothing is added to the hot path. A topic or group that disappears simply stops being reported.
 */
import type { Broker } from '@sluice/core';
import { LogStorage } from '@sluice/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { MeteredLogStorage } from './metered-storage.js';
import { ObjectSeries } from './object-series.js';

export { DEFAULT_METRICS_MAX_OBJECTS, dialectOf } from './object-series.js';

/** What the handler reports into, besides what is read from the broker on scrape. */
export interface ServerMetrics {
  /**
   * The prom-client registry: `registry.metrics()` renders what `/metrics` serves (its own metrics, then the
   * per-object series). Add your own metrics to it. `getMetricsAsJSON()` and `Registry.merge` see only the
   * prom-client part.
   */
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
  /** Registry to register into (its `metrics()` is wrapped, see the module doc). Default: a new one. */
  registry?: Registry;
  /** Also collect prom-client's process metrics (CPU, memory, event loop lag). Default false. */
  processMetrics?: boolean;
  /** The current number of parked long polls (from the handler's cap). */
  parkedLongPolls: () => number;
  /** Groups, and topics, with series of their own (the deepest); the rest fold into `_other`. Default 1000. */
  maxObjects?: number;
  /** Longest run of a scrape's work before the event loop gets a turn, ms. Default 10. */
  sliceMs?: number;
}

/** Registers the Sluice metrics of `broker` and answers the hooks the handler reports into. */
export function createMetrics(broker: Broker, options: MetricsOptions): ServerMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const objects = new ObjectSeries(broker, {
    ...(options.maxObjects === undefined ? {} : { maxObjects: options.maxObjects }),
    ...(options.sliceMs === undefined ? {} : { sliceMs: options.sliceMs }),
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

  shareRenders(registry, objects);

  return {
    registry,
    received: (topic, group, n) => objects.received(topic, group, n),
    request: (dialect, status) => requests.inc({ dialect, status: String(status) }),
    shortened: (dialect) => shortened.inc({ dialect }),
  };
}

/**
 * Wraps `registry.metrics()`: prom-client's text, then the per-object series, rendered once for every scrape that
 * asks while a render is under way (two scrapers at once cost one render, and get the same text).
 */
function shareRenders(registry: Registry, objects: ObjectSeries): void {
  const own = registry.metrics.bind(registry);
  let rendering: Promise<string> | undefined;
  const render = async (): Promise<string> => {
    const openMetrics = (registry.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE;
    const text = await own();
    const series = await objects.render(openMetrics);
    if (!openMetrics) return text + series;
    // OpenMetrics ends with `# EOF`: the series go before it.
    const eof = text.lastIndexOf('# EOF');
    return eof === -1 ? `${text}${series}# EOF\n` : text.slice(0, eof) + series + text.slice(eof);
  };
  registry.metrics = () => {
    rendering ??= render().finally(() => {
      rendering = undefined;
    });
    return rendering;
  };
}
