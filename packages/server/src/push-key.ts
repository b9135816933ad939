/**
 * @module push-key — the MNS push signing key of a durable server, kept in its data directory so the certificate
 * URL named in pushes keeps verifying across restarts.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPushSigningKey, type PushSigningKey } from '@sluice/mns';

/** The file in the data directory: the PKCS#8 private key then the certificate, PEM, readable by the owner only. */
export const PUSH_KEY_FILE = 'mns-push-key.pem';

/**
 * Reads the push signing key from `dir`, or makes one and writes it there (atomically: a temporary file renamed
 * into place, mode 0600). Throws when the file exists but holds no key and certificate.
 */
export function loadPushKey(dir: string): PushSigningKey {
  const path = join(dir, PUSH_KEY_FILE);
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(text)?.[0];
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
    if (key === undefined || cert === undefined) {
      throw new Error(
        `${path} does not hold a PEM private key and certificate (delete it to make a new key)`,
      );
    }
    return { privateKeyPem: key, certificatePem: cert };
  }
  const made = createPushSigningKey();
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, made.privateKeyPem + made.certificatePem, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return made;
}
