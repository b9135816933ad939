/** @module test/wheel — TimerWheel: exact firing times at every scale, ordering, mutation in callbacks, growth, model check */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TimerId, TimerWheel } from '../src/timer/wheel.js';

/** An unaligned, realistic epoch-ms origin (past 2^32 ms, not a multiple of 64). */
const T0 = 1_700_000_000_123;
const YEAR = 365 * 24 * 3600 * 1000;
const DAY = 24 * 3600 * 1000;

/** Drives the wheel the way a broker does: jump to nextDue() until empty; returns (id, fired at) in firing order. */
function runToEnd(wheel: TimerWheel): Array<{ id: TimerId; at: number }> {
  const fired: Array<{ id: TimerId; at: number }> = [];
  let at = wheel.now;
  const capture = (id: TimerId) => fired.push({ id, at });
  for (let steps = 0; wheel.size > 0; steps++) {
    if (steps > 10_000) throw new Error('nextDue() does not make progress');
    at = Math.max(at, wheel.nextDue());
    wheel.advance(at, capture);
  }
  return fired;
}

const SCALES = [
  1,
  2,
  63,
  64,
  65,
  100,
  1000,
  4095,
  4096,
  4097,
  30_000,
  262_143,
  262_144,
  262_145,
  300_000,
  3_600_000,
  16_777_215,
  16_777_216,
  16_777_217,
  DAY,
  4 * DAY,
  30 * DAY,
  2 ** 30 - 1,
  2 ** 30,
  2 ** 30 + 1,
  2 ** 32 + 7,
  YEAR,
  2 ** 36 - 1,
  2 ** 36,
  2 ** 36 + 1,
  3 * YEAR,
  2 ** 37 + 12_345,
  25 * YEAR,
].sort((a, b) => a - b);

describe('TimerWheel firing times', () => {
  it.each(SCALES)('fires an entry %d ms away exactly at its due, not a tick before', (delta) => {
    const wheel = new TimerWheel({ now: T0 });
    const due = T0 + delta;
    const id = wheel.add(due);
    const fired: TimerId[] = [];
    expect(wheel.advance(due - 1, (x) => fired.push(x))).toBe(0);
    expect(wheel.has(id)).toBe(true);
    expect(wheel.nextDue()).toBe(due);
    expect(wheel.advance(due, (x) => fired.push(x))).toBe(1);
    expect(fired).toEqual([id]);
    expect(wheel.size).toBe(0);
    expect(wheel.has(id)).toBe(false);
    expect(wheel.nextDue()).toBe(Number.POSITIVE_INFINITY);
  });

  it('fires every scale at its exact due when driven by nextDue()', () => {
    const wheel = new TimerWheel({ now: T0 });
    const dues = new Map<number, number>();
    for (const delta of [...SCALES].reverse()) {
      const id = wheel.add(T0 + delta);
      dues.set(id, T0 + delta);
      // nextDue() is never later than the earliest due.
      expect(wheel.nextDue()).toBeLessThanOrEqual(T0 + delta);
    }
    const fired = runToEnd(wheel);
    expect(fired.map((f) => f.at - T0)).toEqual(SCALES);
    for (const f of fired) expect(f.at).toBe(dues.get(f.id));
  });

  it('fires everything in due order on one large jump', () => {
    const wheel = new TimerWheel({ now: T0 });
    const byId = new Map<number, number>();
    for (const delta of [...SCALES].reverse()) byId.set(wheel.add(T0 + delta), delta);
    const order: number[] = [];
    expect(wheel.advance(T0 + 30 * YEAR, (id) => order.push(byId.get(id)!))).toBe(SCALES.length);
    expect(order).toEqual(SCALES);
  });

  it('rounds a fractional due up to the next tick and never fires early', () => {
    const wheel = new TimerWheel({ now: T0 });
    const id = wheel.add(T0 + 10.25);
    const fired: TimerId[] = [];
    expect(wheel.advance(T0 + 10.9, (x) => fired.push(x))).toBe(0);
    expect(wheel.nextDue()).toBe(T0 + 11);
    expect(wheel.dueOf(id)).toBe(T0 + 10.25);
    expect(wheel.advance(T0 + 11, (x) => fired.push(x))).toBe(1);
  });

  it('fires entries already due on the next advance, even without time moving', () => {
    const wheel = new TimerWheel({ now: T0 });
    wheel.advance(T0 + 500, () => {});
    const past = wheel.add(T0 - 1000);
    const now = wheel.add(T0 + 500);
    expect(wheel.nextDue()).toBe(T0 + 500);
    const fired: TimerId[] = [];
    expect(wheel.advance(T0 + 500, (x) => fired.push(x))).toBe(2);
    expect(fired).toEqual([past, now]);
  });

  it('never moves time backwards', () => {
    const wheel = new TimerWheel({ now: T0 });
    wheel.advance(T0 + 1000, () => {});
    const id = wheel.add(T0 + 1001);
    expect(wheel.advance(T0, () => {})).toBe(0);
    expect(wheel.now).toBe(T0 + 1000);
    expect(wheel.has(id)).toBe(true);
    expect(wheel.advance(T0 + 1001, () => {})).toBe(1);
  });

  it('jumps 30 days over few entries and idles over many far entries without scanning them', () => {
    const wheel = new TimerWheel({ now: T0, initialCapacity: 1 << 18 });
    for (let i = 0; i < 200_000; i++) wheel.add(T0 + YEAR + i);
    const a = wheel.add(T0 + 7 * DAY + 3);
    const b = wheel.add(T0 + 30 * DAY);
    const started = performance.now();
    const fired: TimerId[] = [];
    // 20,000 one-millisecond steps: scanning 200k entries per step would take many seconds.
    for (let t = 1; t <= 20_000; t++) wheel.advance(T0 + t, (x) => fired.push(x));
    expect(wheel.advance(T0 + 30 * DAY, (x) => fired.push(x))).toBe(2);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(fired).toEqual([a, b]);
    expect(wheel.size).toBe(200_000);
    expect(wheel.nextDue()).toBeLessThanOrEqual(T0 + YEAR);
  });
});

describe('TimerWheel ordering and mutation', () => {
  it('fires entries of one tick in insertion order, across cascades and fractional dues', () => {
    const wheel = new TimerWheel({ now: T0 });
    const due = T0 + 5 * DAY + 17;
    const ids = [wheel.add(due), wheel.add(due - 0.5), wheel.add(due), wheel.add(due - 0.01)];
    wheel.advance(T0 + 5 * DAY, () => {});
    ids.push(wheel.add(due));
    const fired: TimerId[] = [];
    wheel.advance(due, (x) => fired.push(x));
    expect(fired).toEqual(ids);
  });

  it('removes and reschedules in place', () => {
    const wheel = new TimerWheel({ now: T0 });
    const a = wheel.add(T0 + 100);
    const b = wheel.add(T0 + 200);
    const c = wheel.add(T0 + 300);
    wheel.remove(b);
    expect(wheel.has(b)).toBe(false);
    expect(wheel.size).toBe(2);
    wheel.reschedule(c, T0 + 50);
    wheel.reschedule(a, T0 + 10 * DAY);
    expect(wheel.dueOf(c)).toBe(T0 + 50);
    expect(wheel.nextDue()).toBe(T0 + 50);
    const fired: Array<[TimerId, number]> = [];
    let at = T0;
    while (wheel.size > 0) {
      at = wheel.nextDue();
      wheel.advance(at, (x) => fired.push([x, at]));
    }
    expect(fired).toEqual([
      [c, T0 + 50],
      [a, T0 + 10 * DAY],
    ]);
  });

  it('throws RangeError for ids that are not live, and for non-finite times', () => {
    const wheel = new TimerWheel({ now: T0 });
    const id = wheel.add(T0 + 1);
    wheel.remove(id);
    expect(() => wheel.remove(id)).toThrow(RangeError);
    expect(() => wheel.reschedule(id, T0)).toThrow(RangeError);
    expect(() => wheel.dueOf(id)).toThrow(RangeError);
    for (const bad of [0, 5, -1, 1.5, 1e9, Number.NaN, 0xffffffff]) {
      expect(wheel.has(bad as TimerId)).toBe(false);
      expect(() => wheel.remove(bad as TimerId)).toThrow(RangeError);
    }
    const live = wheel.add(T0 + 1);
    expect(() => wheel.add(Number.NaN)).toThrow(RangeError);
    expect(() => wheel.add(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => wheel.reschedule(live, Number.NaN)).toThrow(RangeError);
    expect(() => wheel.advance(Number.NaN, () => {})).toThrow(RangeError);
    expect(wheel.dueOf(live)).toBe(T0 + 1);
  });

  it('validates options with TypeErrors that name the option', () => {
    expect(() => new TimerWheel({ now: Number.NaN })).toThrow(/now/);
    expect(() => new TimerWheel({ now: 0, payloadWidth: -1 })).toThrow(/payloadWidth/);
    expect(() => new TimerWheel({ now: 0, initialCapacity: 0 })).toThrow(/initialCapacity/);
    expect(() => new TimerWheel({ now: 0, initialCapacity: 2.5 })).toThrow(TypeError);
  });

  it('lets callbacks add entries due now (fired in the same advance), remove and reschedule others', () => {
    const wheel = new TimerWheel({ now: T0 });
    const first = wheel.add(T0 + 10);
    const doomed = wheel.add(T0 + 10);
    const moved = wheel.add(T0 + 10);
    const later = wheel.add(T0 + 40);
    const log: string[] = [];
    const names = new Map<number, string>([
      [first, 'first'],
      [doomed, 'doomed'],
      [moved, 'moved'],
      [later, 'later'],
    ]);
    let reacted = false;
    const onExpire = (id: TimerId) => {
      log.push(`${names.get(id)}@${wheel.now - T0}`);
      // `first`'s row is free once it fires, so a later add may reuse its id: react only once.
      if (id === first && !reacted) {
        reacted = true;
        wheel.remove(doomed);
        wheel.reschedule(moved, T0 + 30);
        names.set(wheel.add(T0 + 10), 'sameTick');
        names.set(wheel.add(T0 - 5), 'past');
        names.set(wheel.add(T0 + 20), 'chained');
        names.set(wheel.add(T0 + 51), 'beyond');
      }
    };
    expect(wheel.advance(T0 + 50, onExpire)).toBe(6);
    expect(log).toEqual(['first@50', 'sameTick@50', 'past@50', 'chained@50', 'moved@50', 'later@50']);
    expect(wheel.size).toBe(1);
    expect(wheel.nextDue()).toBe(T0 + 51);
    expect(() => wheel.advance(T0 + 60, () => wheel.advance(T0 + 70, () => {}))).toThrow(/re-entrant/);
  });

  it('frees an entry before its callback, so the callback may reuse its row', () => {
    const wheel = new TimerWheel({ now: T0, initialCapacity: 1 });
    const id = wheel.add(T0 + 1);
    let again = -1;
    wheel.advance(T0 + 1, (x) => {
      expect(wheel.has(x)).toBe(false);
      again = wheel.add(T0 + 2);
    });
    expect(again).toBe(id);
    expect(wheel.capacity).toBe(1);
    expect(wheel.advance(T0 + 2, () => {})).toBe(1);
  });

  it('grows past its initial capacity and keeps every payload', () => {
    const wheel = new TimerWheel({ now: T0, payloadWidth: 3, initialCapacity: 2 });
    const ids: TimerId[] = [];
    for (let i = 0; i < 5000; i++) {
      const id = wheel.add(T0 + 1 + (i % 977) * 131);
      const p = wheel.payload;
      p[id * 3] = i;
      p[id * 3 + 1] = i * 7;
      p[id * 3 + 2] = 0xffffffff - i;
      ids.push(id);
    }
    expect(wheel.capacity).toBeGreaterThanOrEqual(5000);
    expect(new Set(ids).size).toBe(5000);
    ids.forEach((id, i) => {
      expect([wheel.payload[id * 3], wheel.payload[id * 3 + 1], wheel.payload[id * 3 + 2]]).toEqual([
        i,
        i * 7,
        0xffffffff - i,
      ]);
    });
    const seen = new Set<number>();
    wheel.advance(T0 + 200_000, (id) => {
      const i = wheel.payload[id * 3]!;
      expect(wheel.payload[id * 3 + 1]).toBe(i * 7);
      seen.add(i);
    });
    expect(seen.size).toBe(5000);
  });

  it('clear() drops everything and keeps the time', () => {
    const wheel = new TimerWheel({ now: T0, initialCapacity: 4 });
    const ids = [1, 100, 10_000, YEAR].map((d) => wheel.add(T0 + d));
    wheel.advance(T0 + 5, () => {});
    wheel.clear();
    expect(wheel.size).toBe(0);
    expect(ids.some((id) => wheel.has(id))).toBe(false);
    expect(wheel.nextDue()).toBe(Number.POSITIVE_INFINITY);
    expect(wheel.advance(T0 + 2 * YEAR, () => expect.unreachable())).toBe(0);
    const id = wheel.add(T0 + 2 * YEAR + 1);
    expect(wheel.nextDue()).toBe(T0 + 2 * YEAR + 1);
    expect(wheel.advance(T0 + 2 * YEAR + 1, () => {})).toBe(1);
    expect(wheel.has(id)).toBe(false);
  });
});

/** Naive reference: a list of entries; the tick an entry fires at is max(ceil(due), tick when it was placed). */
interface ModelEntry {
  id: number;
  tick: number;
  seq: number;
}

type Op =
  | { kind: 'add'; delta: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'reschedule'; pick: number; delta: number }
  | { kind: 'advance'; delta: number }
  | { kind: 'advanceToNext' };

const delta = fc.oneof(
  fc.integer({ min: -100, max: 200 }),
  fc.integer({ min: -10, max: 70_000 }),
  fc.double({ min: -5, max: 5_000, noNaN: true }),
  fc.integer({ min: 0, max: 2 ** 38 }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), delta }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reschedule' as const), pick: fc.nat(), delta }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      delta: fc.oneof(
        fc.integer({ min: -50, max: 300 }),
        fc.integer({ min: 0, max: 2 ** 37 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'advanceToNext' as const }) },
);
/** What a callback does when an entry fires: nothing, add an entry `delta` after now, or remove/reschedule a live one. */
const reaction = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('add' as const), delta: fc.integer({ min: -20, max: 300 }) }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('reschedule' as const),
    pick: fc.nat(),
    delta: fc.integer({ min: -20, max: 300 }),
  }),
);

describe('TimerWheel against a naive model', () => {
  it('fires exactly what a sorted list would, in the same order, with the same ids live', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.double({ min: -1e6, max: 2e12, noNaN: true })),
        fc.integer({ min: 1, max: 8 }),
        fc.array(op, { maxLength: 120 }),
        fc.array(reaction, { maxLength: 40 }),
        (origin, capacity, ops, reactions) => {
          const wheel = new TimerWheel({ now: origin, initialCapacity: capacity });
          const model: ModelEntry[] = [];
          let seq = 0;
          let time = origin;
          let tick = Math.floor(origin);
          let reactionIndex = 0;
          const place = (id: number, due: number) => {
            model.push({ id, tick: Math.max(Math.ceil(due), tick), seq: seq++ });
          };
          const drop = (id: number) =>
            model.splice(
              model.findIndex((e) => e.id === id),
              1,
            );
          const pickLive = (pick: number) => model[pick % model.length]!.id as TimerId;

          // Callbacks react at most 200 times per run, so reactions that keep adding due entries still end.
          let reactionBudget = 200;
          const react = () => {
            if (reactionBudget-- <= 0) return;
            const r = reactions[reactionIndex++ % Math.max(1, reactions.length)];
            if (!r || r.kind === 'none') return;
            if (r.kind === 'add') place(wheel.add(tick + r.delta), tick + r.delta);
            else if (model.length === 0) return;
            else if (r.kind === 'remove') {
              const id = pickLive(r.pick);
              wheel.remove(id);
              drop(id);
            } else {
              const id = pickLive(r.pick);
              wheel.reschedule(id, tick + r.delta);
              drop(id);
              place(id, tick + r.delta);
            }
          };

          const advance = (now: number) => {
            time = Math.max(time, now);
            const target = Math.floor(time);
            const got: number[] = [];
            const fired = wheel.advance(now, (id) => {
              // The model fires its earliest (tick, seq) entry; the wheel must have picked the same one.
              let best = -1;
              for (let i = 0; i < model.length; i++) {
                const e = model[i]!;
                const b = model[best];
                if (e.tick <= target && (!b || e.tick < b.tick || (e.tick === b.tick && e.seq < b.seq)))
                  best = i;
              }
              expect(best).toBeGreaterThanOrEqual(0);
              const expected = model[best]!;
              expect(id).toBe(expected.id);
              expect(wheel.has(id)).toBe(false);
              model.splice(best, 1);
              tick = Math.max(tick, expected.tick);
              got.push(id);
              react();
            });
            expect(fired).toBe(got.length);
            tick = Math.max(tick, target);
            expect(model.some((e) => e.tick <= target)).toBe(false);
          };

          for (const o of ops) {
            if (o.kind === 'add') {
              place(wheel.add(time + o.delta), time + o.delta);
            } else if (o.kind === 'remove' && model.length > 0) {
              const id = pickLive(o.pick);
              wheel.remove(id);
              drop(id);
            } else if (o.kind === 'reschedule' && model.length > 0) {
              const id = pickLive(o.pick);
              wheel.reschedule(id, time + o.delta);
              drop(id);
              place(id, time + o.delta);
            } else if (o.kind === 'advance') {
              advance(time + o.delta);
            } else if (o.kind === 'advanceToNext') {
              const next = wheel.nextDue();
              if (model.length === 0) expect(next).toBe(Number.POSITIVE_INFINITY);
              else {
                const earliest = Math.min(...model.map((e) => e.tick));
                expect(next).toBeLessThanOrEqual(earliest);
                expect(next).toBeGreaterThanOrEqual(tick);
                advance(next);
              }
            }
            expect(wheel.size).toBe(model.length);
            for (const e of model) expect(wheel.has(e.id as TimerId)).toBe(true);
          }
          // Drain: advancing to nextDue() repeatedly fires every entry exactly at its tick.
          reactionBudget = 0;
          let guard = 0;
          while (model.length > 0) {
            expect(++guard).toBeLessThan(10_000);
            const earliest = Math.min(...model.map((e) => e.tick));
            const next = wheel.nextDue();
            expect(next).toBeLessThanOrEqual(Math.max(earliest, tick));
            advance(next);
          }
          expect(wheel.nextDue()).toBe(Number.POSITIVE_INFINITY);
        },
      ),
      { numRuns: 300 },
    );
  });
});
