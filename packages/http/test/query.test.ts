/** @module query.test — request-target splitting: `%XX` decoded, `+` kept, first value wins. */
import { describe, expect, it } from 'vitest';
import { decodeComponent, splitTarget } from '../src/index.js';

describe('splitTarget', () => {
  it('decodes %XX but never turns + into a space', () => {
    const { path, query } = splitTarget('/queues/q%201/messages?ReceiptHandle=1-AB+C/D==&waitseconds=3');
    expect(path).toBe('/queues/q 1/messages');
    expect(query.get('ReceiptHandle')).toBe('1-AB+C/D==');
    expect(query.get('waitseconds')).toBe('3');
  });

  it('keeps the first of repeated keys, bare keys, and survives malformed escapes', () => {
    const { query } = splitTarget('/x?a=1&a=2&flag&&b=%E0%A4%A&c=%41');
    expect(query.get('a')).toBe('1');
    expect(query.get('flag')).toBe('');
    expect(query.get('b')).toBe('%E0%A4%A');
    expect(query.get('c')).toBe('A');
    expect(decodeComponent('%')).toBe('%');
  });

  it('handles a target without a query', () => {
    const { path, query } = splitTarget('/queues');
    expect(path).toBe('/queues');
    expect(query.size).toBe(0);
  });
});
