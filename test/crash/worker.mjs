// Child process of the crash test: runs a durable broker and reports every operation the moment it is
// confirmed (its promise resolved), one line each, until the parent kills it with SIGKILL.
import { createBroker, logStorage } from '@sluice/core';

const dir = process.argv[2];
const broker = await createBroker({
  storage: logStorage({ dir, fsync: 'always', segmentBytes: 256 * 1024 }),
});
const queue = broker.createQueue('crash', { visibilityTimeout: 2_000 });
const out = (line) => process.stdout.write(`${line}\n`);
out('ready');

let n = 0;
async function produce() {
  for (;;) {
    const batch = Array.from({ length: 1 + (n % 7) }, () => ({ body: `m${n++}` }));
    const results = await queue.sendBatch(batch);
    for (const r of results) out(`S ${r.id}`);
  }
}
async function consume() {
  for (;;) {
    const got = await queue.receive({ max: 8, wait: 50 });
    // Ack about two thirds; leave the rest inflight to time out (or be killed inflight).
    const ack = got.filter((_, i) => i % 3 !== 2);
    // An ack may take effect even if we die before hearing so: say which ones we are about to send.
    for (const d of ack) out(`T ${d.id}`);
    const results = await queue.ackBatch(ack.map((d) => d.receiptHandle));
    results.forEach((r, i) => {
      if (r.ok) out(`A ${ack[i].id}`);
    });
  }
}
await Promise.all([produce(), produce(), consume()]);
