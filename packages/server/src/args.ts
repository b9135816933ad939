/** @module args — `sluice` command-line parsing with node's `util.parseArgs`, into {@link ServerOptions}. */
import { parseArgs } from 'node:util';
import { LIMIT_FLAGS, LIMITS_USAGE, limitRange, type ObjectLimits } from './object-limits.js';
import {
  type AccessKey,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  MAX_METRICS_MAX_OBJECTS,
  parseAccessKey,
  type ServerOptions,
} from './options.js';
import { parseRocketMqSetting, type RocketMqSettings } from './rocketmq-settings.js';
import { parseDialects } from './security.js';

/** A bad command line or config file: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The `sluice` usage text. */
export const USAGE = `Usage: sluice serve [options]
       sluice repair [--apply] [DIR]

serve: runs a local message broker speaking the ApsaraMQ for RocketMQ HTTP, MNS and Huawei DMS APIs on one port.
repair: reads a damaged data directory (DIR, default ${DEFAULT_DATA_DIR}) as far as it can, lists the damage
  (what a repair drops) and what is left; with --apply, rewrites the log from what it read and moves the files
  it replaces to DIR/damaged-<time>/. A server refuses to open a damaged directory; stop it before a repair.

Options:
  --host HOST             address to bind (default ${DEFAULT_HOST}); off loopback every served dialect must
                          authenticate (MNS and RocketMQ need --access-key; DMS --access-key or --token),
                          else the server refuses to start (see --insecure)
  --port N                port (default ${DEFAULT_PORT}; 0 picks a free one)
  --data-dir DIR          durable storage directory (default ${DEFAULT_DATA_DIR})
  --memory                keep everything in memory instead (lost on exit)
  --fsync POLICY          always | interval | never (default always: a write is acknowledged after fsync)
  --access-key ID:SECRET  accept signatures made with this key, in every dialect (repeatable);
                          without any key, signatures are not checked
  --token T               accept this DMS X-Auth-Token (repeatable; DMS only)
  --dialects LIST         serve only these, comma-separated: mns,rocketmq,dms (default all three); the
                          others answer nothing of their own
  --admin-token T         the admin token: /metrics then takes "Authorization: Bearer T". /metrics needs it
                          off loopback or once any --access-key/--token is set, and is refused without it
  --mns-push-cert-url URL base URL advertised for the MNS push signing certificate (default: http:// + the
                          Host of the Subscribe request), for a server behind a proxy
  --group-start WHERE     where a new RocketMQ or DMS consumer group starts: earliest (default: every retained
                          message) or latest (only what is sent after it, as the RocketMQ service does)
  --config FILE           JSON file with the same settings plus queues/topics/groups to create; flags win
  --max-long-polls N      long polls parked at once before more are served as short polls (default 4096)
  --metrics-max-objects N groups and topics with /metrics series of their own, the deepest backlog first;
                          the others fold into per-dialect topic="_other" series (default 1000)
  --rocketmq-invisibility D
                          how long a consumed RocketMQ message stays invisible before it is redelivered: ms, or
                          with a unit: 30s, 5m, 2h (1s to 12h; default 5m, the service's)
  --rocketmq-ordered-invisibility D
                          the same for ordered consumption (default 1m)
  --rocketmq-max-deliveries N
                          deliveries to one consumer group before the group's dead-letter queue (1 to 65535; 288)
  --rocketmq-retention D  how long RocketMQ messages are kept (1s to 30d; default 3d). These four are defaults:
                          the config file's rocketmq instances, topics and consumers override them
  --insecure              allow a non-loopback --host with dialects that authenticate nothing, and leave
                          /metrics open there: only on a network you trust
  --max-body-bytes-in-flight N
                          bytes of large bodies (>= 1 MiB) read and decoded at once; more wait, unread (64 MiB)
  --min-body-rate N       bytes/s a large body must average, or its connection is cut (65536; 0: none)
  --max-connections N     open connections at most; at the limit the slowest-to-send or longest-idle one makes
                          room for a new client (default 16384)
  --max-connections-per-address N
                          open connections from one address (default a quarter of --max-connections)
  --headers-timeout MS    a request head must arrive within this (defeats slowloris heads; default 10000)
  --request-timeout MS    a whole request, head and body, must arrive within this (defeats trickled bodies;
                          answers are not limited: long polls are fine; default 60000)
  --keep-alive-timeout MS idle kept-alive connections are closed after this (default 65000, as the services)
  -h, --help              show this help
  -v, --version           show the version

Storage tuning (config file only: "storage": {...}; each defaults to the core's value):
  segmentBytes            seal a log segment at this size, bytes (64 MiB)
  compactMinBytes         never compact a log smaller than this, bytes (64 MiB)
  compactRatio            compact once live data is under this share of the log, 0..1 (0.5)
  fsyncIntervalMs         how often --fsync interval syncs, ms (100)
  bodyCacheBytes          memory for message bodies read back from disk, bytes (64 MiB)
  reserveBytes            disk space held back so acks and receives go on when the disk fills, bytes (16 MiB)
  retryIntervalMs         how often writes are retried while the disk is full or failing, ms (1000)

${LIMITS_USAGE}`;

type LimitKey =
  | 'maxConnections'
  | 'maxConnectionsPerAddress'
  | 'headersTimeout'
  | 'requestTimeout'
  | 'keepAliveTimeout'
  | 'maxBodyBytesInFlight'
  | 'minBodyBytesPerSecond';

/** What the command line asks for. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'serve'; readonly options: ServerOptions; readonly config: string | undefined }
  | { readonly kind: 'repair'; readonly dir: string; readonly apply: boolean };

function integer(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

/** Parses `argv` (without node and the script); throws {@link UsageError} with a one-line message. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // parseArgs' messages run over several sentences and lines; keep the first.
    const first = (error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(first);
    throw new UsageError(
      ambiguous === null
        ? first
        : `${ambiguous[1]} needs a value (write ${ambiguous[1]}=-… for one starting with "-")`,
    );
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('missing command: try "sluice serve" (or "sluice --help")');
  if (command === 'help') return { kind: 'help' };
  if (command === 'repair') return repairCommand(values, rest);
  if (values.apply === true) throw new UsageError('--apply belongs to "sluice repair"');
  if (command !== 'serve') throw new UsageError(`unknown command "${command}": try "sluice serve"`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (values.memory === true && values['data-dir'] !== undefined) {
    throw new UsageError('--memory and --data-dir cannot be used together');
  }
  const options: ServerOptions = {};
  if (values.host !== undefined) {
    if (values.host === '') throw new UsageError('--host must not be empty');
    options.host = values.host;
  }
  if (values.port !== undefined) options.port = integer('--port', values.port, 0, 65_535);
  if (values['data-dir'] !== undefined) {
    if (values['data-dir'] === '') throw new UsageError('--data-dir must not be empty');
    options.dataDir = values['data-dir'];
    options.memory = false;
  }
  if (values.memory === true) options.memory = true;
  if (values.fsync !== undefined) {
    const f = values.fsync;
    if (f !== 'always' && f !== 'interval' && f !== 'never') {
      throw new UsageError(`--fsync must be always, interval or never, got "${f}"`);
    }
    options.fsync = f;
  }
  if (values['access-key'] !== undefined) {
    const keys: AccessKey[] = [];
    for (const text of values['access-key']) {
      try {
        keys.push(parseAccessKey(text));
      } catch (error) {
        throw new UsageError(`--access-key: ${(error as Error).message}`);
      }
    }
    options.accessKeys = keys;
  }
  if (values.token !== undefined) {
    if (values.token.some((t) => t === '')) throw new UsageError('--token must not be empty');
    options.tokens = values.token;
  }
  if (values['max-long-polls'] !== undefined) {
    options.maxLongPolls = integer('--max-long-polls', values['max-long-polls'], 0, 1_000_000);
  }
  // The connection and body limits: integers, each with its own floor.
  const ints: readonly [string, LimitKey, number][] = [
    ['max-body-bytes-in-flight', 'maxBodyBytesInFlight', 1 << 20],
    ['max-connections', 'maxConnections', 1],
    ['max-connections-per-address', 'maxConnectionsPerAddress', 1],
    ['headers-timeout', 'headersTimeout', 100],
    ['request-timeout', 'requestTimeout', 100],
    ['keep-alive-timeout', 'keepAliveTimeout', 100],
    ['min-body-rate', 'minBodyBytesPerSecond', 0],
  ];
  for (const [flag, key, min] of ints) {
    const text = (values as Record<string, string | undefined>)[flag];
    if (text !== undefined) options[key] = integer(`--${flag}`, text, min, 2 ** 31 - 1);
  }
  if (values['metrics-max-objects'] !== undefined) {
    options.metricsMaxObjects = integer(
      '--metrics-max-objects',
      values['metrics-max-objects'],
      0,
      MAX_METRICS_MAX_OBJECTS,
    );
  }
  if (values.insecure === true) options.insecure = true;
  const rocketmq = rocketMqFlags(values);
  if (rocketmq !== undefined) options.rocketmq = rocketmq;
  const limits = limitFlags(values);
  if (limits !== undefined) options.limits = limits;
  // Security (see security.ts).
  if (values.dialects !== undefined) {
    try {
      options.dialects = parseDialects(values.dialects, '--dialects');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (values['admin-token'] !== undefined) {
    if (!/^[\x21-\x7e]+$/.test(values['admin-token'])) {
      throw new UsageError('--admin-token must be printable ASCII without spaces');
    }
    options.adminToken = values['admin-token'];
  }
  if (values['mns-push-cert-url'] !== undefined) options.mnsPushCertUrl = values['mns-push-cert-url'];
  const start = values['group-start'];
  if (start !== undefined) {
    if (start !== 'earliest' && start !== 'latest') {
      throw new UsageError(`--group-start must be earliest or latest, got ${JSON.stringify(start)}`);
    }
    options.groupStart = start;
  }
  return { kind: 'serve', options, config: values.config };
}

const ROCKETMQ_FLAGS = {
  'rocketmq-invisibility': 'invisibility',
  'rocketmq-ordered-invisibility': 'orderedInvisibility',
  'rocketmq-max-deliveries': 'maxDeliveries',
  'rocketmq-retention': 'retention',
} as const;

/** The `--rocketmq-*` defaults given (see rocketmq-settings.ts), or `undefined` for none. */
function rocketMqFlags(values: Record<string, unknown>): RocketMqSettings | undefined {
  let settings: RocketMqSettings | undefined;
  for (const [flag, field] of Object.entries(ROCKETMQ_FLAGS)) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    settings ??= {};
    try {
      const value = field === 'maxDeliveries' && /^\d{1,15}$/.test(text) ? Number(text) : text;
      settings[field] = parseRocketMqSetting(field, value, `--${flag}`);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return settings;
}

/** The object-limit flags given (see object-limits.ts), or `undefined` for none. */
function limitFlags(values: Record<string, unknown>): ObjectLimits | undefined {
  let limits: ObjectLimits | undefined;
  for (const [flag, [key]] of Object.entries(LIMIT_FLAGS)) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    const [min, max] = limitRange(key)!;
    limits ??= {};
    limits[key] = integer(`--${flag}`, text, min, max);
  }
  return limits;
}

function repairCommand(values: ReturnType<typeof parse>['values'], rest: readonly string[]): Command {
  const others = Object.keys(values).filter((k) => k !== 'apply' && k !== 'data-dir');
  if (others.length > 0) throw new UsageError(`--${others[0]} does not apply to "sluice repair"`);
  if (rest.length > 1) throw new UsageError(`unexpected argument "${rest[1]}"`);
  if (rest.length === 1 && values['data-dir'] !== undefined) {
    throw new UsageError('give the directory once: as DIR or as --data-dir');
  }
  const dir = rest[0] ?? values['data-dir'] ?? DEFAULT_DATA_DIR;
  if (dir === '') throw new UsageError('the data directory must not be empty');
  return { kind: 'repair', dir, apply: values.apply === true };
}

const LIMIT_OPTIONS = Object.fromEntries(
  Object.keys(LIMIT_FLAGS).map((flag) => [flag, { type: 'string' as const }]),
) as Record<keyof typeof LIMIT_FLAGS, { type: 'string' }>;

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      memory: { type: 'boolean' },
      fsync: { type: 'string' },
      'access-key': { type: 'string', multiple: true },
      token: { type: 'string', multiple: true },
      config: { type: 'string' },
      'max-long-polls': { type: 'string' },
      'max-body-bytes-in-flight': { type: 'string' },
      'max-connections': { type: 'string' },
      'max-connections-per-address': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'keep-alive-timeout': { type: 'string' },
      'min-body-rate': { type: 'string' },
      'metrics-max-objects': { type: 'string' },
      insecure: { type: 'boolean' },
      'rocketmq-invisibility': { type: 'string' },
      'rocketmq-ordered-invisibility': { type: 'string' },
      'rocketmq-max-deliveries': { type: 'string' },
      'rocketmq-retention': { type: 'string' },
      ...LIMIT_OPTIONS,
      dialects: { type: 'string' },
      'admin-token': { type: 'string' },
      'mns-push-cert-url': { type: 'string' },
      'group-start': { type: 'string' },
      apply: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}
