/** @module options — the options of `createMnsHandler`, validated once. */
import type { ObjectBudget, WireRequest } from '@sluice/http';
import { type MnsPushOptions, type ResolvedPushOptions, resolvePushOptions } from './push/options.js';

/** One access key the server accepts. */
export interface MnsCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** Finds the secret of an access key id (`undefined`: unknown key, 403 InvalidAccessKeyId). */
export type MnsCredentialLookup = (accessKeyId: string) => string | undefined | Promise<string | undefined>;

/** Options of {@link createMnsHandler}. */
export interface MnsHandlerOptions {
  /**
   * Access keys whose signatures are accepted: a list, or a lookup function. Without credentials, requests are not
   * authenticated at all (no signature, date or Content-MD5 checks) — for local development and tests.
   */
  credentials?: readonly MnsCredential[] | MnsCredentialLookup;
  /** After a valid signature: may this key make this request? `false` answers 403 AccessDenied. Default: yes. */
  authorize?: (accessKeyId: string, request: WireRequest) => boolean;
  /** Longest long poll actually held, seconds (0..30); a larger `waitseconds` is cut to it. Default 30. */
  maxWaitSeconds?: number;
  /** Largest accepted difference between the request's Date and the server's clock, ms. Default 15 min. */
  maxClockSkewMs?: number;
  /** The wall clock for Date checks, ms since the epoch. Default `Date.now` (not the broker clock, which tests may fake). */
  now?: () => number;
  /** Account id shown as `TopicOwner` and accepted in subscription endpoints. Default `'1000000000000000'`. */
  accountId?: string;
  /**
   * Path prefix the handler is mounted under (e.g. `'/mns'` with `app.use('/mns', handler.node)`). ali-mns signs the
   * full path while the other SDKs sign the path after the endpoint, so a signature is checked over both. Default ''.
   */
  mountPath?: string;
  /** Largest request body, bytes. Default 1 MiB (a 16-message batch is at most 64 KB of bodies, escaped). */
  maxBodyBytes?: number;
  /** Longest request-target, characters. Default 4096. */
  maxTargetLength?: number;
  /** Queues the account may have (400 QueueNumExceededLimit beyond). Default 1000, the service's per-region quota. */
  maxQueues?: number;
  /** Topics the account may have (400 TopicNumExceededLimit beyond). Default 1000, the service's quota. */
  maxTopics?: number;
  /** Subscriptions per topic (400 SubscriptionNumExceededLimit beyond). Default 100, the service's limit. */
  maxSubscriptionsPerTopic?: number;
  /**
   * A server-wide object budget shared with other dialects (`createObjectBudget` in `@sluice/http`): each queue,
   * topic and subscription takes a place. Default: none.
   */
  objects?: ObjectBudget;
  /** Pushing published messages to HTTP(S) subscription endpoints: signing key, limits, policy. */
  push?: MnsPushOptions;
}

/** Options with every field set. */
export interface ResolvedMnsOptions {
  readonly lookup: MnsCredentialLookup | undefined;
  readonly authorize: ((accessKeyId: string, request: WireRequest) => boolean) | undefined;
  readonly maxWaitSeconds: number;
  readonly maxClockSkewMs: number;
  readonly now: () => number;
  readonly accountId: string;
  readonly mountPath: string;
  readonly maxBodyBytes: number;
  readonly maxTargetLength: number;
  readonly maxQueues: number;
  readonly maxTopics: number;
  readonly maxSubscriptionsPerTopic: number;
  readonly objects: ObjectBudget | undefined;
  readonly push: ResolvedPushOptions;
}

function integerIn(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new TypeError(`${name} must be an integer in ${min}..${max}`);
  }
  return value;
}

/** Validates {@link MnsHandlerOptions}; throws a `TypeError` naming the bad option. */
export function resolveMnsOptions(options: MnsHandlerOptions = {}): ResolvedMnsOptions {
  const { credentials } = options;
  let lookup: MnsCredentialLookup | undefined;
  if (typeof credentials === 'function') lookup = credentials;
  else if (credentials !== undefined) {
    if (!Array.isArray(credentials)) throw new TypeError('credentials must be an array or a function');
    const secrets = new Map<string, string>();
    for (const c of credentials as readonly MnsCredential[]) {
      if (
        typeof c?.accessKeyId !== 'string' ||
        typeof c.accessKeySecret !== 'string' ||
        c.accessKeyId === ''
      ) {
        throw new TypeError('credentials entries must have string accessKeyId and accessKeySecret');
      }
      secrets.set(c.accessKeyId, c.accessKeySecret);
    }
    lookup = (id) => secrets.get(id);
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new TypeError('authorize must be a function');
  }
  const mountPath = options.mountPath ?? '';
  if (
    typeof mountPath !== 'string' ||
    (mountPath !== '' && (!mountPath.startsWith('/') || mountPath.endsWith('/')))
  ) {
    throw new TypeError("mountPath must be '' or start with '/' and not end with '/'");
  }
  return {
    lookup,
    authorize: options.authorize,
    maxWaitSeconds: integerIn('maxWaitSeconds', options.maxWaitSeconds, 30, 0, 30),
    maxClockSkewMs: integerIn('maxClockSkewMs', options.maxClockSkewMs, 15 * 60_000, 0, 2 ** 31),
    now: options.now ?? Date.now,
    accountId: options.accountId ?? '1000000000000000',
    mountPath,
    maxBodyBytes: integerIn('maxBodyBytes', options.maxBodyBytes, 1024 * 1024, 1024, 2 ** 30),
    maxTargetLength: integerIn('maxTargetLength', options.maxTargetLength, 4096, 64, 2 ** 20),
    maxQueues: integerIn('maxQueues', options.maxQueues, 1000, 0, 2 ** 31 - 1),
    maxTopics: integerIn('maxTopics', options.maxTopics, 1000, 0, 2 ** 31 - 1),
    maxSubscriptionsPerTopic: integerIn(
      'maxSubscriptionsPerTopic',
      options.maxSubscriptionsPerTopic,
      100,
      0,
      2 ** 31 - 1,
    ),
    objects: options.objects,
    push: resolvePushOptions(options.push),
  };
}
