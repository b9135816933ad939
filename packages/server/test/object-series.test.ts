/** @module object-series.test — the per-object series: the cap, the folding into `_other`, the text itself. */
import { createBroker, manualClock } from '@sluice/core';
import { type OpenMetricsContentType, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.js';
import { ObjectSeries } from '../src/object-series.js';
import { runInSlices } from '../src/slices.js';
import { TopN } from '../src/top-n.js';

/** `name{labels} value` lines of `text` as [series, value]. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const series = line.slice(0, at);
    expect(out.has(series), `duplicate ${series}`).toBe(false);
    out.set(series, Number(line.slice(at + 1)));
  }
  return out;
}

/** Three MNS queues holding 3, 1 and 2 messages, two RocketMQ groups on one topic, one DMS queue. */
async function smallBroker() {
  const broker = await createBroker();
  const fill = async (t: { send(i: { body: string }): Promise<unknown> }, n: number) => {
    for (let i = 0; i < n; i++) await t.send({ body: 'abcd' });
  };
  await fill(broker.createQueue('mns:queue:a'), 3);
  await fill(broker.createQueue('mns:queue:b'), 1);
  await fill(broker.createQueue('mns:queue:c'), 2);
  const topic = broker.createTopic('rocketmq:MQ_INST_1:orders');
  topic.createGroup('GID_x');
  topic.createGroup('GID_y');
  await fill(topic, 2);
  const dms = broker.createTopic('dms:p1:q1');
  dms.createGroup('g1');
  return broker;
}

describe('TopN', () => {
  it('keeps the n best whatever the order they come in, and hands back the rest', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i * 7919) % 200);
    for (const order of [values, [...values].reverse(), [...values].sort((a, b) => a - b)]) {
      const top = new TopN<number>(10, (a, b) => a > b);
      const dropped: number[] = [];
      for (const v of order) {
        const out = top.offer(v);
        if (out !== undefined) dropped.push(out);
      }
      expect([...top.items].sort((a, b) => b - a)).toEqual([
        199, 198, 197, 196, 195, 194, 193, 192, 191, 190,
      ]);
      expect(dropped.length).toBe(190);
      expect(Math.max(...dropped)).toBe(189);
    }
    const none = new TopN<number>(0, (a, b) => a > b);
    expect(none.offer(5)).toBe(5);
    expect(none.items).toEqual([]);
  });
});

describe('runInSlices', () => {
  it('gives the event loop a turn between slices', async () => {
    let turns = 0;
    let running = true;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    // 1,280 units of >= 0.05 ms: >= 64 ms, in slices of 5 ms (at least 64 units each): 10 slices or more.
    function* work() {
      for (let i = 0; i < 1280; i++) {
        const end = performance.now() + 0.05;
        while (performance.now() < end);
        yield;
      }
    }
    await runInSlices(work(), 5);
    running = false;
    expect(turns).toBeGreaterThanOrEqual(8);
  });
});

describe('ObjectSeries', () => {
  it('keeps the deepest groups and topics, folds the rest per dialect into _other, and the sums add up', async () => {
    const broker = await smallBroker();
    const series = new ObjectSeries(broker, { maxObjects: 2 });
    series.received('mns:queue:b', '', 4);
    const text = await series.render();
    const s = samples(text);
    // Groups by backlog: a (3), then c, GID_x, GID_y (2 each): c wins the tie by name.
    expect(s.get('sluice_messages_active{dialect="mns",topic="mns:queue:a",group=""}')).toBe(3);
    expect(s.get('sluice_messages_active{dialect="mns",topic="mns:queue:c",group=""}')).toBe(2);
    expect(s.get('sluice_messages_active{dialect="mns",topic="_other",group="_other"}')).toBe(1);
    expect(s.get('sluice_messages_active{dialect="rocketmq",topic="_other",group="_other"}')).toBe(4);
    expect(s.get('sluice_messages_active{dialect="dms",topic="_other",group="_other"}')).toBe(0);
    expect(s.get('sluice_messages_received_total{dialect="mns",topic="_other",group="_other"}')).toBe(4);
    // Topics by stored messages: a (3), then c and orders (2): c wins by name.
    expect(s.get('sluice_topic_messages{dialect="mns",topic="mns:queue:a"}')).toBe(3);
    expect(s.get('sluice_topic_messages{dialect="mns",topic="mns:queue:c"}')).toBe(2);
    expect(s.get('sluice_topic_messages{dialect="rocketmq",topic="_other"}')).toBe(2);
    expect(s.get('sluice_topic_bytes{dialect="mns",topic="_other"}')).toBe(4);
    expect(s.get('sluice_messages_sent_total{dialect="mns",topic="_other"}')).toBe(1);
    expect(s.get('sluice_objects{dialect="rocketmq",kind="group"}')).toBe(2);
    expect(s.get('sluice_objects{dialect="rocketmq",kind="topic"}')).toBe(1);
    expect(s.get('sluice_objects_folded{dialect="mns",kind="group"}')).toBe(1);
    expect(s.get('sluice_objects_folded{dialect="rocketmq",kind="group"}')).toBe(2);
    const groupSeries = [...s.keys()].filter((k) => k.startsWith('sluice_messages_active{'));
    expect(groupSeries.length).toBe(2 + 3); // the cap, plus one _other per dialect with folded groups
    // Every family has its HELP and TYPE, counters typed as counters.
    expect(text).toContain('# TYPE sluice_messages_acked_total counter\n');
    expect(text).toContain('# TYPE sluice_oldest_message_age_seconds gauge\n');
  });

  it('without folding there is no _other series; with a cap of 0 there is nothing but _other', async () => {
    const broker = await smallBroker();
    const all = await new ObjectSeries(broker, { maxObjects: 100 }).render();
    expect(all).not.toContain('topic="_other"');
    expect(
      samples(all).get(
        'sluice_messages_active{dialect="rocketmq",topic="rocketmq:MQ_INST_1:orders",group="GID_y"}',
      ),
    ).toBe(2);
    const none = samples(await new ObjectSeries(broker, { maxObjects: 0 }).render());
    expect([...none.keys()].filter((k) => k.startsWith('sluice_messages_acked_total{'))).toEqual([
      'sluice_messages_acked_total{dialect="dms",topic="_other",group="_other"}',
      'sluice_messages_acked_total{dialect="mns",topic="_other",group="_other"}',
      'sluice_messages_acked_total{dialect="rocketmq",topic="_other",group="_other"}',
    ]);
    expect(none.get('sluice_messages_active{dialect="mns",topic="_other",group="_other"}')).toBe(6);
  });

  it('the oldest age of _other is the oldest of the folded groups', async () => {
    const clock = manualClock();
    const broker = await createBroker({ clock });
    await broker.createQueue('mns:queue:old').send({ body: 'x' });
    clock.advance(5000);
    await broker.createQueue('mns:queue:new').send({ body: 'x' });
    clock.advance(1000);
    await broker.createQueue('mns:queue:deep').sendBatch([{ body: 'x' }, { body: 'y' }]);
    clock.advance(1000);
    const s = samples(await new ObjectSeries(broker, { maxObjects: 1 }).render());
    expect(s.get('sluice_oldest_message_age_seconds{dialect="mns",topic="mns:queue:deep",group=""}')).toBe(1);
    expect(s.get('sluice_oldest_message_age_seconds{dialect="mns",topic="_other",group="_other"}')).toBe(7);
  });

  it('escapes label values, and folds a core topic really named _other', async () => {
    const broker = await createBroker();
    broker.createQueue('we"ird\\na\nme');
    broker.createQueue('_other');
    const text = await new ObjectSeries(broker).render();
    expect(text).toContain('sluice_messages_active{dialect="core",topic="we\\"ird\\\\na\\nme",group=""} 0\n');
    const s = samples(text);
    expect(s.get('sluice_objects_folded{dialect="core",kind="group"}')).toBe(1);
    expect([...s.keys()].filter((k) => k.includes('_other'))).not.toContain(
      'sluice_messages_active{dialect="core",topic="_other",group=""}',
    );
  });

  it('forgets the received counts of deleted groups', async () => {
    const broker = await createBroker();
    const topic = broker.createTopic('rocketmq:MQ_INST_1:t');
    topic.createGroup('GID_a');
    const series = new ObjectSeries(broker);
    series.received('rocketmq:MQ_INST_1:t', 'GID_a', 2);
    series.received('rocketmq:MQ_INST_1:gone', 'GID_a', 2);
    expect(await series.render()).toContain(
      'sluice_messages_received_total{dialect="rocketmq",topic="rocketmq:MQ_INST_1:t",group="GID_a"} 2\n',
    );
    topic.deleteGroup('GID_a');
    await series.render();
    topic.createGroup('GID_a');
    const s = samples(await series.render());
    expect(
      s.get('sluice_messages_received_total{dialect="rocketmq",topic="rocketmq:MQ_INST_1:t",group="GID_a"}'),
    ).toBe(0);
  });
});

describe('createMetrics', () => {
  it('registry.metrics() serves prom-client metrics and the object series, one render for concurrent calls', async () => {
    const broker = await smallBroker();
    const metrics = createMetrics(broker, { parkedLongPolls: () => 0, maxObjects: 1 });
    metrics.request('mns', 200);
    const [a, b] = await Promise.all([metrics.registry.metrics(), metrics.registry.metrics()]);
    expect(a).toBe(b);
    expect(a).toContain('sluice_http_requests_total{dialect="mns",status="200"} 1\n');
    expect(a).toContain('sluice_messages_active{dialect="mns",topic="mns:queue:a",group=""} 3\n');
    const c = await metrics.registry.metrics();
    expect(c).not.toBe(a); // a new scrape renders again (its scan time differs)
  });

  it('fits the object series before # EOF in an OpenMetrics registry, counters named without _total', async () => {
    const broker = await smallBroker();
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    createMetrics(broker, { registry: registry as unknown as Registry, parkedLongPolls: () => 0 });
    const text = await registry.metrics();
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text.indexOf('# EOF')).toBe(text.length - 6);
    expect(text).toContain('# TYPE sluice_messages_acked counter\n');
    expect(text).toContain('sluice_messages_acked_total{dialect="mns",topic="mns:queue:a",group=""} 0\n');
  });
});
