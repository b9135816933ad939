/**
 * @module rocketmq-settings — the RocketMQ values the service fixes and a local server lets you set: how long a
 * consumed message stays invisible (5 minutes, 1 minute ordered), deliveries before the dead-letter queue (288) and
 * retention (3 days), so that tests of an app need not wait five minutes for a redelivery.
 *
 * Levels, the most specific winning field by field: a consumer group declared on a topic (`topics[].consumers[]`),
 * then the topic (`topics[]`), then the instance (`instances.<ns>`), then the server's defaults (`rocketmq.*`, or the
 * `--rocketmq-*` flags), then the service's values. Retention belongs to topics, so a group cannot set it. The
 * levels become one `settingsFor(instance, topic, consumer)` resolver that the dialect asks when it creates a core
 * topic or group, and that `applyRocketMqSettings` uses at start to bring existing ones to the configured values.
 */
import type { SettingsResolver } from '@sluice/rocketmq';

/** A duration: ms as a number (or a string of digits), or a string with a unit: `"500ms"`, `"30s"`, `"5m"`, `"2h"`, `"3d"`. */
export type Duration = number | string;

/** The settings of one level (server, instance, topic, consumer group). */
export interface RocketMqLevelSettings {
  /** How long a consumed message stays invisible before it is redelivered (NextConsumeTime). 1 s to 12 h; default 5 min. */
  invisibility?: Duration;
  /** The same for ordered consumption (`consumeMessageOrderly`). 1 s to 12 h; default 1 min. */
  orderedInvisibility?: Duration;
  /** Deliveries to one group before a message goes to the group's dead-letter queue. 1 to 65 535; default 288. */
  maxDeliveries?: number;
  /** How long a message is kept (not for a consumer group: a topic's setting). 1 s to 30 d; default 3 days. */
  retention?: Duration;
}

/** The `rocketmq` settings of the server options: the server's defaults, and overrides per instance (`ns`). */
export interface RocketMqSettings extends RocketMqLevelSettings {
  /** Overrides per instance id; `""` is the default instance (requests without `ns`). */
  instances?: Readonly<Record<string, RocketMqLevelSettings>>;
}

/** {@link RocketMqSettings} resolved to the RocketMQ dialect's options: ms, and the per-object resolver. */
export interface ResolvedRocketMqSettings {
  readonly invisibility?: number;
  readonly orderedInvisibility?: number;
  readonly maxDeliveries?: number;
  readonly retention?: number;
  /** Present when an instance, topic or group has overrides. */
  readonly settingsFor?: SettingsResolver;
}

/** The keys of {@link RocketMqSettings}: in a config file's `rocketmq` object they sit next to `topics`. */
export const ROCKETMQ_SETTING_KEYS: readonly (keyof RocketMqSettings)[] = [
  'invisibility',
  'orderedInvisibility',
  'maxDeliveries',
  'retention',
  'instances',
];

type Field = keyof RocketMqLevelSettings;
const FIELDS: readonly Field[] = ['invisibility', 'orderedInvisibility', 'maxDeliveries', 'retention'];
type Numbers = { -readonly [F in Field]?: number };

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DAY = 86_400_000;
// MNS's longest VisibilityTimeout, 12 hours: no reason for RocketMQ consumers to hold a message longer.
const RANGES: Readonly<Record<Field, readonly [number, number]>> = {
  invisibility: [1000, 43_200_000],
  orderedInvisibility: [1000, 43_200_000],
  maxDeliveries: [1, 65_535],
  retention: [1000, 30 * DAY],
};

/** `43200000` → `12h`: the largest unit that divides it. */
function human(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's']) if (ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  return `${ms}ms`;
}

const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** A {@link Duration} in ms, or `undefined` when it is not one. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{1,15})(ms|s|m|h|d)?$/.exec(value);
  return m === null ? undefined : Number(m[1]) * UNITS[m[2] ?? 'ms']!;
}

/**
 * Checks one setting (`name` is how the error names it: `rocketmq.invisibility`, `--rocketmq-invisibility`) and
 * answers it in ms (a count for `maxDeliveries`, which must be a number); throws a `TypeError` with the range.
 */
export function parseRocketMqSetting(field: Field, value: unknown, name: string): number {
  const [min, max] = RANGES[field];
  if (field === 'maxDeliveries') {
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
      throw new TypeError(`${name} must be an integer from ${min} to ${max}, got ${shown(value)}`);
    }
    return value;
  }
  const ms = durationMs(value);
  if (ms === undefined || !(ms >= min && ms <= max)) {
    throw new TypeError(
      `${name} must be a duration from ${human(min)} to ${human(max)} (ms, or a string such as "30s", "5m", "2h", "3d"), got ${shown(value)}`,
    );
  }
  return ms;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `a.b`, or `a["MQ_INST.1"]` for a key that is not an identifier. */
const member = (path: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

function checkKeys(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isObject(value)) throw new TypeError(`${path} must be an object`);
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    if (key === 'retention' && allowed.includes('maxDeliveries')) {
      throw new TypeError(
        `${member(path, key)}: retention is a topic's setting; set it on the topic or instance`,
      );
    }
    throw new TypeError(`${member(path, key)} is not a setting here (${allowed.join(', ')})`);
  }
  return value;
}

/** The settings fields of one level, in ms; only those given. */
function level(value: Record<string, unknown>, path: string, fields: readonly Field[] = FIELDS): Numbers {
  const out: Numbers = {};
  for (const field of fields) {
    if (value[field] !== undefined)
      out[field] = parseRocketMqSetting(field, value[field], member(path, field));
  }
  return out;
}

const hasAny = (o: Numbers) => Object.keys(o).length > 0;

/** Adds `add` to the settings under `key`, refusing a field given twice with two values. */
function merge(map: Map<string, Numbers>, key: string, add: Numbers, path: string, what: string) {
  const have = map.get(key) ?? {};
  for (const field of FIELDS) {
    const [a, b] = [have[field], add[field]];
    if (a !== undefined && b !== undefined && a !== b) {
      throw new TypeError(
        `${member(path, field)}: ${what} is declared again with another ${field} (${a} and ${b})`,
      );
    }
  }
  map.set(key, { ...have, ...add });
}

const NAMESPACE = /^[A-Za-z0-9_.-]{0,64}$/;
const TOPIC_KEYS = ['name', 'instance', 'consumers', ...FIELDS];
const GROUP_FIELDS = FIELDS.filter((f) => f !== 'retention');
const CONSUMER_KEYS = ['name', 'ordered', ...GROUP_FIELDS];

/** Per-object overrides: instance, `ns\ntopic`, `ns\ntopic\nconsumer`. */
interface Overrides {
  readonly instances: Map<string, Numbers>;
  readonly topics: Map<string, Numbers>;
  readonly groups: Map<string, Numbers>;
}

function readTopics(declarations: unknown, path: string, into: Overrides): void {
  if (declarations === undefined) return;
  const decl = checkKeys(declarations, path, ['topics']);
  if (decl['topics'] === undefined) return;
  if (!Array.isArray(decl['topics'])) throw new TypeError(`${path}.topics must be an array`);
  (decl['topics'] as unknown[]).forEach((t, i) => {
    const at = `${path}.topics[${i}]`;
    const topic = checkKeys(t, at, TOPIC_KEYS);
    if (typeof topic['name'] !== 'string' || topic['name'] === '') {
      throw new TypeError(`${at}.name must be a topic name`);
    }
    const ns = topic['instance'] ?? '';
    if (typeof ns !== 'string' || !NAMESPACE.test(ns)) {
      throw new TypeError(`${at}.instance must be an instance id (up to 64 letters, digits, ".", "_", "-")`);
    }
    const key = `${ns}\n${topic['name']}`;
    const what = `topic ${topic['name']}${ns === '' ? '' : ` of instance ${ns}`}`;
    const own = level(topic, at);
    if (hasAny(own)) merge(into.topics, key, own, at, what);
    const consumers = topic['consumers'];
    if (consumers === undefined) return;
    if (!Array.isArray(consumers)) throw new TypeError(`${at}.consumers must be an array`);
    consumers.forEach((c, j) => {
      const cat = `${at}.consumers[${j}]`;
      if (typeof c === 'string') {
        if (c === '') throw new TypeError(`${cat} must be a consumer group id`);
        return;
      }
      const consumer = checkKeys(c, cat, CONSUMER_KEYS);
      if (typeof consumer['name'] !== 'string' || consumer['name'] === '') {
        throw new TypeError(`${cat}.name must be a consumer group id`);
      }
      const ordered = consumer['ordered'] ?? false;
      if (typeof ordered !== 'boolean') throw new TypeError(`${cat}.ordered must be true or false`);
      // An entry declares one core group: give it the invisibility that group uses, not the other kind's.
      const other = ordered ? 'invisibility' : 'orderedInvisibility';
      if (consumer[other] !== undefined) {
        throw new TypeError(
          `${member(cat, other)}: this entry declares ${ordered ? 'ordered' : 'normal'} consumption; set ${ordered ? 'orderedInvisibility' : 'invisibility'}`,
        );
      }
      const settings = level(consumer, cat, GROUP_FIELDS);
      if (hasAny(settings)) {
        merge(
          into.groups,
          `${key}\n${consumer['name']}`,
          settings,
          cat,
          `consumer ${consumer['name']} of ${what}`,
        );
      }
    });
  });
}

/**
 * Validates the `rocketmq` settings and the settings in the RocketMQ declarations (`topics`, with `declarations`
 * reported under `declarationsPath`), and resolves them to the dialect's options: the server's defaults in ms, and
 * a `settingsFor` resolver when any instance, topic or group overrides them. Throws a `TypeError` naming the bad field
 * by its path (`rocketmq.topics[0].consumers[1].maxDeliveries must be …`).
 */
export function resolveRocketMqSettings(
  settings: unknown,
  declarations?: unknown,
  declarationsPath = 'declare.rocketmq',
): ResolvedRocketMqSettings {
  const overrides: Overrides = { instances: new Map(), topics: new Map(), groups: new Map() };
  let defaults: Numbers = {};
  if (settings !== undefined) {
    const given = checkKeys(settings, 'rocketmq', ROCKETMQ_SETTING_KEYS);
    defaults = level(given, 'rocketmq');
    const instances = given['instances'];
    if (instances !== undefined) {
      if (!isObject(instances)) throw new TypeError('rocketmq.instances must be an object of instance ids');
      for (const [ns, value] of Object.entries(instances)) {
        const at = member('rocketmq.instances', ns);
        if (!NAMESPACE.test(ns)) {
          throw new TypeError(`${at}: an instance id is up to 64 letters, digits, ".", "_" or "-"`);
        }
        const own = level(checkKeys(value, at, FIELDS), at);
        if (hasAny(own)) overrides.instances.set(ns, own);
      }
    }
  }
  readTopics(declarations, declarationsPath, overrides);
  const { instances, topics, groups } = overrides;
  if (instances.size + topics.size + groups.size === 0) return defaults;
  const settingsFor: SettingsResolver = (instance, topic, consumer) => {
    const i = instances.get(instance);
    const t = topics.get(`${instance}\n${topic}`);
    const g = consumer === undefined ? undefined : groups.get(`${instance}\n${topic}\n${consumer}`);
    return i === undefined && t === undefined && g === undefined ? undefined : { ...i, ...t, ...g };
  };
  return { ...defaults, settingsFor };
}

/**
 * Splits a config file's `rocketmq` object into its settings and its declarations (`topics`), checking both;
 * throws a `TypeError` naming the bad key or value by its path.
 */
export function splitRocketMqConfig(value: Record<string, unknown>): {
  settings: Record<string, unknown> | undefined;
  declarations: Record<string, unknown>;
} {
  const settings: Record<string, unknown> = {};
  const declarations: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if ((ROCKETMQ_SETTING_KEYS as readonly string[]).includes(key)) settings[key] = v;
    else if (key === 'topics') declarations[key] = v;
    else
      throw new TypeError(
        `${member('rocketmq', key)} is not a setting here (${[...ROCKETMQ_SETTING_KEYS, 'topics'].join(', ')})`,
      );
  }
  const given = Object.keys(settings).length > 0 ? settings : undefined;
  resolveRocketMqSettings(given, declarations, 'rocketmq');
  return { settings: given, declarations };
}
