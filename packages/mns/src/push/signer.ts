/** @module push/signer — signs push requests (RSA-SHA1) and serves the certificate that verifies them. */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  X509Certificate,
} from 'node:crypto';
import { createPushSigningKey, type PushSigningKey } from './certificate.js';

/**
 * Where the certificate is served, under the server's root: `GET /sluice/mns-cert/<id>.pem`. Outside every
 * dialect's paths (`/queues`, `/topics`, `/v1.0`), so no MNS, RocketMQ or DMS request can reach it.
 */
export const CERT_PATH_PREFIX = '/sluice/mns-cert/';

/** The key a handler signs pushes with, its certificate, and the certificate's id in its URL. */
export class PushSigner {
  /** The certificate, PEM, as served. */
  readonly certificatePem: string;
  /** First 16 hex digits of the certificate's SHA-256: a new key gets a new URL. */
  readonly id: string;
  /** The certificate's path under the server root. */
  readonly path: string;
  readonly #key: KeyObject;

  /** Throws a `TypeError` when the key and certificate are not a matching RSA pair. */
  constructor(key: PushSigningKey) {
    let cert: X509Certificate;
    try {
      this.#key = createPrivateKey(key.privateKeyPem);
      cert = new X509Certificate(key.certificatePem);
    } catch (error) {
      throw new TypeError(
        `push.signingKey is not a PEM private key and certificate: ${(error as Error).message}`,
      );
    }
    if (this.#key.asymmetricKeyType !== 'rsa' || !cert.checkPrivateKey(this.#key)) {
      throw new TypeError('push.signingKey: the certificate must hold the public key of the RSA private key');
    }
    // Served exactly as parsed back (one block, no text around it): some verifiers take the lines between the
    // first and the last as the base64 body.
    this.certificatePem = cert.toString();
    this.id = createHash('sha256').update(cert.raw).digest('hex').slice(0, 16);
    this.path = `${CERT_PATH_PREFIX}${this.id}.pem`;
    createPublicKey(this.#key); // fails early on a key without a public half
  }

  /** `Authorization` of a push: base64 of the RSA-SHA1 (PKCS #1 v1.5) signature of the UTF-8 string to sign. */
  sign(stringToSign: string): string {
    return sign('sha1', Buffer.from(stringToSign, 'utf8'), this.#key).toString('base64');
  }
}

/**
 * The signer of a handler: the configured key, or one made on first use (so handlers without HTTP subscriptions
 * never pay for key generation) and kept for the handler's life.
 */
export function lazySigner(key: PushSigningKey | undefined): () => PushSigner {
  let signer: PushSigner | undefined = key === undefined ? undefined : new PushSigner(key);
  return () => {
    signer ??= new PushSigner(createPushSigningKey());
    return signer;
  };
}
