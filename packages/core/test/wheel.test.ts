/** @module test/wheel — TimerWheel: firing times at every scale, order, mutation in callbacks, growth, rewind, models */
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

  it('allocates nothing until the first add, and an unused wheel moved in time fires exactly as a new one', () => {
    // An idle group's wheel is never given an entry; its time still moves with every advance and rewind.
    const histories: Array<(w: TimerWheel) => void> = [
      (w) => w.advance(T0 + 5 * DAY + 777.5, () => {}),
      (w) => w.rewind(T0 - 12_345.25),
      (w) => {
        w.advance(T0 + 4096 * 64 + 3, () => {});
        w.clear();
        w.rewind(T0 + 1000);
      },
    ];
    for (const history of histories) {
      const wheel = new TimerWheel({ now: T0, payloadWidth: 4 });
      expect(wheel.capacity).toBe(64);
      expect(wheel.nextDue()).toBe(Number.POSITIVE_INFINITY);
      history(wheel);
      const start = wheel.now;
      const dues = SCALES.map((d, i) => start + d + (i % 3) * 0.25);
      const ids = dues.map((due) => wheel.add(due));
      const fired = runToEnd(wheel);
      expect(fired.map((f) => f.id)).toEqual(ids);
      expect(fired.map((f) => f.at)).toEqual(dues.map((due) => Math.ceil(due)));
    }
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

describe('TimerWheel.rewind', () => {
  it('fires a deadline set after a backward step at its own time, not once the clock catches up', () => {
    const wheel = new TimerWheel({ now: T0 });
    wheel.advance(T0 + 10_000, () => {});
    wheel.rewind(T0);
    expect(wheel.now).toBe(T0);
    const id = wheel.add(T0 + 100);
    // A lower bound while the entry sits in a coarser bucket, never the old time T0 + 10,000.
    expect(wheel.nextDue()).toBeGreaterThanOrEqual(T0);
    expect(wheel.nextDue()).toBeLessThanOrEqual(T0 + 100);
    const fired: TimerId[] = [];
    expect(wheel.advance(T0 + 99, (x) => fired.push(x))).toBe(0);
    expect(wheel.nextDue()).toBe(T0 + 100);
    expect(wheel.advance(T0 + 100, (x) => fired.push(x))).toBe(1);
    expect(fired).toEqual([id]);
  });

  it.each([1, 63, 64, 4096, 30_000, DAY, 2 ** 36 + 5])(
    'keeps ids, payloads and exact dues of every scale across a %d ms step back',
    (back) => {
      const wheel = new TimerWheel({ now: T0, payloadWidth: 2 });
      wheel.advance(T0 + 777, () => {});
      const start = wheel.now;
      const dues = new Map<number, number>();
      // 2^36 - 500 sits in overflow, and back in the top level after a step back of less than 777 ms.
      for (const delta of [...SCALES, 0.5, 17.25, 2 ** 36 - 500]) {
        const id = wheel.add(start + delta);
        wheel.payload[id * 2] = dues.size;
        wheel.payload[id * 2 + 1] = 0xffffffff - dues.size;
        dues.set(id, start + delta);
      }
      const to = start - back;
      wheel.rewind(to);
      expect(wheel.size).toBe(dues.size);
      [...dues].forEach(([id, due], i) => {
        expect(wheel.dueOf(id as TimerId)).toBe(due);
        expect([wheel.payload[id * 2], wheel.payload[id * 2 + 1]]).toEqual([i, 0xffffffff - i]);
      });
      // Nothing is due at `to`: every entry fires exactly at ceil(due), measured in the rewound time.
      expect(wheel.advance(to, () => {})).toBe(0);
      const fired = runToEnd(wheel);
      expect(fired).toHaveLength(dues.size);
      for (const f of fired) expect(f.at).toBe(Math.ceil(dues.get(f.id)!));
      expect(new Set(fired.map((f) => f.id)).size).toBe(dues.size);
    },
  );

  it('re-origins below the constructor time: entries before the old origin fire at their own tick', () => {
    const wheel = new TimerWheel({ now: T0 });
    const far = wheel.add(T0 + YEAR);
    wheel.rewind(T0 - 5 * DAY);
    const before = wheel.add(T0 - 3 * DAY);
    const early = wheel.add(T0 - 5 * DAY - 1);
    expect(wheel.nextDue()).toBe(T0 - 5 * DAY);
    const fired = runToEnd(wheel);
    expect(fired).toEqual([
      { id: early, at: T0 - 5 * DAY },
      { id: before, at: T0 - 3 * DAY },
      { id: far, at: T0 + YEAR },
    ]);
  });

  it('fires entries due by the new time on the next advance, and holds back those due after it', () => {
    const wheel = new TimerWheel({ now: T0 });
    wheel.advance(T0 + 1000, () => {});
    const overdue = wheel.add(T0 + 10); // already due at T0 + 1000: sits in the current bucket
    const stillDue = wheel.add(T0 + 400);
    const notYet = wheel.add(T0 + 600);
    wheel.rewind(T0 + 500);
    expect(wheel.nextDue()).toBe(T0 + 500);
    const fired: TimerId[] = [];
    expect(wheel.advance(T0 + 500, (x) => fired.push(x))).toBe(2);
    expect(fired).toEqual([overdue, stillDue]);
    expect(wheel.advance(T0 + 599.9, () => {})).toBe(0);
    expect(wheel.nextDue()).toBe(T0 + 600);
    expect(wheel.advance(T0 + 600, (x) => fired.push(x))).toBe(1);
    expect(fired).toEqual([overdue, stillDue, notYet]);
  });

  it('keeps the old firing order among entries that share a tick, and queues later adds behind them', () => {
    const wheel = new TimerWheel({ now: T0 });
    const due = T0 + 2 * DAY + 5;
    const same = [wheel.add(due), wheel.add(due - 0.5), wheel.add(due)];
    wheel.advance(T0 + 300, () => {});
    // Due at T0 + 300 when added, in this order (not due order): both are due again after the rewind.
    const x = wheel.add(T0 + 50);
    const y = wheel.add(T0 + 40);
    wheel.rewind(T0 + 60);
    const late = wheel.add(due);
    const now = wheel.add(T0 + 60);
    const fired: TimerId[] = [];
    expect(wheel.advance(T0 + 60, (id) => fired.push(id))).toBe(3);
    expect(fired).toEqual([x, y, now]);
    expect(wheel.advance(due, (id) => fired.push(id))).toBe(4);
    expect(fired.slice(3)).toEqual([...same, late]);
  });

  it('splits entries that shared the current tick when their dues fall after the new time', () => {
    const wheel = new TimerWheel({ now: T0 });
    wheel.advance(T0 + 100, () => {});
    const a = wheel.add(T0 + 50);
    const b = wheel.add(T0 + 40);
    wheel.rewind(T0 + 45);
    expect(runToEnd(wheel)).toEqual([
      { id: b, at: T0 + 45 },
      { id: a, at: T0 + 50 },
    ]);
  });

  it('is a no-op forward or at the same time, moves within a tick without re-placing, and validates', () => {
    const wheel = new TimerWheel({ now: T0 + 0.75 });
    const id = wheel.add(T0 + 3);
    wheel.rewind(T0 + 0.75);
    wheel.rewind(T0 + 9);
    expect(wheel.now).toBe(T0 + 0.75);
    wheel.rewind(T0 + 0.25);
    expect(wheel.now).toBe(T0 + 0.25);
    expect(wheel.nextDue()).toBe(T0 + 3);
    expect(() => wheel.rewind(Number.NaN)).toThrow(RangeError);
    expect(() => wheel.rewind(Number.NEGATIVE_INFINITY)).toThrow(RangeError);
    expect(wheel.now).toBe(T0 + 0.25);
    expect(wheel.advance(T0 + 3, () => {})).toBe(1);
    expect(wheel.has(id)).toBe(false);
    wheel.rewind(T0 - 1);
    expect(wheel.nextDue()).toBe(Number.POSITIVE_INFINITY);
    expect(wheel.now).toBe(T0 - 1);
  });

  it('cannot run inside an advance callback, and leaves the wheel usable', () => {
    const wheel = new TimerWheel({ now: T0 });
    wheel.add(T0 + 5);
    const later = wheel.add(T0 + 50);
    let error: unknown;
    wheel.advance(T0 + 10, () => {
      try {
        wheel.rewind(T0);
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/inside advance/);
    expect(wheel.now).toBe(T0 + 10);
    wheel.rewind(T0);
    expect(wheel.advance(T0 + 49, () => {})).toBe(0);
    expect(wheel.advance(T0 + 50, () => {})).toBe(1);
    expect(wheel.has(later)).toBe(false);
  });

  it('rewinds 200,000 entries quickly and still fires them in due order', () => {
    const wheel = new TimerWheel({ now: T0, initialCapacity: 1 << 18 });
    for (let i = 0; i < 200_000; i++) wheel.payload[wheel.add(T0 + DAY + i * 7)] = i;
    wheel.advance(T0 + 3_600_000, () => {});
    const started = performance.now();
    wheel.rewind(T0 - DAY);
    expect(performance.now() - started).toBeLessThan(500);
    expect(wheel.size).toBe(200_000);
    expect(wheel.advance(T0 + DAY - 1, () => {})).toBe(0);
    const order: number[] = [];
    const record = (id: TimerId) => order.push(wheel.payload[id]!);
    // Entry i is due at T0 + DAY + 7i: exactly 1000 are due 6,999 ms after the first.
    expect(wheel.advance(T0 + DAY + 6999, record)).toBe(1000);
    expect(wheel.advance(T0 + DAY + 7 * 200_000, record)).toBe(199_000);
    expect(order).toEqual(Array.from({ length: 200_000 }, (_, i) => i));
  });
});

/** Reference entry: `serial` is unique per add (row ids are reused); `tick`, `seq`: the documented order. */
interface RewindEntry {
  id: TimerId;
  due: number;
  serial: number;
  tick: number;
  seq: number;
}

type RewindOp =
  | { kind: 'add'; delta: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'reschedule'; pick: number; delta: number }
  | { kind: 'advance'; delta: number }
  | { kind: 'advanceToNext' }
  | { kind: 'rewind'; back: number };

const forward = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 2 ** 37 }),
  fc.double({ min: 0, max: 100, noNaN: true }),
);
const rewindOp: fc.Arbitrary<RewindOp> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), delta }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reschedule' as const), pick: fc.nat(), delta }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), delta: forward }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'advanceToNext' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('rewind' as const),
      back: fc.oneof(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 70_000 }),
        fc.double({ min: 0, max: 5_000, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 38 }),
      ),
    }),
  },
);

describe('TimerWheel with backward steps against a reference model', () => {
  it('fires each entry once, in the first advance(now) with now >= ceil(due), in order', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.double({ min: -1e6, max: 2e12, noNaN: true })),
        fc.integer({ min: 1, max: 8 }),
        fc.array(rewindOp, { maxLength: 150 }),
        (origin, capacity, ops) => {
          const wheel = new TimerWheel({ now: origin, initialCapacity: capacity });
          let model: RewindEntry[] = [];
          let time = origin;
          let serial = 0;
          let seq = 0;
          const place = (id: TimerId, due: number, s: number) => {
            wheel.payload[id] = s;
            model.push({ id, due, serial: s, tick: Math.max(Math.ceil(due), Math.floor(time)), seq: seq++ });
          };
          const take = (pick: number) => model.splice(pick % model.length, 1)[0]!;

          const advance = (now: number) => {
            expect(now).toBeGreaterThanOrEqual(time);
            time = now;
            // The simple rule: exactly the entries with ceil(due) <= now fire, each once.
            const due = model.filter((e) => Math.ceil(e.due) <= now);
            // Their order: tick, then seq (FIFO; after a rewind, the order they would have fired in before).
            due.sort((a, b) => a.tick - b.tick || a.seq - b.seq);
            const fired: number[] = [];
            const count = wheel.advance(now, (id) => {
              expect(wheel.has(id)).toBe(false);
              fired.push(wheel.payload[id]!);
            });
            expect(fired).toEqual(due.map((e) => e.serial));
            expect(count).toBe(due.length);
            model = model.filter((e) => Math.ceil(e.due) > now);
          };

          for (const o of ops) {
            if (o.kind === 'add') {
              place(wheel.add(time + o.delta), time + o.delta, serial++);
            } else if (o.kind === 'remove' && model.length > 0) {
              wheel.remove(take(o.pick).id);
            } else if (o.kind === 'reschedule' && model.length > 0) {
              const e = take(o.pick);
              wheel.reschedule(e.id, time + o.delta);
              place(e.id, time + o.delta, e.serial);
            } else if (o.kind === 'advance') {
              advance(time + o.delta);
            } else if (o.kind === 'advanceToNext') {
              const next = wheel.nextDue();
              if (model.length === 0) expect(next).toBe(Number.POSITIVE_INFINITY);
              else {
                expect(next).toBeGreaterThanOrEqual(Math.floor(time));
                const first = Math.min(...model.map((e) => Math.ceil(e.due)));
                expect(next).toBeLessThanOrEqual(Math.max(Math.floor(time), first));
                advance(Math.max(time, next));
              }
            } else if (o.kind === 'rewind') {
              const now = time - o.back;
              wheel.rewind(now);
              if (now < time) {
                time = now;
                // Every entry is placed again, in the order it would have fired before the step.
                model.sort((a, b) => a.tick - b.tick || a.seq - b.seq);
                for (const e of model) {
                  e.tick = Math.max(Math.ceil(e.due), Math.floor(time));
                  e.seq = seq++;
                }
              }
            }
            expect(wheel.now).toBe(time);
            expect(wheel.size).toBe(model.length);
            for (const e of model) {
              expect(wheel.has(e.id)).toBe(true);
              expect(wheel.dueOf(e.id)).toBe(e.due);
              expect(wheel.payload[e.id]).toBe(e.serial);
            }
          }
          // Drain by nextDue(): every remaining entry fires, each exactly at its tick.
          for (let guard = 0; model.length > 0; guard++) {
            expect(guard).toBeLessThan(10_000);
            const next = Math.max(time, wheel.nextDue());
            const first = Math.min(...model.map((e) => Math.ceil(e.due)));
            expect(next).toBeLessThanOrEqual(Math.max(first, time));
            advance(next);
          }
          expect(wheel.nextDue()).toBe(Number.POSITIVE_INFINITY);
        },
      ),
      { numRuns: 400 },
    );
  });
});
