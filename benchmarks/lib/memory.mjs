/** @module benchmarks/lib/memory — settled memory readings and fresh child processes to take them in */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Memory after full garbage collections (needs `node --expose-gc`). `total` is `heapUsed + external`:
 * Node counts every ArrayBuffer (typed-array columns, Buffers, the body arena) in `external`, and
 * `arrayBuffers` is the part of `external` that is ArrayBuffers, reported on its own but not added twice.
 * @returns {{ heapUsed: number, external: number, arrayBuffers: number, rss: number, total: number }}
 */
export function settledMemory() {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc to measure memory');
  // Several passes: weak references and finalizers released by one pass are collected by the next.
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return {
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    rss: m.rss,
    total: m.heapUsed + m.external,
  };
}

/**
 * Runs `script` in a fresh `node --expose-gc` process and answers the JSON object it printed on its last
 * line of stdout. A fresh process per measurement keeps one measurement's heap out of the next.
 * @param {string | URL} script
 * @param {readonly string[]} args
 * @param {{ nodeArgs?: readonly string[], env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<any>}
 */
export function runChildJson(script, args, options = {}) {
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const nodeArgs = ['--expose-gc', ...(options.nodeArgs ?? [])];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...nodeArgs, path, ...args],
      {
        env: options.env ?? process.env,
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 15 * 60_000,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${path} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
          return;
        }
        const last = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(last));
        } catch {
          reject(
            new Error(`${path} ${args.join(' ')}: no JSON on the last line of stdout:\n${stdout}\n${stderr}`),
          );
        }
      },
    );
  });
}
