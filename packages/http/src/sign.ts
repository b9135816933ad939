/** @module sign — the hash and MAC primitives the dialects' signature schemes are built from. */
import * as crypto from 'node:crypto';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-shot hashing (`crypto.hash`, Node >= 20.12) skips the Hash object: about 3x faster for the small bodies
 * hashed per message. Resolved once, falling back to createHash where it is missing.
 */
const oneShot = (
  crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }
).hash;
const hashHex: (algorithm: string, data: string | Uint8Array) => string =
  oneShot === undefined
    ? (algorithm, data) => createHash(algorithm).update(data).digest('hex')
    : (algorithm, data) => oneShot(algorithm, data, 'hex');

/** `base64(HMAC-SHA1(secret, text))`: the MNS and RocketMQ HTTP signature. */
export function hmacSha1Base64(secret: string | Uint8Array, text: string): string {
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}

/** `hex(HMAC-SHA256(key, text))`: the Huawei SDK-HMAC-SHA256 signature. */
export function hmacSha256Hex(key: string | Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** `hex(SHA-256(data))`, lower case: the Huawei canonical request's payload hash. */
export function sha256Hex(data: string | Uint8Array): string {
  return hashHex('sha256', data);
}

/** `hex(MD5(data))`, lower case (upper-case it for MNS `MessageBodyMD5`). */
export function md5Hex(data: string | Uint8Array): string {
  return hashHex('md5', data);
}

/** `base64(MD5(data))`: the standard `Content-MD5` form. */
export function md5Base64(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

/**
 * Compares two strings in time that depends only on their lengths, so a signature check does not leak how many
 * leading characters matched. Different lengths answer `false` at once (lengths of signatures are public).
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The headers whose names start with `prefix` (lower case), sorted by name, each as `name:value\n`: the
 * canonicalized headers of the Alibaba Cloud HMAC-SHA1 scheme (`x-mns-` for MNS, `x-mq-` for RocketMQ).
 */
export function canonicalizedHeaders(headers: Readonly<Record<string, string>>, prefix: string): string {
  const names: string[] = [];
  for (const name in headers) if (name.startsWith(prefix)) names.push(name);
  names.sort();
  let out = '';
  for (const name of names) out += `${name}:${headers[name]}\n`;
  return out;
}
