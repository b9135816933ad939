/**
 * @module config-file — the `--config` JSON file: the flags' settings (camelCase) plus what to create at start.
 *
 * Keys: `host`, `port`, `dataDir` (relative to the file's directory), `memory`, `fsync`, `storage` (the log's tuning,
 * see storage-options.ts), `accessKeys` (`"ID:SECRET"` strings or `{accessKeyId, accessKeySecret}`), `tokens`,
 * `insecure`, `dialects` (`["mns", "dms"]` or `"mns,dms"`), `adminToken`, `maxLongPolls`, `maxConnections`,
 * `maxHeaderBytes`, `keepAliveTimeout`, `requestTimeout`, `processMetrics`, `maxBodyBytesInFlight`,
 * `maxConnectionsPerAddress`, `headersTimeout`, `minBodyBytesPerSecond`, `limits` (object caps, see
 * object-limits.ts), `metricsMaxObjects`, `mnsPushCertUrl`, `groupStart`, and the declarations `mns`, `rocketmq`,
 * `dms` (see declare.ts); `rocketmq` also holds the dialect's `invisibility`, `orderedInvisibility`, `maxDeliveries`,
 * `retention` and per-`instances` overrides, and its `topics` and their consumers take the same settings (see
 * rocketmq-settings.ts). Unknown keys are refused, so a typo is not silently ignored; the `rocketmq` part is checked
 * here, with its path, the other values by `resolveServerOptions`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.js';
import type { Declarations } from './declare.js';
import { type AccessKey, parseAccessKey, type ServerOptions } from './options.js';
import { splitRocketMqConfig } from './rocketmq-settings.js';

const SETTINGS = new Set([
  'host',
  'port',
  'dataDir',
  'memory',
  'fsync',
  'storage',
  'accessKeys',
  'tokens',
  'insecure',
  'maxLongPolls',
  'maxConnections',
  'maxHeaderBytes',
  'keepAliveTimeout',
  'requestTimeout',
  'processMetrics',
  'limits',
  'dialects',
  'adminToken',
  'maxBodyBytesInFlight',
  'maxConnectionsPerAddress',
  'headersTimeout',
  'minBodyBytesPerSecond',
  'metricsMaxObjects',
  'mnsPushCertUrl',
  'groupStart',
]);
const DIALECTS = new Set(['mns', 'rocketmq', 'dms']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and checks a config file; throws {@link UsageError} naming the file and the problem. */
export function loadConfig(file: string): ServerOptions {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return configOptions(json, dirname(resolve(file)), file);
}

/** Turns a parsed config object into {@link ServerOptions}; `base` resolves a relative `dataDir`. */
export function configOptions(json: unknown, base: string, file = 'config'): ServerOptions {
  const fail = (message: string): never => {
    throw new UsageError(`${file}: ${message}`);
  };
  if (!isObject(json)) return fail('must be a JSON object');
  const options: Record<string, unknown> = {};
  const declarations: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '$schema' || key === '//') continue;
    if (key === 'rocketmq' && isObject(value)) {
      // Its settings (invisibility, instances) sit next to its declarations (topics, which take settings too).
      try {
        const { settings, declarations: topics } = splitRocketMqConfig(value);
        if (settings !== undefined) options['rocketmq'] = settings;
        declarations[key] = topics;
      } catch (error) {
        fail((error as Error).message);
      }
    } else if (DIALECTS.has(key)) {
      if (!isObject(value)) fail(`"${key}" must be an object`);
      declarations[key] = value;
    } else if (SETTINGS.has(key)) {
      options[key] = value;
    } else {
      fail(`unknown setting "${key}"`);
    }
  }
  if (options['dataDir'] !== undefined) {
    if (typeof options['dataDir'] !== 'string' || options['dataDir'] === '') fail('"dataDir" must be a path');
    options['dataDir'] = resolve(base, options['dataDir'] as string);
  }
  const keys = options['accessKeys'];
  if (keys !== undefined) {
    if (!Array.isArray(keys)) fail('"accessKeys" must be an array');
    options['accessKeys'] = (keys as unknown[]).map((k): AccessKey => {
      if (typeof k === 'string') {
        try {
          return parseAccessKey(k);
        } catch (error) {
          return fail(`"accessKeys": ${(error as Error).message}`);
        }
      }
      if (isObject(k) && typeof k['accessKeyId'] === 'string' && typeof k['accessKeySecret'] === 'string') {
        return { accessKeyId: k['accessKeyId'], accessKeySecret: k['accessKeySecret'] };
      }
      return fail('"accessKeys" entries must be "ID:SECRET" or {"accessKeyId", "accessKeySecret"}');
    });
  }
  if (Object.keys(declarations).length > 0) options['declare'] = declarations as Declarations;
  return options as ServerOptions;
}
