/**
 * @module push/certificate — a self-signed X.509 certificate for the push signing key, written in DER by hand.
 *
 * HOW and WHY: an HTTP endpoint verifies a push by downloading the certificate its `x-mns-signing-cert-url` names
 * and checking an RSA-SHA1 signature with the certificate's public key. Node can make RSA keys but not
 * certificates, and the certificate needs only a handful of DER elements (version, serial, algorithm, a name, a
 * validity, the key), so this file encodes them itself rather than adding a dependency for it. The result is a
 * plain v3 certificate: the verifiers of the service's samples read its `subjectPublicKeyInfo` as the seventh
 * element of the to-be-signed part, which needs the explicit version field present.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** A push signing key: the PKCS#8 private key and its self-signed certificate, both PEM. */
export interface PushSigningKey {
  /** The RSA private key, PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** Its self-signed X.509 certificate, PEM (one `CERTIFICATE` block). */
  readonly certificatePem: string;
}

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
/** 20 years: a durable server keeps its key, and endpoints that pinned the certificate keep verifying. */
const VALIDITY_MS = 20 * 365 * 86_400_000;

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));

/** A non-negative INTEGER from big-endian bytes (a leading 0 keeps the sign bit clear). */
function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString(); // 2026-12-03T21:01:47.000Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, ''); // 20261203210147
  const year = Number(iso.slice(0, 4));
  return year < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'latin1'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'latin1'));
}

function name(commonName: string): Buffer {
  return sequence(tlv(0x31, sequence(oid(COMMON_NAME), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

/** PEM armour: base64 in lines of 64. */
export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64');
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/**
 * A self-signed certificate (SHA-256 with RSA) for `privateKeyPem`, valid from a day before `now` for 20 years.
 */
export function selfSignedCertificate(privateKeyPem: string, now: number, commonName: string): string {
  const privateKey = createPrivateKey(privateKeyPem);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and non-zero, as RFC 5280 asks
  const algorithm = sequence(oid(SHA256_WITH_RSA), Buffer.from([0x05, 0x00]));
  const notBefore = now - 86_400_000;
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] EXPLICIT version v3
    integer(serial),
    algorithm,
    name(commonName),
    sequence(time(notBefore), time(notBefore + VALIDITY_MS)),
    name(commonName),
    spki,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return toPem('CERTIFICATE', der);
}

/**
 * Makes a new push signing key: RSA 2048 and its self-signed certificate. Takes tens of milliseconds (key
 * generation), so callers make it once and keep it.
 */
export function createPushSigningKey(now = Date.now()): PushSigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return {
    privateKeyPem,
    certificatePem: selfSignedCertificate(privateKeyPem, now, 'Sluice MNS push signing'),
  };
}
