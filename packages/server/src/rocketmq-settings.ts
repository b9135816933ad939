/**
 * @module rocketmq-settings — the RocketMQ dialect's settings a server exposes: how long a consumed message stays
 * invisible. The service fixes it (5 minutes); a local server may want it shorter, e.g. for tests that wait out
 * redelivery.
 */

/** The `rocketmq` settings of the server options; they apply to consumer groups created from then on. */
export interface RocketMqSettings {
  /** How long a consumed message stays invisible before it is redelivered (NextConsumeTime), ms. Default 300 000. */
  invisibility?: number;
  /** The same for ordered consumption (`consumeMessageOrderly`), ms. Default 60 000. */
  orderedInvisibility?: number;
}

/** The keys of {@link RocketMqSettings}: in a config file's `rocketmq` object they sit next to `topics`. */
export const ROCKETMQ_SETTING_KEYS: readonly (keyof RocketMqSettings)[] = [
  'invisibility',
  'orderedInvisibility',
];

// MNS's longest VisibilityTimeout, 12 hours: no reason for RocketMQ consumers to hold a message longer.
const MAX_MS = 43_200_000;

/** Validates the `rocketmq` settings; throws a `TypeError` naming the bad field. Answers only the fields given. */
export function resolveRocketMqSettings(settings: unknown): Readonly<RocketMqSettings> {
  if (settings === undefined) return {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new TypeError('rocketmq must be an object');
  }
  const given = settings as Record<string, unknown>;
  const out: RocketMqSettings = {};
  for (const key of Object.keys(given)) {
    if (!(ROCKETMQ_SETTING_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(`rocketmq.${key} is not a RocketMQ setting (${ROCKETMQ_SETTING_KEYS.join(', ')})`);
    }
    const value = given[key];
    if (value === undefined) continue;
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1000 && value <= MAX_MS)) {
      throw new TypeError(`rocketmq.${key} must be an integer from 1000 to ${MAX_MS} (ms)`);
    }
    out[key as keyof RocketMqSettings] = value;
  }
  return out;
}
