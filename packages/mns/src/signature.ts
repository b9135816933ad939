/**
 * @module signature — MNS request authentication: `Authorization: MNS <AccessKeyId>:<Signature>`.
 *
 * StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedMNSHeaders CanonicalizedResource, with
 * every value exactly as received (a GET from `@alicloud/mns` has no MD5 or type; Go sends both everywhere), the
 * `x-mns-*` headers sorted by name as `name:value\n`, and the raw request-target as the resource. Signature =
 * base64(HMAC-SHA1(secret, StringToSign)). Checks run in the service's order so each failure gets its own code.
 */
import {
  canonicalizedHeaders,
  hmacSha1Base64,
  md5Base64,
  md5Hex,
  timingSafeEqualString,
  type WireRequest,
} from '@sluice/http';
import { MNS_VERSION } from './constants.js';
import { MnsFault } from './fault.js';
import type { ResolvedMnsOptions } from './options.js';

/** 400 MissingVersionHeader / InvalidVersionHeader, checked on every request (signed or not). */
export function checkVersion(request: WireRequest): void {
  const version = request.headers['x-mns-version'];
  if (version === undefined) {
    throw new MnsFault(400, 'MissingVersionHeader', 'The x-mns-version header is missing.');
  }
  if (version !== MNS_VERSION) {
    throw new MnsFault(400, 'InvalidVersionHeader', `The x-mns-version header must be ${MNS_VERSION}.`);
  }
}

/** The `x-mns-*` headers, sorted by name, each as `name:value\n`. */
export function canonicalizedMnsHeaders(headers: Readonly<Record<string, string>>): string {
  return canonicalizedHeaders(headers, 'x-mns-');
}

/** The string an MNS client signs for this request, with `resource` as the canonicalized resource. */
export function stringToSign(request: WireRequest, date: string, resource: string): string {
  const h = request.headers;
  return `${request.method}\n${h['content-md5'] ?? ''}\n${h['content-type'] ?? ''}\n${date}\n${canonicalizedMnsHeaders(h)}${resource}`;
}

function checkContentMd5(request: WireRequest): void {
  const declared = request.headers['content-md5'];
  if (declared === undefined || declared === '') return;
  // Two forms in the wild: base64(md5) (ali-mns) and base64(hex(md5)) (@alicloud/mns, Python, Go).
  if (declared === md5Base64(request.body)) return;
  if (declared === Buffer.from(md5Hex(request.body), 'utf8').toString('base64')) return;
  throw new MnsFault(400, 'InvalidDegist', 'The Content-MD5 you specified is not valid.');
}

function verifySignature(
  request: WireRequest,
  options: ResolvedMnsOptions,
  accessKeyId: string,
  signature: string,
  date: string,
  secret: string | undefined,
): void {
  if (secret === undefined) {
    throw new MnsFault(403, 'InvalidAccessKeyId', 'The access Id you provided is not exist.');
  }
  let ok = timingSafeEqualString(
    hmacSha1Base64(secret, stringToSign(request, date, request.target)),
    signature,
  );
  if (!ok && options.mountPath !== '') {
    // ali-mns signs the full URL path, including the prefix this handler is mounted under.
    const full = options.mountPath + request.target;
    ok = timingSafeEqualString(hmacSha1Base64(secret, stringToSign(request, date, full)), signature);
  }
  if (!ok) {
    throw new MnsFault(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  if (options.authorize !== undefined && !options.authorize(accessKeyId, request)) {
    throw new MnsFault(403, 'AccessDenied', 'The access key is not allowed to perform this operation.');
  }
  checkContentMd5(request);
}

/**
 * Authenticates a request when credentials are configured (throws {@link MnsFault}); returns a promise only when the
 * credential lookup is asynchronous.
 */
export function authenticate(request: WireRequest, options: ResolvedMnsOptions): void | Promise<void> {
  const { lookup } = options;
  if (lookup === undefined) return;
  const authorization = request.headers['authorization'];
  if (authorization === undefined || authorization === '') {
    throw new MnsFault(400, 'MissingAuthorizationHeader', 'The Authorization header is missing.');
  }
  const colon = authorization.indexOf(':');
  if (!authorization.startsWith('MNS ') || colon < 5 || colon === authorization.length - 1) {
    throw new MnsFault(400, 'InvalidAuthorizationHeader', 'The Authorization header is not valid.');
  }
  const accessKeyId = authorization.slice(4, colon);
  const signature = authorization.slice(colon + 1);
  // Browsers cannot set Date: the docs allow x-mns-date in its place, so it is read when Date is
  // absent (a choice the docs leave open).
  const date = request.headers['date'] ?? request.headers['x-mns-date'];
  if (date === undefined) throw new MnsFault(400, 'MissingDateHeader', 'The Date header is missing.');
  const time = Date.parse(date);
  if (Number.isNaN(time)) throw new MnsFault(400, 'InvalidDateHeader', 'The Date header is not valid.');
  if (Math.abs(options.now() - time) > options.maxClockSkewMs) {
    throw new MnsFault(408, 'TimeExpired', 'The http request you sent is expired.');
  }
  const secret = lookup(accessKeyId);
  if (secret instanceof Promise) {
    return secret.then((s) => verifySignature(request, options, accessKeyId, signature, date, s));
  }
  verifySignature(request, options, accessKeyId, signature, date, secret);
}
