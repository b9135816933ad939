/**
 * @module push/certificate — a self-signed X.509 certificate for the push signing key.
 *
 * An HTTP endpoint verifies a push by downloading the certificate its `x-mns-signing-cert-url` names and checking
 * an RSA-SHA1 signature with the certificate's public key. Node makes RSA keys and signs, but does not build
 * certificates: the ASN.1 structure is built and encoded by @peculiar/asn1-x509 (a maintained RFC 5280 schema) and
 * signed here with node:crypto, so it stays synchronous. It is a v3 certificate with the version field present: the
 * verifiers of the service's samples read its `subjectPublicKeyInfo` as the seventh element of the to-be-signed part.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

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

/** PEM armour: base64 in lines of 64. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

function nameOf(commonName: string): Name {
  const cn = new AttributeTypeAndValue({
    type: COMMON_NAME,
    value: new AttributeValue({ utf8String: commonName }),
  });
  return new Name([new RelativeDistinguishedName([cn])]);
}

/** An ArrayBuffer holding exactly `bytes` (asn1-schema takes ArrayBuffers, not views). */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * A self-signed certificate (SHA-256 with RSA) for `privateKeyPem`, valid from a day before `now` for 20 years.
 */
export function selfSignedCertificate(privateKeyPem: string, now: number, commonName: string): string {
  const privateKey = createPrivateKey(privateKeyPem);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and non-zero, as RFC 5280 asks
  // RSA signature algorithms carry an explicit NULL parameter (RFC 4055).
  const algorithm = () => new AlgorithmIdentifier({ algorithm: SHA256_WITH_RSA, parameters: null });
  const notBefore = now - 86_400_000;
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: arrayBufferOf(serial),
    signature: algorithm(),
    issuer: nameOf(commonName),
    validity: new Validity({ notBefore: new Date(notBefore), notAfter: new Date(notBefore + VALIDITY_MS) }),
    subject: nameOf(commonName),
    subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, privateKey);
  const certificate = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithm(),
    signatureValue: arrayBufferOf(signature),
  });
  return toPem('CERTIFICATE', new Uint8Array(AsnConvert.serialize(certificate)));
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
