/** @module sign.test — the MAC and hash helpers against published vectors. */
import { describe, expect, it } from 'vitest';
import {
  hmacSha1Base64,
  hmacSha256Hex,
  md5Base64,
  md5Hex,
  sha256Hex,
  timingSafeEqualString,
} from '../src/index.js';

describe('sign helpers', () => {
  it('hmacSha1Base64 matches the MNS SDK test vector', () => {
    const text =
      'PUT\n574683b3684e3cff610afa155cc2506d\ntext/xml\nTue, 11 Apr 2017 10:09:19 GMT\nx-mns-version:2015-06-06\n/';
    expect(hmacSha1Base64('ACCESS_KEY_SECRET', text)).toBe('A9zehggaYHHujmuRMxGIDrhWwx8=');
  });

  it('hmacSha256Hex matches RFC 4231 test case 2', () => {
    expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('sha256Hex and md5 of known inputs', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(md5Hex('hello')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(md5Base64('')).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
  });

  it('timingSafeEqualString compares exactly', () => {
    expect(timingSafeEqualString('abc', 'abc')).toBe(true);
    expect(timingSafeEqualString('abc', 'abd')).toBe(false);
    expect(timingSafeEqualString('abc', 'abcd')).toBe(false);
    expect(timingSafeEqualString('', '')).toBe(true);
  });
});
