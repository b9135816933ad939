/** @module params — the query parameters of RocketMQ HTTP, parsed by name and checked against their ranges. */
import { invalidArgument } from './errors.js';
import { checkName, checkNamespace } from './names.js';

/** Decoded query parameters. */
export type Query = ReadonlyMap<string, string>;

/** The instance id (`ns`); absent or empty means the default instance. */
export function nsParam(query: Query): string {
  const ns = query.get('ns');
  return ns === undefined ? '' : checkNamespace(ns);
}

/** The consumer group id (`consumer`), required by consume, ack and half-message consume (commit/rollback ignore it). */
export function consumerParam(query: Query): string {
  const consumer = query.get('consumer');
  if (consumer === undefined || consumer === '') throw invalidArgument('consumer is required.');
  return checkName('consumer', consumer);
}

const DIGITS = /^\d{1,9}$/;

/** An integer parameter in `min..max`; `fallback` when absent (`undefined` fallback: the parameter is required). */
export function intParam(query: Query, name: string, min: number, max: number, fallback?: number): number {
  const text = query.get(name);
  if (text === undefined || (text === '' && fallback !== undefined)) {
    if (fallback === undefined) throw invalidArgument(`${name} is required (${min} to ${max}).`);
    return fallback;
  }
  const value = DIGITS.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max))
    throw invalidArgument(`${name} must be an integer from ${min} to ${max}.`);
  return value;
}

/** The `trans` parameter, one of `allowed` (or absent: `undefined`). */
export function transParam<T extends string>(query: Query, allowed: readonly T[]): T | undefined {
  const trans = query.get('trans');
  if (trans === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(trans)) {
    throw invalidArgument(
      allowed.length === 0
        ? 'trans is not accepted here.'
        : `trans must be ${allowed.join(' or ')} here, not "${trans.slice(0, 40)}".`,
    );
  }
  return trans as T;
}

/**
 * The tag filter of a consume: `undefined` for every message (no `tag`, `*`, or a list holding `*`), otherwise
 * the set of accepted tags (`TagA||TagB`).
 */
export function tagFilter(query: Query): ReadonlySet<string> | undefined {
  const text = query.get('tag');
  if (text === undefined) return undefined;
  const tags = new Set<string>();
  for (const part of text.split('||')) {
    const tag = part.trim();
    if (tag === '*') return undefined;
    if (tag !== '') tags.add(tag);
  }
  return tags.size === 0 ? undefined : tags;
}
