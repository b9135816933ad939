/** @module test/arena — BodyArena: bodies of every size across the growing chunk sizes, frees, reused chunk ids */
import { describe, expect, it } from 'vitest';
import { BodyArena } from '../src/arena.js';

/** A deterministic body: `length` bytes derived from `seed`. */
function body(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x ^ (x << 13) ^ (x >>> 7)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe('BodyArena', () => {
  it('keeps every body intact while chunks grow from 4 KiB to 1 MiB and freed chunks are reused', () => {
    const arena = new BodyArena();
    // Sizes around every boundary: the first chunks, doubling, the own-chunk threshold (256 KiB), 1 MiB.
    const sizes = [0, 1, 100, 4095, 4096, 4097, 8191, 8192, 20_000, 65_536, 262_144, 262_145, 1_048_576];
    const live: { seed: number; chunk: number; offset: number; length: number; view: Uint8Array }[] = [];
    let seed = 1;
    for (let round = 0; round < 12; round++) {
      for (const base of sizes) {
        const length = base === 0 ? 0 : base - (round % 3);
        const bytes = body(seed, Math.max(0, length));
        arena.write(bytes, bytes.length);
        const { lastChunk: chunk, lastOffset: offset } = arena;
        live.push({
          seed,
          chunk,
          offset,
          length: bytes.length,
          view: arena.view(chunk, offset, bytes.length),
        });
        seed++;
      }
      // Free every other live body (so chunks empty out and their ids come back).
      for (let i = live.length - 1; i >= 0; i -= 2) {
        const b = live[i]!;
        arena.free(b.chunk, b.offset, b.length);
        live.splice(i, 1);
      }
      for (const b of live) {
        const want = Buffer.from(body(b.seed, b.length));
        const where = `body ${b.seed} (${b.length} B) in chunk ${b.chunk} at ${b.offset}`;
        expect(want.equals(arena.view(b.chunk, b.offset, b.length)), where).toBe(true);
        // A view handed out earlier still shows the same bytes (chunks are never overwritten).
        expect(want.equals(b.view), `${where}, earlier view`).toBe(true);
      }
    }
  });

  it('writes strings as UTF-8 of the given length', () => {
    const arena = new BodyArena();
    const text = 'héllo wörld';
    const length = Buffer.byteLength(text);
    arena.write(text, length);
    expect(Buffer.from(arena.view(arena.lastChunk, arena.lastOffset, length)).toString()).toBe(text);
  });
});
