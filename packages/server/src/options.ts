/** @module options — the settings of `startServer` and `sluice serve`, their defaults, and their validation. */
import { isIP } from 'node:net';
import type { Declarations } from './declare.js';
import { type ObjectLimits, resolveObjectLimits } from './object-limits.js';
import { DEFAULT_METRICS_MAX_OBJECTS } from './object-series.js';
import {
  type ResolvedRocketMqSettings,
  type RocketMqSettings,
  resolveRocketMqSettings,
} from './rocketmq-settings.js';
import {
  checkExposure,
  DIALECTS,
  type DialectName,
  type MetricsAccess,
  metricsAccess,
  parseDialects,
} from './security.js';
import { resolveStorageTuning, type StorageTuning } from './storage-options.js';

/** The port `sluice serve` listens on when none is given. */
export const DEFAULT_PORT = 9876;
/** The host `sluice serve` binds when none is given: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';
/** The data directory when none is given (relative to the working directory). */
export const DEFAULT_DATA_DIR = './.sluice/data';
/** Parked long polls per process before new ones are served as short polls. */
export const DEFAULT_MAX_LONG_POLLS = 4096;

/** The largest `metricsMaxObjects`: each kept object adds 12 series to every scrape. */
export const MAX_METRICS_MAX_OBJECTS = 1_000_000;

/** How durable storage acknowledges writes (see `logStorage` in `@sluice/core`). */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** One access key: clients sign with it in every dialect (RocketMQ, MNS, DMS AK/SK). */
export interface AccessKey {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** Options of {@link startServer}; `sluice serve` flags and the config file map onto these one to one. */
export interface ServerOptions {
  /**
   * Address to bind. Default `127.0.0.1`. Off loopback, every served dialect must authenticate (MNS and RocketMQ
   * with `accessKeys`, DMS with keys or `tokens`), unless `insecure`.
   */
  host?: string;
  /** Port to listen on; 0 picks a free one. Default 9876. */
  port?: number;
  /** Directory of the durable log. Default `./.sluice/data`. Ignored with `memory`. */
  dataDir?: string;
  /** Keep everything in memory (lost on exit). Default false. */
  memory?: boolean;
  /** When durable writes are acknowledged. Default `'always'` (after fsync). */
  fsync?: FsyncPolicy;
  /** Tuning of the durable log: segment size, compaction, fsync interval, body cache. Ignored with `memory`. */
  storage?: StorageTuning;
  /** Keys whose signatures every dialect checks. Without keys (and tokens), signatures are not checked. */
  accessKeys?: readonly AccessKey[];
  /** Static DMS `X-Auth-Token` values accepted. */
  tokens?: readonly string[];
  /**
   * Allow a non-loopback `host` with dialects that authenticate nothing, and an open `/metrics` there. Default false.
   */
  insecure?: boolean;
  // Security (see security.ts).
  /** The dialects served; a dialect not listed answers nothing of its own. Default all: mns, rocketmq, dms. */
  dialects?: readonly DialectName[];
  /**
   * The admin token: `/metrics` takes `Authorization: Bearer <adminToken>` (and so will the admin API). It is
   * required off loopback or once any credential is configured; without it `/metrics` is then refused.
   */
  adminToken?: string;
  /** Most long polls parked at once in this process; more are served as short polls. Default 4096. */
  maxLongPolls?: number;
  /**
   * Most open connections. At the limit a new client still gets in: the connection slowest to send its first head,
   * else the one idle longest, is closed for it (busy ones never are). Default 16 384.
   */
  maxConnections?: number;
  /** Most open connections from one address; more are closed at once. Default a quarter of `maxConnections`. */
  maxConnectionsPerAddress?: number;
  /** Longest time to receive a request head (defeats slowloris heads), ms. Default 10 000. */
  headersTimeout?: number;
  /** Largest request head (request line + headers), bytes. Default 16 384. */
  maxHeaderBytes?: number;
  /** How long an idle keep-alive connection stays open, ms. Default 65 000 (the services keep them >= 65 s). */
  keepAliveTimeout?: number;
  /**
   * Longest time to receive a whole request, head and body (defeats trickled bodies; answering is not limited: a
   * parked long poll is a received request), ms. Default 60 000.
   */
  requestTimeout?: number;
  /**
   * Most bytes of large bodies (1 MiB and more) read and decoded at once, server-wide; more wait, unread, in arrival
   * order. Default 64 MiB.
   */
  maxBodyBytesInFlight?: number;
  /**
   * Slowest average, bytes per second, at which a large body (one that counts in `maxBodyBytesInFlight`) may arrive;
   * slower, its connection is cut, so trickled uploads cannot hold the budget. 0: no minimum. Default 65 536.
   */
  minBodyBytesPerSecond?: number;
  /** Queues, topics and groups to create at start, in each dialect's own terms. */
  declare?: Declarations;
  /**
   * RocketMQ defaults (invisibility, orderedInvisibility, maxDeliveries, retention) and per-instance overrides; topics
   * and consumers declared in `declare.rocketmq` take overrides too. Applied to objects created and, at start, to
   * those that exist.
   */
  rocketmq?: RocketMqSettings;
  /** Also expose the process metrics of prom-client (CPU, memory, event loop) on `/metrics`. Default true. */
  processMetrics?: boolean;
  /** Caps on the number of objects clients can create: server-wide and per account/instance/project. */
  limits?: ObjectLimits;
  /**
   * Groups, and topics, with `/metrics` series of their own (the deepest backlog first); the others are folded per
   * dialect into `topic="_other"` series. Default 1000.
   */
  metricsMaxObjects?: number;
  /**
   * Base URL advertised for the MNS push signing certificate (`<url>/sluice/mns-cert/<id>.pem`), for servers reached
   * through a proxy. Default: `http://` + the Host header of each Subscribe request.
   */
  mnsPushCertUrl?: string;
  /**
   * Where a RocketMQ or DMS consumer group seen for the first time starts: `'earliest'` (default), every message its
   * topic or queue still retains; `'latest'`, only what is sent after it was created (the RocketMQ service's way).
   */
  groupStart?: 'earliest' | 'latest';
}

/** {@link ServerOptions} with every default applied. */
export interface ResolvedServerOptions {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly memory: boolean;
  readonly fsync: FsyncPolicy;
  /** Only the fields given; the core's defaults apply to the rest. */
  readonly storage: Readonly<StorageTuning>;
  readonly accessKeys: readonly AccessKey[];
  readonly tokens: readonly string[];
  readonly insecure: boolean;
  readonly dialects: readonly DialectName[];
  readonly adminToken: string | undefined;
  readonly mnsPushCertUrl: string | undefined;
  readonly groupStart: 'earliest' | 'latest';
  /** Who may read `/metrics`, from the rules in security.ts. */
  readonly metricsAccess: MetricsAccess;
  readonly maxLongPolls: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly headersTimeout: number;
  readonly maxHeaderBytes: number;
  readonly keepAliveTimeout: number;
  readonly requestTimeout: number;
  readonly maxBodyBytesInFlight: number;
  readonly minBodyBytesPerSecond: number;
  readonly declare: Declarations;
  /** The RocketMQ dialect's settings options: the defaults given (the dialect's apply to the rest), `settingsFor`. */
  readonly rocketmq: ResolvedRocketMqSettings;
  readonly processMetrics: boolean;
  /** Only the caps given; the defaults apply to the rest. */
  readonly limits: Readonly<ObjectLimits>;
  readonly metricsMaxObjects: number;
}

/** True for addresses only this machine can reach: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '[::1]') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

/** Parses `ID:SECRET` (the secret may contain `:`); throws a `TypeError` naming the problem. */
export function parseAccessKey(text: string): AccessKey {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) {
    throw new TypeError(`access key must look like ID:SECRET, got "${text.slice(0, 40)}"`);
  }
  return { accessKeyId: text.slice(0, at), accessKeySecret: text.slice(at + 1) };
}

function int(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function bool(name: string, value: boolean | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be true or false`);
  return value;
}

/**
 * Validates {@link ServerOptions} and applies the defaults; throws a `TypeError` naming the bad option, including
 * a non-loopback `host` serving a dialect that authenticates nothing, without `insecure` (see security.ts).
 */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || host === '') throw new TypeError('host must be a non-empty string');
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  if (typeof dataDir !== 'string' || dataDir === '') throw new TypeError('dataDir must be a directory path');
  const fsync = options.fsync ?? 'always';
  if (fsync !== 'always' && fsync !== 'interval' && fsync !== 'never') {
    throw new TypeError("fsync must be 'always', 'interval' or 'never'");
  }
  const accessKeys = options.accessKeys ?? [];
  if (!Array.isArray(accessKeys)) throw new TypeError('accessKeys must be an array');
  for (const key of accessKeys as readonly AccessKey[]) {
    if (
      typeof key?.accessKeyId !== 'string' ||
      key.accessKeyId === '' ||
      typeof key.accessKeySecret !== 'string' ||
      key.accessKeySecret === ''
    ) {
      throw new TypeError('accessKeys entries need a non-empty accessKeyId and accessKeySecret');
    }
  }
  const tokens = options.tokens ?? [];
  if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string' || t === '')) {
    throw new TypeError('tokens must be an array of non-empty strings');
  }
  const insecure = bool('insecure', options.insecure);
  // Security (see security.ts): what is served, and the refusal of a reachable server that checks nothing.
  const dialects = options.dialects === undefined ? [...DIALECTS] : parseDialects(options.dialects);
  const adminToken = options.adminToken;
  if (adminToken !== undefined && !(typeof adminToken === 'string' && /^[\x21-\x7e]+$/.test(adminToken))) {
    throw new TypeError('adminToken must be a non-empty string of printable ASCII without spaces');
  }
  for (const d of DIALECTS) {
    const declared = (options.declare as Record<string, object | undefined> | undefined)?.[d];
    if (!dialects.includes(d) && declared !== undefined && Object.keys(declared).length > 0) {
      throw new TypeError(
        `${d} objects are declared, but ${d} is not served (dialects: ${dialects.join(',')})`,
      );
    }
  }
  const mnsPushCertUrl = options.mnsPushCertUrl;
  if (
    mnsPushCertUrl !== undefined &&
    !(typeof mnsPushCertUrl === 'string' && /^https?:\/\/[^/?#]+(\/[^?#]*)?$/i.test(mnsPushCertUrl))
  ) {
    throw new TypeError('mnsPushCertUrl must be an http(s) URL without query or fragment');
  }
  const groupStart = options.groupStart ?? 'earliest';
  if (groupStart !== 'earliest' && groupStart !== 'latest') {
    throw new TypeError("groupStart must be 'earliest' or 'latest'");
  }
  const security = { dialects, accessKeys, tokens, adminToken, insecure };
  checkExposure(host, isLoopback(host), security);
  const keepAliveTimeout = int('keepAliveTimeout', options.keepAliveTimeout, 65_000, 100, 2 ** 31 - 1);
  const maxConnections = int('maxConnections', options.maxConnections, 16_384, 1, 2 ** 31 - 1);
  return {
    host,
    port: int('port', options.port, DEFAULT_PORT, 0, 65_535),
    dataDir,
    memory: bool('memory', options.memory),
    fsync,
    storage: resolveStorageTuning(options.storage),
    accessKeys,
    tokens,
    insecure,
    dialects,
    adminToken,
    mnsPushCertUrl,
    groupStart,
    metricsAccess: metricsAccess(isLoopback(host), security),
    maxLongPolls: int('maxLongPolls', options.maxLongPolls, DEFAULT_MAX_LONG_POLLS, 0, 2 ** 31 - 1),
    maxConnections,
    maxConnectionsPerAddress: int(
      'maxConnectionsPerAddress',
      options.maxConnectionsPerAddress,
      Math.ceil(maxConnections / 4),
      1,
      2 ** 31 - 1,
    ),
    headersTimeout: int('headersTimeout', options.headersTimeout, 10_000, 100, 2 ** 31 - 1),
    maxHeaderBytes: int('maxHeaderBytes', options.maxHeaderBytes, 16_384, 1024, 1 << 20),
    keepAliveTimeout,
    requestTimeout: int('requestTimeout', options.requestTimeout, 60_000, 100, 2 ** 31 - 1),
    maxBodyBytesInFlight: int(
      'maxBodyBytesInFlight',
      options.maxBodyBytesInFlight,
      64 << 20,
      1 << 20,
      2 ** 31 - 1,
    ),
    minBodyBytesPerSecond: int(
      'minBodyBytesPerSecond',
      options.minBodyBytesPerSecond,
      65_536,
      0,
      2 ** 31 - 1,
    ),
    declare: options.declare ?? {},
    rocketmq: resolveRocketMqSettings(options.rocketmq, options.declare?.rocketmq),
    processMetrics:
      options.processMetrics === undefined ? true : bool('processMetrics', options.processMetrics),
    limits: resolveObjectLimits(options.limits),
    metricsMaxObjects: int(
      'metricsMaxObjects',
      options.metricsMaxObjects,
      DEFAULT_METRICS_MAX_OBJECTS,
      0,
      MAX_METRICS_MAX_OBJECTS,
    ),
  };
}
