/** @module benchmarks/peers/shape — the cycle shape every peer runs, producer loops, and installed peer versions */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The installed version of each named package (read from its package.json; `undefined` when absent).
 * @param {readonly string[]} names
 * @param {string} [from] resolve as the package `from` would (for a peer's own dependencies)
 * @returns {Record<string, string | undefined>}
 */
export function versionsOf(names, from) {
  const out = {};
  let req = require;
  if (from !== undefined) {
    try {
      req = createRequire(require.resolve(from));
    } catch {
      // `from` is not installed: resolve from here
    }
  }
  for (const name of names) out[name] = versionFrom(req, name);
  return out;
}

/** Reads `name`'s package.json from the node_modules folders `req` would search (exports maps may hide it). */
function versionFrom(req, name) {
  for (const dir of req.resolve.paths(name) ?? []) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8'));
      if (pkg.name === name) return pkg.version;
    } catch {
      // not in this folder: the next one up
    }
  }
  return undefined;
}

/**
 * Shared shape of every peer cycle: 100-byte bodies, 16 producer loops each awaiting a batch of 16, and up to
 * 64 messages in processing at once on the consumer side (a worker concurrency of 64; Sluice takes them
 * `receiveMax` = 16 per receive).
 */
export const CYCLE = /** @type {const} */ ({
  bodyBytes: 100,
  batch: 16,
  producers: 16,
  receiveMax: 16,
  concurrency: 64,
});

/**
 * Runs `loops` producer loops that together hand `n` messages to `produce(count)` in chunks of at most
 * `batch`, each loop awaiting its call before the next (as concurrent request handlers would).
 * @param {number} n
 * @param {number} batch
 * @param {number} loops
 * @param {(count: number) => unknown} produce
 */
export async function produceConcurrently(n, batch, loops, produce) {
  let claimed = 0;
  const loop = async () => {
    while (claimed < n) {
      const k = Math.min(batch, n - claimed);
      claimed += k;
      await produce(k);
    }
  };
  await Promise.all(Array.from({ length: loops }, loop));
}
