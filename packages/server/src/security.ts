/**
 * @module security — who may call what: which dialects are served, how each authenticates, the rule that a server
 * reachable from the network authenticates every dialect it serves, and the admin token that guards `/metrics`.
 *
 * The rules:
 * - MNS and RocketMQ check signatures only when access keys are configured; DMS checks access-key signatures or
 *   static `X-Auth-Token` tokens. Off loopback, every served dialect must authenticate, else the server refuses to
 *   start (unless `insecure`): a `--token` alone covers DMS, not the Alibaba dialects.
 * - `/metrics` names every queue, topic and project, so it takes `Authorization: Bearer <adminToken>` as soon as the
 *   server is reachable from the network or any credential is configured; without an admin token it is then refused.
 *   On loopback with no credential at all (local development) it stays open, and `insecure` opens it off loopback.
 */
import { timingSafeEqualString, type WireRequest, type WireResponse } from '@sluice/http';

/** The wire dialects a server can serve. */
export const DIALECTS = ['mns', 'rocketmq', 'dms'] as const;
/** One of {@link DIALECTS}. */
export type DialectName = (typeof DIALECTS)[number];

/** How a served dialect authenticates its requests. */
export type DialectAuth =
  /** Not served: its requests get no answer of its own. */
  | 'not-served'
  /** MNS, RocketMQ (and DMS AK/SK): signatures checked against the access keys. */
  | 'signatures'
  /** DMS with only static tokens. */
  | 'tokens'
  /** DMS with both. */
  | 'tokens+signatures'
  /** Nothing checked: any request is accepted. */
  | 'none';

/** What {@link dialectAuth} and {@link metricsAccess} read. */
export interface SecuritySettings {
  readonly dialects: readonly DialectName[];
  readonly accessKeys: readonly unknown[];
  readonly tokens: readonly unknown[];
  readonly adminToken: string | undefined;
  readonly insecure: boolean;
}

const NAMES: Record<DialectName, string> = { mns: 'MNS', rocketmq: 'RocketMQ', dms: 'DMS' };

/** The display name of a dialect (`MNS`, `RocketMQ`, `DMS`). */
export const dialectTitle = (dialect: DialectName): string => NAMES[dialect];

/** How `dialect` authenticates with these settings. */
export function dialectAuth(settings: SecuritySettings, dialect: DialectName): DialectAuth {
  if (!settings.dialects.includes(dialect)) return 'not-served';
  const keys = settings.accessKeys.length > 0;
  if (dialect !== 'dms') return keys ? 'signatures' : 'none';
  const tokens = settings.tokens.length > 0;
  return keys && tokens ? 'tokens+signatures' : keys ? 'signatures' : tokens ? 'tokens' : 'none';
}

/** Parses a list of dialects (`mns,rocketmq,dms`, any order, no repeats); throws a `TypeError` naming the problem. */
export function parseDialects(value: unknown, name = 'dialects'): DialectName[] {
  const list = typeof value === 'string' ? value.split(',').map((d) => d.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`${name} must list one or more of ${DIALECTS.join(', ')}`);
  }
  const out: DialectName[] = [];
  for (const d of list) {
    if (!(DIALECTS as readonly unknown[]).includes(d)) {
      throw new TypeError(`${name}: unknown dialect "${String(d)}" (one or more of ${DIALECTS.join(', ')})`);
    }
    if (out.includes(d as DialectName)) throw new TypeError(`${name}: "${d}" is listed twice`);
    out.push(d as DialectName);
  }
  return out;
}

const listed = (names: readonly string[]) =>
  names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/**
 * Throws a `TypeError` when a server on a non-loopback `host` would serve a dialect that authenticates nothing,
 * naming those dialects and the ways out (unless `insecure`).
 */
export function checkExposure(host: string, loopback: boolean, settings: SecuritySettings): void {
  if (loopback || settings.insecure) return;
  const open = settings.dialects.filter((d) => dialectAuth(settings, d) === 'none');
  if (open.length === 0) return;
  const names = open.map(dialectTitle);
  const tokenNote =
    settings.tokens.length > 0
      ? ' (--token covers DMS only; MNS and RocketMQ check signatures of access keys)'
      : '';
  const served = settings.dialects.filter((d) => !open.includes(d));
  const narrow =
    served.length > 0 ? `, serve only ${served.join(',')} with --dialects ${served.join(',')}` : '';
  throw new TypeError(
    `refusing to listen on non-loopback host ${host} without access keys: ${listed(names)} would accept ` +
      `unauthenticated requests from the network${tokenNote}; add --access-key ID:SECRET${narrow}, or --insecure ` +
      'to accept them anyway',
  );
}

/** Who may read `/metrics`. */
export type MetricsAccess =
  /** Anyone (loopback with no credential, or `insecure`). */
  | 'open'
  /** Requests with `Authorization: Bearer <adminToken>`. */
  | 'admin-token'
  /** Nobody: it would need an admin token and none is configured. */
  | 'refused';

/** Who may read `/metrics` with these settings on a host that is (or is not) loopback. */
export function metricsAccess(loopback: boolean, settings: SecuritySettings): MetricsAccess {
  if (settings.adminToken !== undefined) return 'admin-token';
  const credentials = settings.accessKeys.length > 0 || settings.tokens.length > 0;
  if ((loopback && !credentials) || settings.insecure) return 'open';
  return 'refused';
}

const refusal = (status: 401 | 403, error: string, message: string): WireResponse => ({
  status,
  headers: {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...(status === 401 ? { 'www-authenticate': 'Bearer realm="sluice"' } : {}),
  },
  body: JSON.stringify({ error, message }),
});

/**
 * The guard of an admin endpoint: `undefined` when `request` may proceed, else the refusal to send (401 with
 * `WWW-Authenticate: Bearer` for a missing or wrong token, 403 when no admin token is configured at all).
 */
export function adminGuard(
  access: MetricsAccess,
  adminToken: string | undefined,
): (request: Pick<WireRequest, 'headers'>) => WireResponse | undefined {
  if (access === 'open') return () => undefined;
  if (access === 'refused' || adminToken === undefined) {
    const refused = refusal(
      403,
      'forbidden',
      'this endpoint needs an admin token: start the server with --admin-token',
    );
    return () => refused;
  }
  return (request) => {
    // The scheme name is case-insensitive (RFC 9110); the token is compared in constant time.
    const bearer = /^bearer +(\S+) *$/i.exec(request.headers['authorization'] ?? '');
    if (bearer === null) return refusal(401, 'unauthorized', 'send Authorization: Bearer <admin token>');
    return timingSafeEqualString(bearer[1]!, adminToken)
      ? undefined
      : refusal(401, 'unauthorized', 'the admin token does not match');
  };
}
