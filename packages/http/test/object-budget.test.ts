/** @module object-budget.test — the server-wide object budget: all-or-nothing takes, releases, adopted objects. */
import { describe, expect, it } from 'vitest';
import { createObjectBudget } from '../src/index.js';

describe('createObjectBudget', () => {
  it('takes places up to the limit, all or nothing, and gives them back', () => {
    const budget = createObjectBudget(3);
    expect(budget.take()).toBe(true);
    expect(budget.take(3)).toBe(false);
    expect(budget.used).toBe(1);
    expect(budget.take(2)).toBe(true);
    expect(budget.take()).toBe(false);
    budget.release(2);
    expect(budget.used).toBe(1);
    expect(budget.take(2)).toBe(true);
    budget.release(10);
    expect(budget.used).toBe(0);
  });

  it('adopts existing objects past a lowered limit and refuses new ones until enough are gone', () => {
    const budget = createObjectBudget(2);
    budget.adopt(4);
    expect(budget.used).toBe(4);
    expect(budget.take()).toBe(false);
    budget.release(2);
    expect(budget.take()).toBe(false);
    budget.release(1);
    expect(budget.take()).toBe(true);
  });

  it('is unlimited by default and refuses a bad limit', () => {
    expect(createObjectBudget().take(1e9)).toBe(true);
    expect(createObjectBudget(0).take()).toBe(false);
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => createObjectBudget(bad)).toThrow(TypeError);
  });
});
