/**
 * Model-based test: walks the lifecycle machine's paths (xstate/graph) and replays each one on a real
 * broker with a manual clock, checking after every step that the message is in the state the machine
 * says, through the public API only (stats counters, events, the dead-letter queue).
 */

import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { createBroker, manualClock, type Queue } from '../src/index.js';
import { type LifecycleEvent, lifecycleMachine } from '../src/lifecycle/machine.js';

const VISIBILITY = 30_000;
const DELAY = 5_000;

const events: LifecycleEvent[] = [
  { type: 'DUE' },
  { type: 'RECEIVE' },
  { type: 'ACK' },
  { type: 'CHANGE_VISIBILITY' },
  { type: 'EXPIRE' },
];
for (const type of ['NACK', 'TIMEOUT'] as const) {
  for (const exhausted of [false, true]) {
    for (const hasDeadLetterQueue of [false, true]) events.push({ type, exhausted, hasDeadLetterQueue });
  }
}

type Path = { steps: { event: LifecycleEvent; state: { value: unknown } }[] };

/** Shortest and simple paths, plus every edge (self-loops and returns included) taken from the end of a shortest path. */
function pathsFrom(start: 'delayed' | 'active'): Path[] {
  const fromState = lifecycleMachine.resolveState({ value: start });
  const shortest = getShortestPaths(lifecycleMachine, { events, fromState });
  const all = [...shortest, ...getSimplePaths(lifecycleMachine, { events, fromState })] as unknown as Path[];
  for (const path of shortest) {
    for (const event of events) {
      if (!path.state.can(event)) continue;
      const [after] = transition(lifecycleMachine, path.state, event);
      all.push({ steps: [...(path.steps as unknown as Path['steps']), { event, state: after }] });
    }
  }
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = JSON.stringify(p.steps.map((s) => s.event));
    return !seen.has(key) && seen.add(key);
  });
}

/** Which counter of `stats()` a state shows up in. */
function observedState(queue: Queue, before: Record<string, number>): string {
  const s = queue.stats();
  if (s.delayed === 1) return 'delayed';
  if (s.active === 1) return 'active';
  if (s.inflight === 1) return 'inflight';
  if (s.acked > before['acked']!) return 'acked';
  if (s.deadLettered > before['deadLettered']!) return 'deadLetter';
  if (s.expired > before['expired']!) return 'expired';
  return 'unknown';
}

async function replay(start: 'delayed' | 'active', path: Path): Promise<void> {
  const clock = manualClock(1_000_000);
  const broker = await createBroker({ clock });
  const queue = broker.createQueue('q', { visibilityTimeout: VISIBILITY });
  const emitted: string[] = [];
  broker.on('deadLetter', () => emitted.push('deadLetter'));
  broker.on('expired', () => emitted.push('expired'));
  await queue.send({ body: 'm', delay: start === 'delayed' ? DELAY : 0 });
  let handle = '';
  let receiveCount = 0;
  for (const { event, state } of path.steps.slice(1)) {
    const before = { ...queue.stats() } as unknown as Record<string, number>;
    if (event.type === 'NACK' || event.type === 'TIMEOUT') {
      queue.setOptions({
        maxReceiveCount: event.exhausted ? receiveCount : 0,
        deadLetterQueue: event.hasDeadLetterQueue ? 'dlq' : undefined,
      } as never);
    }
    switch (event.type) {
      case 'DUE':
        clock.advance(DELAY);
        break;
      case 'RECEIVE': {
        const [d] = await queue.receive();
        handle = d!.receiptHandle;
        receiveCount = d!.receiveCount;
        break;
      }
      case 'ACK':
        await queue.ack(handle);
        break;
      case 'NACK':
        await queue.nack(handle);
        break;
      case 'TIMEOUT':
        clock.advance(VISIBILITY);
        break;
      case 'CHANGE_VISIBILITY': {
        const old = handle;
        handle = (await queue.changeVisibility(handle, VISIBILITY)).receiptHandle;
        expect(handle).not.toBe(old);
        break;
      }
      case 'EXPIRE':
        queue.setOptions({ retention: 1 });
        clock.advance(1);
        break;
    }
    expect(observedState(queue, before), `${event.type} should lead to ${String(state.value)}`).toBe(
      state.value,
    );
    const deadLetterCopied = broker.hasQueue('dlq') ? broker.queue('dlq').stats().active : 0;
    if (state.value === 'deadLetter') {
      expect(emitted.at(-1)).toBe('deadLetter');
      expect(deadLetterCopied).toBe(event.hasDeadLetterQueue ? 1 : 0);
    }
    if (state.value === 'expired') expect(emitted.at(-1)).toBe('expired');
  }
  await broker.close();
}

describe('lifecycle model', () => {
  for (const start of ['delayed', 'active'] as const) {
    const paths = pathsFrom(start);
    it(`covers every state from ${start}`, () => {
      const reached = new Set(paths.flatMap((p) => p.steps.map((s) => String(s.state.value))));
      const expected = start === 'delayed' ? 6 : 5; // 'delayed' is not reachable from 'active'
      expect(reached.size).toBe(expected);
    });
    for (const path of paths) {
      const name = path.steps
        .slice(1)
        .map(
          (s) => s.event.type + (s.event.exhausted ? '!' : '') + (s.event.hasDeadLetterQueue ? '+dlq' : ''),
        )
        .join(' > ');
      it(`${start}: ${name || '(start)'}`, () => replay(start, path));
    }
  }
});
