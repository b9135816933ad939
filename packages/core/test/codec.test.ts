import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crc32Range,
  decodeMeta,
  decodeSimpleMeta,
  encodeSimpleMeta,
  simpleMetaBound,
} from '../src/storage/codec.js';

describe('log codec', () => {
  it('crc32Range equals zlib crc32 on any range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), fc.nat(), (data, a, b) => {
        const bytes = Buffer.from(data);
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(crc32Range(bytes, start, end)).toBe(crc32(bytes.subarray(start, end)));
      }),
    );
  });

  it('writes standard msgpack for simple records and reads it back', () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constant(null),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), (record) => {
        const bound = simpleMetaBound(record);
        expect(bound).toBeGreaterThan(0);
        const out = Buffer.alloc(bound);
        const length = encodeSimpleMeta(record, out, 0);
        expect(length).toBeGreaterThan(0);
        const expected = record.map((v) => (Object.is(v, -0) ? 0 : v));
        // msgpackr reads the same bytes (the format is plain msgpack)...
        expect(decodeMeta(out.subarray(0, length))).toEqual(expected);
        // ...and so does the fast decoder.
        const scratch: unknown[] = [];
        expect(decodeSimpleMeta(out, 0, length, scratch)).toBe(true);
        expect(scratch).toEqual(expected);
      }),
    );
  });

  it('leaves records with objects to msgpackr', () => {
    expect(simpleMetaBound([1, { a: 1 }])).toBe(-1);
    expect(simpleMetaBound([1, ['x']])).toBe(-1);
  });
});
