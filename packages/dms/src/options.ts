/** @module options — what `createDmsHandler` accepts, validated once. */

import type { ObjectBudget } from '@sluice/http';
import { DEFAULT_MAX_JSON_DEPTH } from './json.js';

/** One AK/SK pair. */
export interface DmsCredential {
  /** The access key id (AK), as sent in `Authorization: SDK-HMAC-SHA256 Access=<AK>`. */
  readonly accessKeyId: string;
  /** The secret (SK) the signature is keyed with. */
  readonly accessKeySecret: string;
  /** When set, the key only works for this project id. */
  readonly projectId?: string;
}

/** Looks up the secret of an AK; `undefined` for an unknown AK. May be async (a vault, a database). */
export type DmsCredentialLookup = (
  accessKeyId: string,
) => DmsCredential | string | undefined | Promise<DmsCredential | string | undefined>;

/** A static `X-Auth-Token`. */
export interface DmsToken {
  /** The token text, compared exactly. */
  readonly token: string;
  /** When set, the token only works for this project id (else 401 `10240104`). */
  readonly projectId?: string;
  /** Wall-clock ms epoch after which the token is refused with 401 `10240102`. Default: never. */
  readonly expiresAt?: number;
  /** Only GET requests are allowed with it; anything else is 403 `10240309`. Default false. */
  readonly readOnly?: boolean;
}

/** Options of {@link createDmsHandler}. */
export interface DmsOptions {
  /**
   * AK/SK pairs accepted for `SDK-HMAC-SHA256` signatures, or a lookup function. With neither `credentials` nor
   * `tokens` configured, requests are not authenticated at all.
   */
  readonly credentials?: readonly DmsCredential[] | DmsCredentialLookup;
  /** Static tokens accepted in `X-Auth-Token` (strings, or objects bound to a project). */
  readonly tokens?: readonly (string | DmsToken)[];
  /** Queues per project (the "queue" quota). Default 30; 1..500. */
  readonly maxQueuesPerProject?: number;
  /** Consumer groups per queue. Default 3; 1..100. */
  readonly maxGroupsPerQueue?: number;
  /**
   * Projects that may hold queues (a project counts while it has one); a queue in one more gets 400 `10240020`.
   * Project ids are free, so this keeps them from multiplying the queue quota. Default 100.
   */
  readonly maxProjects?: number;
  /**
   * A server-wide object budget shared with other dialects (`createObjectBudget` in `@sluice/http`): each queue and
   * each consumer group takes a place. Default: none.
   */
  readonly objects?: ObjectBudget;
  /** Largest request body read, bytes. Default 4 MiB (a 512 KB batch can grow with JSON escapes). */
  readonly maxBodyBytes?: number;
  /** Deepest nesting of arrays/objects in a request body; deeper is refused with 400 `RequestFormat`. Default 128. */
  readonly maxJsonDepth?: number;
  /**
   * Where a new consumer group starts: `'earliest'` (default) gets every message the queue retains (within its
   * retention, whatever other groups consumed), so a fresh group shows available = produced; `'latest'` only
   * messages produced after the group was created.
   */
  readonly groupStart?: 'earliest' | 'latest';
  /** Wall clock for `X-Sdk-Date` and token expiry checks, epoch ms. Default `Date.now`. (Not the broker clock.) */
  readonly now?: () => number;
}

/** Options with every default filled in. */
export interface ResolvedDmsOptions {
  readonly credentials: DmsCredentialLookup | undefined;
  readonly tokens: ReadonlyMap<string, DmsToken> | undefined;
  readonly maxQueuesPerProject: number;
  readonly maxGroupsPerQueue: number;
  readonly maxProjects: number;
  readonly objects: ObjectBudget | undefined;
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly groupStart: 'earliest' | 'latest';
  readonly now: () => number;
}

function positiveInt(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(`${name} must be an integer from 1 to ${max}`);
  }
  return value;
}

/** Validates and fills in {@link DmsOptions}; throws a `TypeError` naming the bad option. */
export function resolveOptions(options: DmsOptions = {}): ResolvedDmsOptions {
  let credentials: DmsCredentialLookup | undefined;
  if (typeof options.credentials === 'function') {
    credentials = options.credentials;
  } else if (options.credentials !== undefined) {
    if (!Array.isArray(options.credentials))
      throw new TypeError('credentials must be an array or a function');
    const byId = new Map<string, DmsCredential>();
    for (const c of options.credentials as readonly DmsCredential[]) {
      if (
        typeof c?.accessKeyId !== 'string' ||
        c.accessKeyId === '' ||
        typeof c.accessKeySecret !== 'string'
      ) {
        throw new TypeError('credentials entries need a non-empty accessKeyId and an accessKeySecret string');
      }
      byId.set(c.accessKeyId, c);
    }
    credentials = (ak) => byId.get(ak);
  }
  let tokens: Map<string, DmsToken> | undefined;
  if (options.tokens !== undefined) {
    if (!Array.isArray(options.tokens)) throw new TypeError('tokens must be an array');
    tokens = new Map();
    for (const t of options.tokens as readonly (string | DmsToken)[]) {
      const token = typeof t === 'string' ? { token: t } : t;
      if (typeof token?.token !== 'string' || token.token === '')
        throw new TypeError('tokens entries must be non-empty');
      tokens.set(token.token, token);
    }
  }
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new TypeError('now must be a function');
  const groupStart = options.groupStart ?? 'earliest';
  if (groupStart !== 'earliest' && groupStart !== 'latest') {
    throw new TypeError("groupStart must be 'earliest' or 'latest'");
  }
  return {
    credentials,
    tokens,
    maxQueuesPerProject: positiveInt('maxQueuesPerProject', options.maxQueuesPerProject, 30, 500),
    maxGroupsPerQueue: positiveInt('maxGroupsPerQueue', options.maxGroupsPerQueue, 3, 100),
    maxProjects: positiveInt('maxProjects', options.maxProjects, 100, 2 ** 31 - 1),
    objects: options.objects,
    maxBodyBytes: positiveInt('maxBodyBytes', options.maxBodyBytes, 4 * 1024 * 1024, 2 ** 31 - 1),
    maxJsonDepth: positiveInt('maxJsonDepth', options.maxJsonDepth, DEFAULT_MAX_JSON_DEPTH, 4096),
    groupStart,
    now: options.now ?? Date.now,
  };
}
