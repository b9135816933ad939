/**
 * @module rocketmq-config.test — RocketMQ settings in the config file: durations, the precedence of consumer group >
 * topic > instance > server defaults > the service's values, and the refusals (unknown keys, out-of-range values,
 * conflicting declarations) naming the file and the path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { configOptions } from '../src/config-file.js';
import { resolveServerOptions } from '../src/options.js';
import { durationMs } from '../src/rocketmq-settings.js';

/** The dialect options a config file resolves to (what `startServer` hands the RocketMQ dialect). */
const resolved = (json: unknown) => resolveServerOptions(configOptions(json, '/', 'sluice.json')).rocketmq;

describe('durations', () => {
  it.each([
    [2000, 2000],
    ['2000', 2000],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['3d', 259_200_000],
  ])('%j is %d ms', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each([['1.5s'], ['5 s'], ['5S'], ['s'], [''], ['-5s'], ['5w'], [1.5], [Number.NaN], [null], [true]])(
    '%j is not a duration',
    (text) => {
      expect(durationMs(text)).toBeUndefined();
    },
  );
});

describe('precedence', () => {
  const json = {
    rocketmq: {
      invisibility: '30s',
      maxDeliveries: 10,
      instances: { MQ_INST_1: { invisibility: '20s', retention: '1d' }, '': { orderedInvisibility: '40s' } },
      topics: [
        {
          name: 'orders',
          instance: 'MQ_INST_1',
          invisibility: '10s',
          maxDeliveries: 5,
          retention: '2h',
          consumers: [
            'GID_plain',
            { name: 'GID_fast', invisibility: '2s', maxDeliveries: 3 },
            { name: 'GID_fast', ordered: true, orderedInvisibility: '1s' },
          ],
        },
        { name: 'orders', consumers: [{ name: 'GID_fast', maxDeliveries: 7 }] },
      ],
    },
  };

  it('keeps the server defaults as the dialect options', () => {
    const r = resolved(json);
    expect({ ...r, settingsFor: undefined }).toEqual({
      invisibility: 30_000,
      maxDeliveries: 10,
      settingsFor: undefined,
    });
  });

  it('answers consumer group > topic > instance, field by field, per instance', () => {
    const at = resolved(json).settingsFor!;
    // The declared group: its own invisibility and maxDeliveries, its topic's retention (a group has none).
    expect(at('MQ_INST_1', 'orders', 'GID_fast')).toEqual({
      invisibility: 2000,
      orderedInvisibility: 1000,
      maxDeliveries: 3,
      retention: 7_200_000,
    });
    // A group with no settings of its own (declared or auto-created): the topic's.
    expect(at('MQ_INST_1', 'orders', 'GID_plain')).toEqual({
      invisibility: 10_000,
      maxDeliveries: 5,
      retention: 7_200_000,
    });
    expect(at('MQ_INST_1', 'orders', 'GID_other')).toEqual(at('MQ_INST_1', 'orders', 'GID_plain'));
    expect(at('MQ_INST_1', 'orders')).toEqual(at('MQ_INST_1', 'orders', 'GID_plain'));
    // Another topic of the instance: the instance's.
    expect(at('MQ_INST_1', 'payments', 'GID_fast')).toEqual({ invisibility: 20_000, retention: 86_400_000 });
    // The same topic name in the default instance is another topic.
    expect(at('', 'orders', 'GID_fast')).toEqual({ orderedInvisibility: 40_000, maxDeliveries: 7 });
    expect(at('', 'orders', 'GID_plain')).toEqual({ orderedInvisibility: 40_000 });
    // Nothing configured: the defaults (dialect options) apply.
    expect(at('MQ_INST_2', 'orders', 'GID_fast')).toBeUndefined();
  });

  it('has no resolver when nothing overrides the defaults', () => {
    expect(resolved({ rocketmq: { invisibility: 2000, topics: [{ name: 't', consumers: ['g'] }] } })).toEqual(
      {
        invisibility: 2000,
      },
    );
    expect(resolved({})).toEqual({});
  });

  it('is the same when given to startServer directly (declarations under declare.rocketmq)', () => {
    const { rocketmq } = json;
    const direct = resolveServerOptions({
      rocketmq: { invisibility: rocketmq.invisibility, maxDeliveries: 10, instances: rocketmq.instances },
      declare: { rocketmq: { topics: rocketmq.topics } },
    }).rocketmq;
    expect(direct.settingsFor!('MQ_INST_1', 'orders', 'GID_fast')).toEqual(
      resolved(json).settingsFor!('MQ_INST_1', 'orders', 'GID_fast'),
    );
  });
});

describe('refusals name the file and the path', () => {
  const topic = (extra: Record<string, unknown>) => ({ rocketmq: { topics: [{ name: 't', ...extra }] } });
  const consumer = (c: Record<string, unknown>) => topic({ consumers: ['GID_a', { name: 'GID_b', ...c }] });

  it.each([
    // Unknown keys, at every level.
    [
      { rocketmq: { invisibilty: 1000 } },
      /^sluice\.json: rocketmq\.invisibilty is not a setting here \(invisibility, orderedInvisibility, maxDeliveries, retention, instances, topics\)$/,
    ],
    [
      { rocketmq: { instances: { X: { topics: {} } } } },
      /^sluice\.json: rocketmq\.instances\.X\.topics is not a setting here \(invisibility, orderedInvisibility, maxDeliveries, retention\)$/,
    ],
    [
      topic({ invisiblity: '2s' }),
      /^sluice\.json: rocketmq\.topics\[0\]\.invisiblity is not a setting here \(name, instance, consumers, invisibility, orderedInvisibility, maxDeliveries, retention\)$/,
    ],
    [
      consumer({ maxDelivery: 3 }),
      /^sluice\.json: rocketmq\.topics\[0\]\.consumers\[1\]\.maxDelivery is not a setting here \(name, ordered, invisibility, orderedInvisibility, maxDeliveries\)$/,
    ],
    [
      consumer({ retention: '1d' }),
      /^sluice\.json: rocketmq\.topics\[0\]\.consumers\[1\]\.retention: retention is a topic's setting; set it on the topic or instance$/,
    ],
    // Out of range or not a duration, at every level.
    [
      { rocketmq: { retention: 0 } },
      /^sluice\.json: rocketmq\.retention must be a duration from 1s to 30d \(ms, or a string such as "30s", "5m", "2h", "3d"\), got 0$/,
    ],
    [
      { rocketmq: { instances: { 'MQ.1': { invisibility: '1w' } } } },
      /^sluice\.json: rocketmq\.instances\["MQ\.1"\]\.invisibility must be a duration from 1s to 12h .*got "1w"$/,
    ],
    [
      { rocketmq: { instances: { '': { maxDeliveries: 65_536 } } } },
      /^sluice\.json: rocketmq\.instances\[""\]\.maxDeliveries must be an integer from 1 to 65535, got 65536$/,
    ],
    [
      topic({ retention: '500ms' }),
      /^sluice\.json: rocketmq\.topics\[0\]\.retention must be a duration from 1s to 30d/,
    ],
    [
      consumer({ invisibility: '999ms' }),
      /^sluice\.json: rocketmq\.topics\[0\]\.consumers\[1\]\.invisibility must be a duration from 1s to 12h .*got "999ms"$/,
    ],
    [
      consumer({ maxDeliveries: '3' }),
      /^sluice\.json: rocketmq\.topics\[0\]\.consumers\[1\]\.maxDeliveries must be an integer from 1 to 65535, got "3"$/,
    ],
    // Shapes.
    [
      { rocketmq: { instances: [] } },
      /^sluice\.json: rocketmq\.instances must be an object of instance ids$/,
    ],
    [
      { rocketmq: { instances: { 'a b': {} } } },
      /^sluice\.json: rocketmq\.instances\["a b"\]: an instance id is up to 64/,
    ],
    [{ rocketmq: { topics: {} } }, /^sluice\.json: rocketmq\.topics must be an array$/],
    [topic({ name: '' }), /^sluice\.json: rocketmq\.topics\[0\]\.name must be a topic name$/],
    [topic({ instance: 7 }), /^sluice\.json: rocketmq\.topics\[0\]\.instance must be an instance id/],
    [topic({ consumers: 'GID_a' }), /^sluice\.json: rocketmq\.topics\[0\]\.consumers must be an array$/],
    [
      consumer({ ordered: 'yes' }),
      /^sluice\.json: rocketmq\.topics\[0\]\.consumers\[1\]\.ordered must be true or false$/,
    ],
    // An entry sets the invisibility of the core group it declares.
    [
      consumer({ ordered: true, invisibility: '2s' }),
      /^sluice\.json: rocketmq\.topics\[0\]\.consumers\[1\]\.invisibility: this entry declares ordered consumption; set orderedInvisibility$/,
    ],
    [
      consumer({ orderedInvisibility: '2s' }),
      /^sluice\.json: rocketmq\.topics\[0\]\.consumers\[1\]\.orderedInvisibility: this entry declares normal consumption; set invisibility$/,
    ],
    // The same object declared twice with two values.
    [
      {
        rocketmq: {
          topics: [
            { name: 't', instance: 'I', retention: '1d' },
            { name: 't', instance: 'I', retention: '2d' },
          ],
        },
      },
      /^sluice\.json: rocketmq\.topics\[1\]\.retention: topic t of instance I is declared again with another retention \(86400000 and 172800000\)$/,
    ],
    [
      topic({
        consumers: [
          { name: 'g', maxDeliveries: 2 },
          { name: 'g', ordered: true, maxDeliveries: 3 },
        ],
      }),
      /^sluice\.json: rocketmq\.topics\[0\]\.consumers\[1\]\.maxDeliveries: consumer g of topic t is declared again with another maxDeliveries \(2 and 3\)$/,
    ],
  ])('%j', (json, message) => {
    expect(() => configOptions(json, '/', 'sluice.json')).toThrow(UsageError);
    expect(() => configOptions(json, '/', 'sluice.json')).toThrow(message);
  });

  it('accepts the same object declared twice with the same values, or settings on one entry only', () => {
    expect(() =>
      resolved({
        rocketmq: {
          topics: [
            { name: 't', retention: '1d', consumers: [{ name: 'g', maxDeliveries: 2 }] },
            { name: 't', retention: 86_400_000, consumers: ['g', { name: 'g', ordered: true }] },
          ],
        },
      }),
    ).not.toThrow();
  });
});

describe('the README example', () => {
  it('is a valid config file with the precedence the README states', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const block = /\*\*RocketMQ settings\*\*[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const at = resolved(JSON.parse(block!)).settingsFor!;
    expect(resolved(JSON.parse(block!))).toMatchObject({ invisibility: 30_000, maxDeliveries: 16 });
    expect(at('MQ_INST_1', 'orders', 'GID_tests')).toEqual({
      invisibility: 2000,
      maxDeliveries: 3,
      retention: 3_600_000,
    });
    expect(at('MQ_INST_1', 'orders', 'GID_billing')).toEqual({ invisibility: 10_000, retention: 3_600_000 });
    expect(at('MQ_INST_1', 'audit', 'GID_billing')).toEqual({ invisibility: 10_000 });
  });
});
