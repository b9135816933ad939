// A tour of @sluice/core in one process: a queue with long polling, visibility timeouts and dead
// letters, then a topic with two consumer groups. Run it with `pnpm start` from the repository root.
import { createBroker } from '@sluice/core';

const broker = await createBroker();
const jobs = broker.createQueue('jobs', {
  visibilityTimeout: 200,
  maxReceiveCount: 2,
  deadLetterQueue: 'jobs-dlq',
});
broker.on('deadLetter', (message, { topic }) => console.log(`dead letter from ${topic}: ${message.id}`));

// A consumer parks in a long poll; the send wakes it at once.
const parked = jobs.receive({ wait: 5_000 });
await jobs.send({ body: 'resize image 42', properties: { user: 'ada' } });
const [job] = await parked;
console.log(`received "${Buffer.from(job.body)}" (receiveCount ${job.receiveCount})`);
await jobs.ack(job.receiptHandle);

// A message nobody acks comes back after its visibility timeout, then goes to the dead letters.
await jobs.send({ body: 'poison' });
for (let i = 0; i < 2; i++) {
  const [attempt] = await jobs.receive({ wait: 1_000 });
  console.log(`attempt ${attempt.receiveCount}: "${Buffer.from(attempt.body)}", not acked`);
}
await new Promise((resolve) => setTimeout(resolve, 250));
console.log('jobs:', jobs.stats(), 'dead letters:', broker.queue('jobs-dlq').stats().active);

// A topic fans out to consumer groups that progress independently.
const orders = broker.createTopic('orders');
const billing = orders.createGroup('billing');
const shipping = orders.createGroup('shipping', { tags: ['paid'] });
await orders.sendBatch([
  { body: 'order 1', tag: 'paid' },
  { body: 'order 2', tag: 'draft' },
]);
console.log(
  'billing sees',
  (await billing.receive({ max: 10 })).map((d) => Buffer.from(d.body).toString()),
);
console.log(
  'shipping sees',
  (await shipping.receive({ max: 10 })).map((d) => Buffer.from(d.body).toString()),
);
await broker.close();
