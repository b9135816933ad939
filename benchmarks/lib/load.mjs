/** @module benchmarks/lib/load — HTTP load with autocannon, the rate measured from the responses themselves */
import autocannon from 'autocannon';

/**
 * Runs autocannon (keep-alive, no pipelining unless `opts` says) and answers its result plus `measuredRate`:
 * responses per second from the start to the last response. autocannon ends a run on its 1 s tick, so its own
 * duration is rounded to whole seconds — for a fixed-amount run (`amount`) that quantizes the rate (6,000
 * requests done in 1.2 s read as 5,940/s, in 1.9 s as 2,986/s). Every request's `onResponse` still runs.
 * @param {import('autocannon').Options} opts
 * @returns {Promise<import('autocannon').Result & { measuredRate: number, responses: number }>}
 */
export function runLoad(opts) {
  let responses = 0;
  let last = 0;
  const started = performance.now();
  const stamp = (onResponse) => (status, body, context, headers) => {
    responses++;
    last = performance.now();
    onResponse?.(status, body, context, headers);
  };
  const requests = (opts.requests ?? [{}]).map((r) => ({ ...r, onResponse: stamp(r.onResponse) }));
  return new Promise((resolve, reject) => {
    const instance = autocannon({ pipelining: 1, ...opts, requests }, (err, result) =>
      err
        ? reject(err)
        : resolve({ ...result, responses, measuredRate: responses / ((last - started) / 1000) }),
    );
    autocannon.track(instance, {
      renderProgressBar: false,
      renderResultsTable: false,
      renderLatencyTable: false,
    });
  });
}
