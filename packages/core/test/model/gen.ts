/**
 * Generators of what the commands send: bodies (random bytes, empty, long runs of NUL or 0xff, bytes
 * holding well-formed log frames and file headers, UTF-8 strings), message attributes, and options.
 *
 * Names are fixed and few so that random commands hit the same queues and groups: plain queues q1..q3
 * (never ordered), the ordered queue o1, topics t1 and t2 with groups g1..g3. Messages with a
 * `groupKey` are never delayed, and only plain queues get a default delay, so that the send order of a
 * key is also the order in which its messages become visible (see model.test.ts on ordered groups).
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';

export const PLAIN_QUEUES = ['q1', 'q2', 'q3'] as const;
export const ORDERED_QUEUE = 'o1';
export const TOPICS = ['t1', 't2'] as const;
export const GROUPS = ['g1', 'g2', 'g3'] as const;
export const TAGS = ['a', 'b', 'c'] as const;
/** Retentions: short ones expire during a run, the long one never does. */
export const SHORT_RETENTIONS = [6_000, 20_000] as const;
export const LONG_RETENTION = 24 * 3600_000;

// ---------------------------------------------------------------------------------------------- bodies

/** A body as the command sends it: bytes, or a string (stored as UTF-8). */
export type Body = { readonly bytes: Uint8Array; readonly frames?: true } | { readonly text: string };

export function bodyBytes(body: Body): Uint8Array {
  return 'bytes' in body ? body.bytes : Buffer.from(body.text, 'utf8');
}

export function showGenBody(body: Body): string {
  if ('text' in body) return JSON.stringify(body.text.length > 12 ? `${body.text.slice(0, 12)}…` : body.text);
  const b = body.bytes;
  if (b.length === 0) return 'empty';
  if (b.length > 16 && b.every((x) => x === b[0]))
    return `0x${b[0]!.toString(16).padStart(2, '0')}×${b.length}`;
  const hex = Buffer.from(b.subarray(0, 10)).toString('hex');
  return `${b.length}B:${hex}${b.length > 10 ? '…' : ''}`;
}

/** A frame as the log writes it: length u32 | crc32 u32 | metaLength u32 | meta | body. */
function frame(meta: Uint8Array, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + meta.length + body.length);
  out.writeUInt32LE(4 + meta.length + body.length, 0);
  out.writeUInt32LE(meta.length, 8);
  out.set(meta, 12);
  out.set(body, 12 + meta.length);
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

/** msgpack of small non-negative integers and nulls (what most log records are). */
function pack(values: readonly (number | null)[]): Uint8Array {
  const out: number[] = [0x90 | values.length];
  for (const v of values) {
    if (v === null) out.push(0xc0);
    else if (v < 128) out.push(v);
    else {
      const b = Buffer.alloc(9);
      b[0] = 0xcb;
      b.writeDoubleBE(v, 1);
      out.push(...b);
    }
  }
  return Uint8Array.from(out);
}

const HEADER = (() => {
  const h = Buffer.alloc(16);
  h.write('SLUICELG', 0, 'latin1');
  h.writeUInt32LE(1, 8);
  return h;
})();

/** A well-formed `Appended` frame of message `seq` of topic `topicId` (journal ids), body "PHANTOM". */
export function appendedFrame(topicId: number, seq: number): Buffer {
  return frame(pack([7, topicId, seq, 1_700_000_000_000, null, null, null, null, 0]), Buffer.from('PHANTOM'));
}

/** Bytes that a replay reading at the wrong offset could take for records: acks, appends, a file header. */
const frameLike: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.uint8Array({ maxLength: 12 }),
    fc.array(
      fc.oneof(
        // [Acked, groupId, seq]
        fc
          .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 60 }))
          .map(([g, s]) => frame(pack([9, g, s]), new Uint8Array())),
        // [Appended, topicId, seq, publishedAt, tag, keys, properties, groupKey, deliverAt] + body
        fc
          .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 60 }))
          .map(([t, s]) => appendedFrame(t, s)),
        // [Returned, groupId, seq, deadLetter]
        fc
          .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 60 }))
          .map(([g, s]) => frame(pack([10, g, s, 4]), new Uint8Array())),
        fc.constant(HEADER),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    fc.uint8Array({ maxLength: 12 }),
  )
  .map(([a, frames, b]) => Buffer.concat([a, ...frames, b]));

export const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ bytes })) },
  { weight: 1, arbitrary: fc.constant({ bytes: new Uint8Array() }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(0, 0xff, 0x2a),
        fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1000, max: 3000 })),
      )
      .map(([byte, n]) => ({ bytes: new Uint8Array(n).fill(byte) })),
  },
  { weight: 2, arbitrary: frameLike.map((bytes) => ({ bytes, frames: true as const })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: 'grapheme' }).map((text) => ({ text })) },
);

// ---------------------------------------------------------------------------------------------- inputs

/** A message to send, as generated; `deliverAt` is relative to the clock when the command runs. */
export interface GenInput {
  readonly body: Body;
  readonly tag?: string | undefined;
  readonly keys?: readonly string[] | undefined;
  readonly properties?: Readonly<Record<string, string>> | undefined;
  readonly groupKey?: string | undefined;
  readonly priority?: number | undefined;
  readonly delay?: number | undefined;
  readonly deliverAtIn?: number | undefined;
}

const propertyKey = fc.constantFrom('k', 'x-y', 'ü', '', 'a b');

/** `arb` one time in `1 + absent`, else undefined. */
function sometimes<T>(arb: fc.Arbitrary<T>, absent: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

export const inputArb: fc.Arbitrary<GenInput> = fc
  .record({
    body: bodyArb,
    tag: sometimes(fc.constantFrom(...TAGS), 1),
    keys: sometimes(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), 3),
    properties: sometimes(fc.dictionary(propertyKey, fc.string({ maxLength: 6 }), { maxKeys: 3 }), 3),
    groupKey: sometimes(fc.constantFrom('k1', 'k2', 'k3'), 2),
    priority: sometimes(fc.integer({ min: 1, max: 16 }), 2),
    delay: sometimes(fc.constantFrom(1, 400, 1000, 2500), 4),
    deliverAtIn: sometimes(fc.constantFrom(-1000, 0, 700, 3000), 12),
  })
  .map((i) => (i.groupKey === undefined ? i : { ...i, delay: undefined, deliverAtIn: undefined }));

export function showInput(i: GenInput): string {
  const parts = [showGenBody(i.body)];
  if (i.tag !== undefined) parts.push(`tag ${i.tag}`);
  if (i.groupKey !== undefined) parts.push(`key ${i.groupKey}`);
  if (i.priority !== undefined) parts.push(`priority ${i.priority}`);
  if (i.keys !== undefined) parts.push(`keys ${JSON.stringify(i.keys)}`);
  if (i.properties !== undefined) parts.push(`props ${JSON.stringify(i.properties)}`);
  if (i.delay !== undefined) parts.push(`delay ${i.delay}`);
  if (i.deliverAtIn !== undefined)
    parts.push(`deliverAt now${i.deliverAtIn >= 0 ? '+' : ''}${i.deliverAtIn}`);
  return `{${parts.join(', ')}}`;
}

// ---------------------------------------------------------------------------------------------- options

export const tagsArb = fc.subarray([...TAGS], { minLength: 1 });

export const vtArb = fc.constantFrom(500, 1000, 3000);
export const maxReceiveArb = fc.constantFrom(0, 0, 1, 2, 3);
