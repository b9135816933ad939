/**
 * Property test: random sequences of send / receive / ack / nack / changeVisibility / advance against a
 * small reference model. Invariants: no message is handed to two consumers while a handle is live, a
 * settle succeeds exactly when the model says the handle is the live one, nothing is lost, and the
 * counts are conserved. Order: receive and peek take visible messages by priority (none ranking as 8),
 * then in the order they became visible: sent or due at the back of their priority, returned (nack,
 * timeout, changeVisibility 0) at its front. Messages that became visible in one clock advance may come
 * in either order among themselves (timers due in one advance have no order the model fixes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBroker, ErrorCode, manualClock } from '../src/index.js';

const VISIBILITY = 1000;
const MAX_RECEIVES = 3;

type Op =
  | { kind: 'send'; delay: number; priority: number | undefined }
  | { kind: 'receive'; max: number }
  | { kind: 'ack' | 'nack'; pick: number }
  | { kind: 'change'; pick: number; ms: number }
  | { kind: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('send' as const),
    delay: fc.constantFrom(0, 0, 0, 500, 1500),
    // A few priorities often (so runs hold several messages), any of 1..16 sometimes; none half the time.
    priority: fc.option(fc.oneof(fc.constantFrom(2, 2, 5, 16), fc.integer({ min: 1, max: 16 })), {
      nil: undefined,
      freq: 2,
    }),
  }),
  fc.record({ kind: fc.constant('receive' as const), max: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constantFrom('ack' as const, 'nack' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('change' as const), pick: fc.nat(), ms: fc.constantFrom(0, 200, 2000) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1, 250, 999, 1000, 2000) }),
);

interface ModelMessage {
  state: 'delayed' | 'active' | 'inflight' | 'acked' | 'dead';
  visibleAt: number;
  receiveCount: number;
  /** The live handle, if inflight. */
  handle: string | undefined;
  /** As sent. */
  priority: number | undefined;
  /** Priority rank: 1..16, none = 8. */
  rank: number;
  /** Place within its rank while active: larger joined later at the back, smaller (negative) at the front. */
  place: number;
}

/** Where a set of messages stands in the delivery order: [rank, place] per message, in order. */
const standing = (ms: readonly ModelMessage[]) => ms.map((m) => [m.rank, m.place]);
const byStanding = (a: ModelMessage, b: ModelMessage) => a.rank - b.rank || a.place - b.place;

describe('queue against a reference model', () => {
  it('keeps every invariant over random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), async (ops) => {
        const clock = manualClock(0);
        const broker = await createBroker({ clock });
        const queue = broker.createQueue('q', {
          visibilityTimeout: VISIBILITY,
          maxReceiveCount: MAX_RECEIVES,
        });
        const model = new Map<string, ModelMessage>();
        const handles: { id: string; handle: string }[] = [];
        let back = 0;
        let front = 0;
        // Bring the model up to `now`: delays end (to the back), deadlines pass (to the front).
        const settleTime = () => {
          const dueAt = ++back;
          const returnedAt = --front;
          for (const m of model.values()) {
            if (m.state === 'delayed' && m.visibleAt <= clock.now()) {
              m.state = 'active';
              m.place = dueAt;
            }
            if (m.state === 'inflight' && m.visibleAt <= clock.now()) {
              m.handle = undefined;
              m.state = m.receiveCount >= MAX_RECEIVES ? 'dead' : 'active';
              m.place = returnedAt;
            }
          }
        };
        const active = () => [...model.values()].filter((m) => m.state === 'active').sort(byStanding);
        for (const o of ops) {
          switch (o.kind) {
            case 'send': {
              const input = {
                body: 'm',
                delay: o.delay,
                ...(o.priority !== undefined && { priority: o.priority }),
              };
              const { id } = await queue.send(input);
              model.set(id, {
                state: o.delay > 0 ? 'delayed' : 'active',
                visibleAt: clock.now() + o.delay,
                receiveCount: 0,
                handle: undefined,
                priority: o.priority,
                rank: o.priority ?? 8,
                place: o.delay > 0 ? 0 : ++back,
              });
              break;
            }
            case 'receive': {
              const expected = standing(active().slice(0, o.max));
              const peeked = queue.peek({ max: o.max });
              expect(standing(peeked.map((p) => model.get(p.id)!))).toEqual(expected);
              const got = await queue.receive({ max: o.max });
              expect(standing(got.map((d) => model.get(d.id)!))).toEqual(expected);
              for (const d of got) {
                const m = model.get(d.id)!;
                expect(d.priority).toBe(m.priority);
                // Never two live deliveries: the model must see it as visible right now.
                expect(m.state).toBe('active');
                m.state = 'inflight';
                m.receiveCount++;
                expect(d.receiveCount).toBe(m.receiveCount);
                m.visibleAt = clock.now() + VISIBILITY;
                expect(d.visibleAt).toBe(m.visibleAt);
                m.handle = d.receiptHandle;
                handles.push({ id: d.id, handle: d.receiptHandle });
              }
              if (got.length < o.max) {
                expect([...model.values()].filter((m) => m.state === 'active')).toHaveLength(0);
              }
              break;
            }
            case 'ack':
            case 'nack':
            case 'change': {
              if (handles.length === 0) break;
              const { id, handle } = handles[o.pick % handles.length]!;
              const ms = o.kind === 'change' ? o.ms : 0;
              const m = model.get(id)!;
              const live = m.state === 'inflight' && m.handle === handle;
              try {
                if (o.kind === 'ack') await queue.ack(handle);
                else if (o.kind === 'nack') await queue.nack(handle);
                else {
                  const change = await queue.changeVisibility(handle, ms);
                  handles.push({ id, handle: change.receiptHandle });
                  m.handle = change.receiptHandle;
                  m.visibleAt = clock.now() + ms;
                }
                expect(live).toBe(true);
                if (o.kind === 'ack') {
                  m.state = 'acked';
                  m.handle = undefined;
                } else if (o.kind === 'nack' || ms === 0) {
                  m.handle = undefined;
                  m.state = m.receiveCount >= MAX_RECEIVES ? 'dead' : 'active';
                  m.place = --front;
                }
              } catch (error) {
                expect(live).toBe(false);
                const code = (error as { code: string }).code;
                const expected =
                  m.state === 'acked' || m.state === 'dead'
                    ? ErrorCode.MessageNotExist
                    : ErrorCode.ReceiptHandleExpired;
                expect(code).toBe(expected);
              }
              break;
            }
            case 'advance':
              clock.advance(o.ms);
              settleTime();
              break;
          }
          // Counts are conserved and agree with the model.
          const stats = queue.stats();
          const count = (state: ModelMessage['state']) =>
            [...model.values()].filter((m) => m.state === state).length;
          expect(stats.active).toBe(count('active'));
          expect(stats.inflight).toBe(count('inflight'));
          expect(stats.delayed).toBe(count('delayed'));
          expect(stats.acked).toBe(count('acked'));
          expect(stats.deadLettered).toBe(count('dead'));
          expect(queue.topic.stats().messages).toBe(model.size - count('acked') - count('dead'));
        }
        await broker.close();
      }),
      { numRuns: 300 },
    );
  });
});
