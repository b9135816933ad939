/** @module push/options — options of pushing to HTTP(S) endpoints, validated once. */
import type { PushSigningKey } from './certificate.js';

/** What happened to one push attempt (see {@link MnsPushOptions.onResult}). */
export interface PushResult {
  /** The MNS topic and subscription names. */
  readonly topic: string;
  readonly subscription: string;
  readonly messageId: string;
  /** 1 for the first push of the message to this subscription, then one more per retry. */
  readonly attempt: number;
  /** `delivered`: 2xx, acked. `retry`: failed, tried again at `nextAttemptAt`. `dropped`: failed, no retry left. */
  readonly outcome: 'delivered' | 'retry' | 'dropped';
  /** The endpoint's HTTP status, when it answered. */
  readonly status?: number;
  /** Why the attempt failed without a status (timeout, connection refused, ...). */
  readonly error?: string;
  /** When the next attempt is due, broker clock ms (outcome `retry`). */
  readonly nextAttemptAt?: number;
}

/** Options of pushing published messages to HTTP(S) subscription endpoints (`createMnsHandler({ push })`). */
export interface MnsPushOptions {
  /**
   * The key pushes are signed with and its certificate. Default: a new RSA 2048 key made on first use and kept in
   * memory (endpoints that cached the certificate must fetch it again after a restart). `sluice serve` keeps one in
   * its data directory.
   */
  signingKey?: PushSigningKey;
  /**
   * Base URL the certificate is advertised under in `x-mns-signing-cert-url` (e.g. `https://mq.example.com`): the
   * certificate is at `<certBaseUrl>/sluice/mns-cert/<id>.pem`. Default: `http://` + the Host of the Subscribe
   * request + `mountPath`, kept with the subscription.
   */
  certBaseUrl?: string;
  /** Longest wait for an endpoint's response headers, ms (1..60 000); then the attempt failed. Default 5 000, the service's. */
  timeoutMs?: number;
  /** Most pushes in flight at once, across all subscriptions (1..1024). Default 16. */
  concurrency?: number;
  /** Longest HTTP(S) endpoint URL accepted at Subscribe, characters (16..8192). Default 1024. */
  maxEndpointLength?: number;
  /**
   * The operator's policy on endpoints, asked at Subscribe: `false` refuses with 400 InvalidEndpoint. Default: any
   * http(s) URL, loopback and private addresses included — restrict it where subscribers are not trusted.
   */
  allowEndpoint?: (url: URL) => boolean;
  /** Extra certificate authorities (PEM) trusted for `https://` endpoints, beside Node's. Default: none. */
  ca?: string | readonly string[];
  /** Told the outcome of every attempt, after the broker recorded it (for logs and tests). */
  onResult?: (result: PushResult) => void;
}

/** Push options with every field set. */
export interface ResolvedPushOptions {
  readonly signingKey: PushSigningKey | undefined;
  readonly certBaseUrl: string | undefined;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly maxEndpointLength: number;
  readonly allowEndpoint: ((url: URL) => boolean) | undefined;
  readonly ca: readonly string[] | undefined;
  readonly onResult: ((result: PushResult) => void) | undefined;
}

function integerIn(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new TypeError(`push.${name} must be an integer in ${min}..${max}`);
  }
  return value;
}

function fn<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new TypeError(`push.${name} must be a function`);
  return value;
}

/** Validates {@link MnsPushOptions}; throws a `TypeError` naming the bad option. */
export function resolvePushOptions(options: MnsPushOptions = {}): ResolvedPushOptions {
  let certBaseUrl = options.certBaseUrl;
  if (certBaseUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(certBaseUrl);
    } catch {}
    if (
      url === undefined ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.search ||
      url.hash
    ) {
      throw new TypeError('push.certBaseUrl must be an http(s) URL without query or fragment');
    }
    certBaseUrl = certBaseUrl.replace(/\/+$/, '');
  }
  const key = options.signingKey;
  if (
    key !== undefined &&
    (typeof key?.privateKeyPem !== 'string' || typeof key.certificatePem !== 'string')
  ) {
    throw new TypeError('push.signingKey must have privateKeyPem and certificatePem strings');
  }
  const ca = options.ca;
  if (
    ca !== undefined &&
    typeof ca !== 'string' &&
    !(Array.isArray(ca) && ca.every((c) => typeof c === 'string'))
  ) {
    throw new TypeError('push.ca must be a PEM string or an array of them');
  }
  return {
    signingKey: key,
    certBaseUrl,
    timeoutMs: integerIn('timeoutMs', options.timeoutMs, 5_000, 1, 60_000),
    concurrency: integerIn('concurrency', options.concurrency, 16, 1, 1024),
    maxEndpointLength: integerIn('maxEndpointLength', options.maxEndpointLength, 1024, 16, 8192),
    allowEndpoint: fn('allowEndpoint', options.allowEndpoint),
    ca: ca === undefined ? undefined : typeof ca === 'string' ? [ca] : [...(ca as readonly string[])],
    onResult: fn('onResult', options.onResult),
  };
}
