/** @module params — URL query parameters of the DMS API: integers with ranges, and booleans. */
import { DmsCode as Codes, type DmsCode, dmsError } from './errors.js';

const INTEGER = /^[+-]?\d{1,9}$/;

/**
 * An integer parameter: `fallback` when absent, 400 `10540014` when not an integer, `rangeCode` outside `min..max`.
 */
export function intParam(
  query: ReadonlyMap<string, string>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  rangeCode: DmsCode,
): number {
  const text = query.get(name);
  if (text === undefined) return fallback;
  if (!INTEGER.test(text.trim())) {
    throw dmsError(Codes.InvalidUrlParameter, `The value of ${name} must be an integer.`);
  }
  const value = Number(text);
  if (value < min || value > max) throw dmsError(rangeCode);
  return value;
}

/** A boolean parameter (`true`/`false`, any case): `false` when absent, 400 `10540014` otherwise. */
export function boolParam(query: ReadonlyMap<string, string>, name: string): boolean {
  const text = query.get(name);
  if (text === undefined || text === '') return false;
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw dmsError(Codes.InvalidUrlParameter, `The value of ${name} must be true or false.`);
}
