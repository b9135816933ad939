/** @module rocketmq-settings.test — `startServer`'s `rocketmq` settings reach declared and auto-created groups. */
import { afterEach, describe, expect, it } from 'vitest';
import { type SluiceServer, startServer } from '../src/server.js';

let server: SluiceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('rocketmq settings', () => {
  it('give declared and auto-created consumer groups their invisibility', async () => {
    server = await startServer({
      port: 0,
      memory: true,
      processMetrics: false,
      rocketmq: { invisibility: 2000, orderedInvisibility: 3000 },
      declare: {
        rocketmq: { topics: [{ name: 't', consumers: ['GID_a', { name: 'GID_o', ordered: true }] }] },
      },
    });
    const topic = server.broker.topic('rocketmq::t');
    expect(topic.group('GID_a').options.visibilityTimeout).toBe(2000);
    expect(topic.group('GID_o%ORDER').options.visibilityTimeout).toBe(3000);
    // A consumer nobody declared, created by its first consume.
    const res = await fetch(`${server.url}/topics/t/messages?consumer=GID_new&numOfMessages=1`, {
      headers: { 'x-mq-version': '2015-06-06' },
    });
    expect(res.status).toBe(404);
    expect(topic.group('GID_new').options.visibilityTimeout).toBe(2000);
  });

  it('keep the service defaults when not given', async () => {
    server = await startServer({
      port: 0,
      memory: true,
      processMetrics: false,
      declare: { rocketmq: { topics: [{ name: 't', consumers: ['GID_a'] }] } },
    });
    expect(server.broker.topic('rocketmq::t').group('GID_a').options.visibilityTimeout).toBe(300_000);
  });
});
