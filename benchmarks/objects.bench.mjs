/** @module benchmarks/objects — memory of an empty queue, topic or consumer group, in the core and through each dialect */
/*
 * A server may carry tens of thousands of idle objects (a queue per tenant, a topic per device type, a consumer
 * group per service), so an empty object must cost little: the goal is <= 4 KB each. Each row creates N empty
 * objects in a fresh `node --expose-gc` process and reports (settled heapUsed + external after - before) / N:
 *
 *   core queue / topic / group   createQueue, createTopic, topic.createGroup on an in-memory broker
 *   core queue (log)             createQueue on logStorage (fsync never): the journal's share per object
 *   MNS queue                    CreateQueue (PUT /queues/<name>) through the MNS handler
 *   RocketMQ topic + group       auto-created by a consume (a new topic with its GID; per topic + group)
 *   RocketMQ group               auto-created by a consume with a new GID on one topic
 *   DMS queue                    POST /v1.0/<project>/queues (30 per project: the service's quota)
 *   DMS queue + 3 groups         the same, then POST .../queues/<id>/groups with 3 groups (the service's most
 *                                per queue); per object, i.e. the memory of the queue and its groups / 4
 *   RocketMQ topic + group       likewise per object: / 2
 *
 * The dialect rows call each handler's `fetch` in process (no sockets: the per-connection cost is not what
 * is measured, and 100k HTTP round trips would take minutes); the object caps of the dialects are raised to
 * fit N. Run:  node --expose-gc benchmarks/objects.bench.mjs [--quick] [--sizes 10000,100000]
 * Writes benchmarks/results/objects-<date>[-quick].json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runChildJson, settledMemory } from './lib/memory.mjs';
import { packageEntry } from './lib/packages.mjs';
import { machine, today, writeResult } from './lib/results.mjs';
import { printTable } from './lib/table.mjs';

const KINDS = [
  'core queue',
  'core topic',
  'core group',
  'core queue (log)',
  'MNS queue',
  'RocketMQ topic + group',
  'RocketMQ group',
  'DMS queue',
  'DMS queue + 3 groups',
];
/** The issue-13 goal for one empty object, bytes. */
export const GOAL_BYTES = 4096;

/** Objects each step of `kind` creates (the goal is per object). */
const OBJECTS_PER_STEP = { 'RocketMQ topic + group': 2, 'DMS queue + 3 groups': 4 };
/** Steps made before the first reading: module loading and JIT-compiled code are not an object's cost. */
const WARM_UP = 500;

/** A function that makes step `i` of `kind` (one queue, or a topic and its group, ...). */
async function maker(kind, broker, n) {
  // `expected`: the one refusal that is success here (RocketMQ's empty consume), told by its error code.
  const call = async (handler, method, target, headers, body, expected) => {
    const res = await handler.fetch(new Request(`http://bench${target}`, { method, headers, body }));
    if (res.status >= 300) {
      const text = await res.text();
      if (expected === undefined || !text.includes(`<Code>${expected}</Code>`)) {
        throw new Error(`${method} ${target}: ${res.status} ${text}`);
      }
    }
    return res;
  };
  const room = n + WARM_UP;
  switch (kind) {
    case 'core queue':
    case 'core queue (log)':
      return (i) => broker.createQueue(`q${i}`);
    case 'core topic':
      return (i) => broker.createTopic(`t${i}`);
    case 'core group': {
      const topic = broker.createTopic('t');
      return (i) => topic.createGroup(`g${i}`);
    }
    case 'MNS queue': {
      const { createMnsHandler } = await import(packageEntry('mns'));
      const mns = createMnsHandler(broker, { maxQueues: room });
      const headers = { 'x-mns-version': '2015-06-06', 'content-type': 'text/xml' };
      return (i) => call(mns, 'PUT', `/queues/q${i}`, headers, '');
    }
    case 'RocketMQ topic + group':
    case 'RocketMQ group': {
      const { createRocketMqHandler } = await import(packageEntry('rocketmq'));
      const mq = createRocketMqHandler(broker, { maxTopicsPerInstance: room, maxGroupsPerInstance: room });
      const headers = { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };
      // A consume creates what it names (the topic and the GID), finds nothing: 404 MessageNotExist.
      const topic = (i) => (kind === 'RocketMQ group' ? 't' : `t${i}`);
      return (i) =>
        call(
          mq,
          'GET',
          `/topics/${topic(i)}/messages?consumer=GID_${i}&numOfMessages=1`,
          headers,
          undefined,
          'MessageNotExist',
        );
    }
    default: {
      const { createDmsHandler } = await import(packageEntry('dms'));
      const dms = createDmsHandler(broker, { maxProjects: Math.ceil(room / 30) });
      const headers = { 'content-type': 'application/json' };
      const groups = JSON.stringify({ groups: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
      return async (i) => {
        // 30 queues per project (the service's quota), 3 groups per queue (its most).
        const path = `/v1.0/p${Math.floor(i / 30)}/queues`;
        const queue = await (
          await call(dms, 'POST', path, headers, JSON.stringify({ name: `q${i}` }))
        ).json();
        if (kind === 'DMS queue + 3 groups')
          await call(dms, 'POST', `${path}/${queue.id}/groups`, headers, groups);
      };
    }
  }
}

/** Makes `n` steps of `kind` after a warm-up and measures the memory they hold. */
async function measure(kind, n) {
  const { createBroker, logStorage } = await import(packageEntry('core'));
  const dir = kind.endsWith('(log)') ? mkdtempSync(join(tmpdir(), 'sluice-objects-')) : undefined;
  const broker = await createBroker(dir ? { storage: logStorage({ dir, fsync: 'never' }) } : {});
  try {
    const make = await maker(kind, broker, n);
    for (let i = 0; i < WARM_UP; i++) await make(n + i);
    await broker.flush();
    const before = settledMemory();
    const started = performance.now();
    for (let i = 0; i < n; i++) await make(i);
    await broker.flush();
    const seconds = (performance.now() - started) / 1000;
    const after = settledMemory();
    const objects = n * (OBJECTS_PER_STEP[kind] ?? 1);
    return {
      kind,
      n,
      objects,
      bytesPerObject: (after.total - before.total) / objects,
      rssPerObject: (after.rss - before.rss) / objects,
      seconds,
    };
  } finally {
    await broker.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function child(kind, n) {
  console.log(JSON.stringify(await measure(kind, n)));
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      child: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (values.child !== undefined) return child(values.child, Number(values.sizes));
  const sizes = (values.sizes ?? (values.quick ? '2000,10000' : '10000,100000')).split(',').map(Number);
  const rows = [];
  for (const kind of KINDS) {
    for (const n of sizes) {
      const url = new URL(import.meta.url);
      const r = await runChildJson(url, ['--child', kind, '--sizes', String(n)], {
        nodeArgs: ['--max-old-space-size=8192'],
      });
      rows.push({ ...r, goal: GOAL_BYTES, met: r.bytesPerObject <= GOAL_BYTES });
      console.log(
        `${kind} x ${n.toLocaleString('en-US')}: ${Math.round(r.bytesPerObject)} B each (rss ${Math.round(r.rssPerObject)} B), created in ${r.seconds.toFixed(1)} s`,
      );
    }
  }
  printTable(
    `memory per empty object (goal <= ${GOAL_BYTES} B)`,
    ['object', 'n', 'B each', 'rss B each', 'met'],
    rows.map((r) => ({
      object: r.kind,
      n: r.n,
      'B each': Math.round(r.bytesPerObject),
      'rss B each': Math.round(r.rssPerObject),
      met: r.met ? 'yes' : 'NO',
    })),
  );
  const out = {
    suite: 'objects',
    date: new Date().toISOString(),
    machine: machine(),
    goalBytes: GOAL_BYTES,
    rows,
  };
  writeResult(`objects-${today()}${values.quick ? '-quick' : ''}.json`, out);
}

await main();
