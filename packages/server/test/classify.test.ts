/** @module classify.test — which requests are receives and long polls, and what the metrics count from answers. */
import { splitTarget, type WireRequest } from '@sluice/http';
import { describe, expect, it } from 'vitest';
import { dmsReceive, mnsReceive, rocketMqReceive } from '../src/classify.js';
import { countJsonMessages, countXmlMessages } from '../src/instrument.js';

const req = (method: string, target: string): WireRequest => ({
  method,
  target,
  ...splitTarget(target),
  headers: {},
  body: new Uint8Array(0),
});

describe('mnsReceive', () => {
  it('recognises ReceiveMessage; no waitseconds (the queue default) may park, 0 does not', () => {
    expect(mnsReceive(req('GET', '/queues/q/messages'))).toEqual({
      topic: 'mns:queue:q',
      group: '',
      long: true,
      counted: true,
    });
    expect(mnsReceive(req('GET', '/queues/q/messages?waitSeconds=0&numOfMessages=16'))?.long).toBe(false);
    expect(mnsReceive(req('GET', '/queues/q/messages?waitseconds=5'))?.long).toBe(true);
  });

  it('ignores peeks, sends, deletes and other paths', () => {
    expect(mnsReceive(req('GET', '/queues/q/messages?peekonly=true'))).toBeUndefined();
    expect(mnsReceive(req('POST', '/queues/q/messages'))).toBeUndefined();
    expect(mnsReceive(req('DELETE', '/queues/q/messages?ReceiptHandle=h'))).toBeUndefined();
    expect(mnsReceive(req('GET', '/queues/q'))).toBeUndefined();
  });
});

describe('rocketMqReceive', () => {
  it('maps instance, topic and GID (ordered: GID%ORDER); no waitseconds is a short poll', () => {
    expect(rocketMqReceive(req('GET', '/topics/T/messages?consumer=GID_a&ns=MQ_1&waitseconds=3'))).toEqual({
      topic: 'rocketmq:MQ_1:T',
      group: 'GID_a',
      long: true,
      counted: true,
    });
    expect(rocketMqReceive(req('GET', '/topics/T/messages?consumer=GID_a&trans=order'))).toMatchObject({
      group: 'GID_a%ORDER',
      long: false,
    });
    expect(
      rocketMqReceive(req('GET', '/topics/T/messages?consumer=G&trans=pop&waitseconds=1')),
    ).toMatchObject({
      long: true,
      counted: false,
    });
    expect(rocketMqReceive(req('POST', '/topics/T/messages'))).toBeUndefined();
  });
});

describe('dmsReceive', () => {
  it('recognises consumes of messages and dead letters; every one may park (time_wait defaults to 3 s)', () => {
    expect(dmsReceive(req('GET', '/v1.0/p/queues/q1/groups/g-1/messages?max_msgs=10'))).toEqual({
      topic: 'dms:p:q1',
      group: 'g-1',
      long: true,
      counted: true,
    });
    expect(dmsReceive(req('GET', '/v1.0/p/queues/q1/groups/g-1/deadletters'))?.counted).toBe(false);
    expect(dmsReceive(req('POST', '/v1.0/p/queues/q1/groups/g-1/ack'))).toBeUndefined();
    expect(dmsReceive(req('GET', '/v1.0/p/queues/q1/groups'))).toBeUndefined();
  });
});

describe('message counts', () => {
  it('counts receipt handles in XML (bodies are escaped) and array items in DMS JSON', () => {
    const xml =
      '<Messages><Message><ReceiptHandle>a</ReceiptHandle><MessageBody>&lt;ReceiptHandle&gt;</MessageBody></Message>' +
      '<Message><ReceiptHandle>b</ReceiptHandle></Message></Messages>';
    expect(countXmlMessages(xml)).toBe(2);
    expect(countXmlMessages(new TextEncoder().encode(xml))).toBe(2);
    const json =
      '[{"message":{"body":{"handler":"x"},"attributes":{}},"handler":"h1"},{"message":{"body":1},"handler":"h2"}]';
    expect(countJsonMessages(json)).toBe(2);
    expect(countJsonMessages('{"error":{}}')).toBe(0);
    expect(countJsonMessages('not json')).toBe(0);
  });
});
