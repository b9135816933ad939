/** @module params.test — query parameters, names and tag filters. */
import { describe, expect, it } from 'vitest';
import type { RocketMqError } from '../src/errors.js';
import { coreGroupName, coreTopicName, deadLetterQueueName, halfQueueName } from '../src/names.js';
import { consumerParam, intParam, nsParam, tagFilter, transParam } from '../src/params.js';

const q = (entries: Record<string, string>) => new Map(Object.entries(entries));
const code = (fn: () => unknown) => {
  try {
    return fn();
  } catch (error) {
    return (error as RocketMqError).wire.code;
  }
};

describe('intParam', () => {
  it('parses in range, falls back when absent, refuses the rest', () => {
    expect(intParam(q({ n: '16' }), 'n', 1, 16)).toBe(16);
    expect(intParam(q({}), 'w', 0, 30, 0)).toBe(0);
    expect(intParam(q({ w: '' }), 'w', 0, 30, 0)).toBe(0);
    for (const v of ['0', '17', '', 'x', '1.0', '-1', '0x1', '99999999999']) {
      expect(
        code(() => intParam(q({ n: v }), 'n', 1, 16)),
        v,
      ).toBe('InvalidArgument');
    }
    expect(code(() => intParam(q({}), 'n', 1, 16))).toBe('InvalidArgument');
  });
});

describe('names', () => {
  it('checks consumer and ns', () => {
    expect(consumerParam(q({ consumer: 'GID_a-1' }))).toBe('GID_a-1');
    expect(code(() => consumerParam(q({})))).toBe('InvalidArgument');
    expect(code(() => consumerParam(q({ consumer: 'a:b' })))).toBe('InvalidArgument');
    expect(nsParam(q({}))).toBe('');
    expect(nsParam(q({ ns: 'MQ_INST_1.x' }))).toBe('MQ_INST_1.x');
    expect(code(() => nsParam(q({ ns: 'a:b' })))).toBe('InvalidArgument');
  });

  it('maps RocketMQ names one-to-one into the core, apart from other dialects', () => {
    expect(coreTopicName('', 'T')).toBe('rocketmq::T');
    expect(coreTopicName('ns', 'T')).not.toBe(coreTopicName('', 'T'));
    expect(halfQueueName('ns', 'T')).not.toBe(coreTopicName('ns', 'T'));
    expect(deadLetterQueueName('ns', 'GID')).toBe('rocketmq:ns:%DLQ%GID');
    expect(coreGroupName('GID', true)).not.toBe(coreGroupName('GID', false));
  });
});

describe('transParam', () => {
  it('accepts only the listed values', () => {
    expect(transParam(q({}), ['order', 'pop'])).toBeUndefined();
    expect(transParam(q({ trans: 'pop' }), ['order', 'pop'])).toBe('pop');
    expect(code(() => transParam(q({ trans: 'commit' }), ['order', 'pop']))).toBe('InvalidArgument');
    expect(code(() => transParam(q({ trans: 'x' }), []))).toBe('InvalidArgument');
  });
});

describe('tagFilter', () => {
  it('reads *, single tags and A||B lists', () => {
    expect(tagFilter(q({}))).toBeUndefined();
    expect(tagFilter(q({ tag: '*' }))).toBeUndefined();
    expect(tagFilter(q({ tag: 'A||*' }))).toBeUndefined();
    expect(tagFilter(q({ tag: '' }))).toBeUndefined();
    expect([...tagFilter(q({ tag: 'A' }))!]).toEqual(['A']);
    expect([...tagFilter(q({ tag: 'A||B|| C ||' }))!]).toEqual(['A', 'B', 'C']);
  });
});
