/** @module test/clock — manualClock: advance() fires due timers in order; set() steps the wall clock only */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../src/timer/clock.js';

const T0 = 1_700_000_000_000;

describe('manualClock.advance', () => {
  it('fires due timers in due order (FIFO on ties), each seeing its due as now, and ends at now + ms', () => {
    const clock = manualClock(T0);
    const log: string[] = [];
    const at = (name: string) => () => log.push(`${name}@${clock.now() - T0}`);
    clock.setTimer(at('c'), 300);
    clock.setTimer(at('a'), 100);
    clock.setTimer(at('b'), 100);
    clock.setTimer(at('late'), 1001);
    const cleared = clock.setTimer(at('cleared'), 200);
    clock.clearTimer(cleared);
    expect(clock.pending).toBe(4);
    clock.advance(1000);
    expect(log).toEqual(['a@100', 'b@100', 'c@300']);
    expect(clock.now()).toBe(T0 + 1000);
    expect(clock.pending).toBe(1);
    expect(() => clock.advance(-1)).toThrow(TypeError);
  });
});

describe('manualClock.set', () => {
  it('steps the wall clock back without delaying a pending timer: it keeps the time it had left', () => {
    const clock = manualClock(T0);
    const firedAt: number[] = [];
    clock.setTimer(() => firedAt.push(clock.now()), 1000);
    clock.advance(400);
    clock.set(T0 - 60_000);
    expect(clock.now()).toBe(T0 - 60_000);
    expect(clock.pending).toBe(1);
    clock.advance(599);
    expect(firedAt).toEqual([]);
    clock.advance(1);
    expect(firedAt).toEqual([T0 - 60_000 + 600]);
    expect(clock.pending).toBe(0);
  });

  it('steps the wall clock forward without firing anything, even timers its new time has passed', () => {
    const clock = manualClock(T0);
    const log: string[] = [];
    clock.setTimer(() => log.push(`a@${clock.now() - T0}`), 50);
    clock.setTimer(() => log.push(`b@${clock.now() - T0}`), 5000);
    clock.set(T0 + 3_600_000);
    expect(log).toEqual([]);
    expect(clock.pending).toBe(2);
    expect(clock.now()).toBe(T0 + 3_600_000);
    clock.advance(49);
    expect(log).toEqual([]);
    clock.advance(5000);
    expect(log).toEqual(['a@3600050', 'b@3605000']);
    expect(clock.now()).toBe(T0 + 3_600_000 + 5049);
  });

  it('keeps the order of pending timers and arms new timers from the new time', () => {
    const clock = manualClock(T0);
    const log: string[] = [];
    const at = (name: string) => () => log.push(`${name}@${clock.now()}`);
    clock.setTimer(at('second'), 20);
    clock.setTimer(at('first'), 10);
    clock.set(1000);
    clock.setTimer(at('new'), 15);
    const cleared = clock.setTimer(at('cleared'), 5);
    clock.set(500);
    clock.clearTimer(cleared);
    clock.setTimer(at('newer'), 0);
    expect(clock.pending).toBe(4);
    clock.advance(100);
    expect(log).toEqual(['newer@500', 'first@510', 'new@515', 'second@520']);
    expect(clock.now()).toBe(600);
  });

  it('runs the rest of an advance from the new time when a timer steps the clock', () => {
    const clock = manualClock(T0);
    const log: string[] = [];
    clock.setTimer(() => {
      log.push(`step@${clock.now() - T0}`);
      clock.set(clock.now() - 50_000);
    }, 100);
    clock.setTimer(() => log.push(`after@${clock.now() - T0}`), 500);
    clock.setTimer(() => log.push(`beyond@${clock.now() - T0}`), 1001);
    clock.advance(1000);
    // 1000 ms pass in all: 100 before the step, 900 after it, from 50 s earlier.
    expect(log).toEqual(['step@100', 'after@-49500']);
    expect(clock.now()).toBe(T0 + 1000 - 50_000);
    clock.advance(1);
    expect(log).toEqual(['step@100', 'after@-49500', 'beyond@-48999']);
  });

  it('is a no-op at the current time and rejects non-finite or non-number times', () => {
    const clock = manualClock(T0);
    let fired = 0;
    clock.setTimer(() => fired++, 10);
    clock.set(T0);
    expect(clock.now()).toBe(T0);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '5', undefined]) {
      expect(() => clock.set(bad as number)).toThrow(TypeError);
    }
    expect(clock.now()).toBe(T0);
    clock.advance(9);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
  });
});
