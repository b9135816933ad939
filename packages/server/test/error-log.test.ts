/** @module error-log.test — the CLI's log of internal failures: one line each, details kept, repeats folded. */
import { SluiceError } from '@sluice/core';
import { reportInternalFailure, type WireRequest } from '@sluice/http';
import { afterEach, describe, expect, it } from 'vitest';
import { logInternalFailures } from '../src/error-log.js';

const request = (path: string): WireRequest => ({
  method: 'POST',
  target: `${path}?ReceiptHandle=secret-handle`,
  path,
  query: new Map([['ReceiptHandle', 'secret-handle']]),
  headers: { authorization: 'MNS ak:signature' },
  body: new Uint8Array(),
});

function enospc(): SluiceError {
  const cause = Object.assign(new Error("ENOSPC: no space left on device, write '/data/seg-1.log'"), {
    code: 'ENOSPC',
  });
  return new SluiceError('StorageError', `log write failed: ${cause.message}`, undefined, { cause });
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('logInternalFailures', () => {
  it('logs a storage failure with its details, the method and path only', () => {
    const lines: string[] = [];
    stop = logInternalFailures((line) => lines.push(line));
    reportInternalFailure('mns', enospc(), request('/queues/q/messages'));
    expect(lines).toEqual([
      "sluice: mns POST /queues/q/messages: storage failure: log write failed: ENOSPC: no space left on device, write '/data/seg-1.log'\n",
    ]);
    expect(lines[0]).not.toContain('secret-handle');
    expect(lines[0]).not.toContain('signature');
  });

  it('adds the errno code when the message lacks it, and the stack of an unexpected error', () => {
    const lines: string[] = [];
    stop = logInternalFailures((line) => lines.push(line));
    const cause = Object.assign(new Error('disk on fire'), { code: 'EIO' });
    reportInternalFailure(
      'dms',
      new SluiceError('StorageError', 'fsync failed', undefined, { cause }),
      request('/v1.0/p/queues'),
    );
    reportInternalFailure('rocketmq', new TypeError('x is undefined'), undefined);
    expect(lines[0]).toBe('sluice: dms POST /v1.0/p/queues: storage failure: fsync failed (EIO)\n');
    expect(lines[1]).toMatch(/^sluice: rocketmq: internal error: TypeError: x is undefined\n {4}at /);
  });

  it('folds the same failure within the quiet time and counts it on the next line', () => {
    const lines: string[] = [];
    let t = 0;
    stop = logInternalFailures((line) => lines.push(line), { now: () => t, quietMs: 1000 });
    for (let i = 0; i < 5; i++) reportInternalFailure('mns', enospc(), request('/queues/q/messages'));
    // Another dialect is another failure.
    reportInternalFailure('dms', enospc(), request('/v1.0/p/queues/x/messages'));
    expect(lines).toHaveLength(2);
    t = 1000;
    reportInternalFailure('mns', enospc(), request('/queues/q/messages'));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('storage failure (4 more like it before): log write failed');
  });

  it('stops logging once unsubscribed', () => {
    const lines: string[] = [];
    logInternalFailures((line) => lines.push(line))();
    reportInternalFailure('mns', enospc(), undefined);
    expect(lines).toEqual([]);
  });
});
