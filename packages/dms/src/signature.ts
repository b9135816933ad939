/**
 * @module signature — Huawei API Gateway `SDK-HMAC-SHA256` request signatures (what `@huaweicloud/huaweicloud-sdk-core` sends).
 *
 * HOW and WHY. The signer hashes a canonical form of the request, and every detail of that form is a trap a
 * verifier can fall into, so each one is spelled out here:
 * - the path is split on `/`, each segment percent-decoded and re-encoded keeping only `A-Za-z0-9-_.~`, and a
 *   trailing `/` is appended when missing (`/v1.0/p/queues` signs as `/v1.0/p/queues/`);
 * - the query is decoded and re-encoded the same way, sorted by key then value, `k=` for an empty value;
 * - only the headers named in `SignedHeaders` count, each `name:trimmed-value\n` (`host` keeps its port); the SDK sets
 *   `Content-Type` on a GET after signing, so it is not in the list there;
 * - the payload hash is SHA-256 of the raw body bytes, or the literal `UNSIGNED-PAYLOAD` when the request says so;
 * - the key is the SK itself: no date/region key derivation as in AWS SigV4.
 * We verify over the raw request-target as received, never over a re-serialized URL.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The algorithm name in `Authorization` and the string to sign. */
export const SDK_SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

/** Hex SHA-256 of an empty payload. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** How far `X-Sdk-Date` may be from the server's time, ms (15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The parts of an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header. */
export interface SdkAuthorization {
  /** The access key id (AK). */
  readonly accessKeyId: string;
  /** Lower-case header names, in the order given. */
  readonly signedHeaders: readonly string[];
  /** Lower-case hex signature. */
  readonly signature: string;
}

/** The request as the verifier needs it: raw target, lower-case headers, body bytes. */
export interface SignableRequest {
  readonly method: string;
  /** Raw request-target (`req.url`): path plus optional `?query`, not decoded. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/** Percent-encodes UTF-8 text keeping only `A-Za-z0-9-_.~`, with upper-case hex (the SDK's `urlEncode`). */
export function signerEncode(text: string): string {
  if (UNRESERVED.test(text)) return text;
  // encodeURIComponent leaves `!'()*` alone; the signer escapes them.
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Percent-decodes; `undefined` for a malformed escape or invalid UTF-8. */
function decode(text: string, plusIsSpace: boolean): string | undefined {
  const spaced = plusIsSpace ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/** The canonical URI of a raw path; `undefined` when a segment has a malformed escape. */
export function canonicalUri(rawPath: string): string | undefined {
  const segments = rawPath.split('/');
  for (let i = 0; i < segments.length; i++) {
    const decoded = decode(segments[i] ?? '', false);
    if (decoded === undefined) return undefined;
    segments[i] = signerEncode(decoded);
  }
  const uri = segments.join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The canonical query string of a raw query (without `?`); `undefined` when an escape is malformed. */
export function canonicalQueryString(rawQuery: string): string | undefined {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq), true);
    const value = decode(eq < 0 ? '' : part.slice(eq + 1), true);
    if (key === undefined || value === undefined) return undefined;
    pairs.push([key, value]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${signerEncode(k)}=${signerEncode(v)}`).join('&');
}

const AUTH_RE =
  /^SDK-HMAC-SHA256\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]{64})\s*$/;

/** Parses an `Authorization` header of the `SDK-HMAC-SHA256` scheme; `undefined` when it is not one. */
export function parseSdkAuthorization(header: string | undefined): SdkAuthorization | undefined {
  if (header === undefined) return undefined;
  const m = AUTH_RE.exec(header.trim());
  if (m === null) return undefined;
  return {
    accessKeyId: m[1] ?? '',
    signedHeaders: (m[2] ?? '').toLowerCase().split(';'),
    signature: (m[3] ?? '').toLowerCase(),
  };
}

/** Parses `X-Sdk-Date` (`YYYYMMDD'T'HHMMSS'Z'`, UTC) to epoch ms; `undefined` when malformed. */
export function parseSdkDate(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  // Date.UTC rolls over (Feb 30 -> Mar 2); a real timestamp round-trips.
  if (check.getUTCDate() !== d || check.getUTCHours() !== h || check.getUTCMinutes() !== mi) return undefined;
  return ms;
}

/** Hex SHA-256 of text or bytes. */
function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The canonical request for `signedHeaders`; `undefined` when the target is malformed or a signed header is absent.
 * Exported for tests and for clients that want to sign by hand.
 */
export function canonicalRequest(
  request: SignableRequest,
  signedHeaders: readonly string[],
): string | undefined {
  const q = request.target.indexOf('?');
  const uri = canonicalUri(q < 0 ? request.target : request.target.slice(0, q));
  const query = canonicalQueryString(q < 0 ? '' : request.target.slice(q + 1));
  if (uri === undefined || query === undefined) return undefined;
  let headers = '';
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return undefined;
    headers += `${name}:${value.trim()}\n`;
  }
  const payloadHash =
    request.headers['x-sdk-content-sha256'] === 'UNSIGNED-PAYLOAD'
      ? 'UNSIGNED-PAYLOAD'
      : request.body.length === 0
        ? EMPTY_BODY_SHA256
        : sha256Hex(request.body);
  return `${request.method}\n${uri}\n${query}\n${headers}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

/** Hex HMAC-SHA256 of the string to sign for `canonical` at `sdkDate`, keyed with the SK itself. */
export function computeSignature(secret: string, sdkDate: string, canonical: string): string {
  const stringToSign = `${SDK_SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/** Why a signature was refused (for logs and tests; the wire answer is always `APIGW.0301`). */
export const SignatureFailure = {
  Malformed: 'Malformed',
  MissingSignedHeader: 'MissingSignedHeader',
  BadDate: 'BadDate',
  ClockSkew: 'ClockSkew',
  UnknownAccessKey: 'UnknownAccessKey',
  Mismatch: 'Mismatch',
} as const;

/** One of the {@link SignatureFailure} values. */
export type SignatureFailure = (typeof SignatureFailure)[keyof typeof SignatureFailure];

/**
 * Checks the request's signature with the secret of its AK. Returns `undefined` when it is valid, else why not.
 * @example
 * const why = verifySdkSignature(req, parseSdkAuthorization(req.headers.authorization)!, 'SECRETSK', Date.now());
 */
export function verifySdkSignature(
  request: SignableRequest,
  auth: SdkAuthorization,
  secret: string,
  nowMs: number,
): SignatureFailure | undefined {
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-sdk-date')) {
    return SignatureFailure.MissingSignedHeader;
  }
  const sdkDate = request.headers['x-sdk-date']?.trim();
  const dateMs = parseSdkDate(sdkDate);
  if (sdkDate === undefined || dateMs === undefined) return SignatureFailure.BadDate;
  if (Math.abs(nowMs - dateMs) > MAX_CLOCK_SKEW_MS) return SignatureFailure.ClockSkew;
  const canonical = canonicalRequest(request, auth.signedHeaders);
  if (canonical === undefined) return SignatureFailure.Malformed;
  const expected = Buffer.from(computeSignature(secret, sdkDate, canonical), 'latin1');
  const given = Buffer.from(auth.signature, 'latin1');
  return expected.length === given.length && timingSafeEqual(expected, given)
    ? undefined
    : SignatureFailure.Mismatch;
}
