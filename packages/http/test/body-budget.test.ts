/** @module body-budget.test — the server-wide budget of large-body bytes: who waits, in which order, and release. */
import { describe, expect, it } from 'vitest';
import { BodyBudget, type Release } from '../src/index.js';

const now = (r: Release | Promise<Release>): Release => {
  if (typeof r !== 'function') throw new Error('expected an immediate grant');
  return r;
};

describe('BodyBudget', () => {
  it('lets small bodies through, holds large ones to the budget, and grants waiters in arrival order', async () => {
    const budget = new BodyBudget({ maxBytes: 100, largeBytes: 10 });
    now(budget.acquire(5)); // small: free, not counted
    const a = now(budget.acquire(60));
    const b = budget.acquire(50);
    const c = budget.acquire(20);
    expect(typeof b).not.toBe('function');
    // c would fit, but waits behind b: arrival order, so a large body is never starved by smaller ones.
    expect(typeof c).not.toBe('function');
    expect(budget.held).toBe(60);
    expect(budget.waiting).toBe(2);
    a();
    a(); // a second release changes nothing
    const rb = await b;
    const rc = await c;
    expect(budget.held).toBe(70);
    rb();
    rc();
    expect(budget.held).toBe(0);
  });

  it('always lets one body in when nothing is held, even one larger than the budget', () => {
    const budget = new BodyBudget({ maxBytes: 100, largeBytes: 10 });
    const big = now(budget.acquire(500));
    expect(budget.held).toBe(500);
    big();
  });

  it('validates its options', () => {
    expect(() => new BodyBudget({ maxBytes: 0 })).toThrow(TypeError);
    expect(() => new BodyBudget({ largeBytes: -1 })).toThrow(TypeError);
  });
});
