import { createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPushSigningKey } from '../src/push/certificate.js';

/** The elements of the DER SEQUENCE at `at` in `der`, each as [tag, start of the whole element, end]. */
function children(der: Buffer, at: number): [number, number, number][] {
  const header = (pos: number): [number, number] => {
    const first = der[pos + 1]!;
    if (first < 0x80) return [2, first];
    let n = 0;
    for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + der[pos + 2 + i]!;
    return [2 + (first & 0x7f), n];
  };
  const [h, len] = header(at);
  const out: [number, number, number][] = [];
  for (let pos = at + h; pos < at + h + len; ) {
    const [ch, clen] = header(pos);
    out.push([der[pos]!, pos, pos + ch + clen]);
    pos += ch + clen;
  }
  return out;
}

describe('the push signing certificate', () => {
  const now = Date.UTC(2026, 11, 3, 12);
  const key = createPushSigningKey(now);
  const cert = new X509Certificate(key.certificatePem);

  it('is self-signed by the key it certifies, for 20 years from a day before now', () => {
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.subject).toBe('CN=Sluice MNS push signing');
    expect(new Date(cert.validFrom).getTime()).toBe(now - 86_400_000);
    expect(new Date(cert.validTo).getTime()).toBe(now - 86_400_000 + 20 * 365 * 86_400_000);
    const fromKey = createPublicKey(key.privateKeyPem).export({ type: 'spki', format: 'der' });
    expect(Buffer.compare(cert.publicKey.export({ type: 'spki', format: 'der' }), fromKey)).toBe(0);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.serialNumber).toMatch(/^[0-9A-F]{32}$/);
  });

  it('is v3 with the version field present, so the public key is the 7th element of the signed part', () => {
    const der = cert.raw;
    const [tbs, algorithm] = children(der, 0);
    const fields = children(der, tbs![1]);
    expect(fields[0]![0]).toBe(0xa0); // [0] EXPLICIT version
    expect(der.subarray(fields[0]![1], fields[0]![2]).toString('hex')).toBe('a003020102');
    const spki = der.subarray(fields[6]![1], fields[6]![2]);
    expect(Buffer.compare(spki, cert.publicKey.export({ type: 'spki', format: 'der' }))).toBe(0);
    // sha256WithRSAEncryption with its NULL parameter, in the signed part and outside it
    const sha256WithRsa = '300d06092a864886f70d01010b0500';
    expect(der.subarray(fields[2]![1], fields[2]![2]).toString('hex')).toBe(sha256WithRsa);
    expect(der.subarray(algorithm![1], algorithm![2]).toString('hex')).toBe(sha256WithRsa);
  });

  it('makes a new serial and key each time', () => {
    const other = new X509Certificate(createPushSigningKey(now).certificatePem);
    expect(other.serialNumber).not.toBe(cert.serialNumber);
    expect(other.fingerprint256).not.toBe(cert.fingerprint256);
  });
});
