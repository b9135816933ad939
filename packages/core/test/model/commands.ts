/**
 * The commands of the model test (fast-check `AsyncCommand`s run by `fc.asyncModelRun`). Each one makes
 * its real calls on the harness's broker, writes down what they did, and answers how the model applies
 * it (see harness.ts). `toString()` is what a shrunk counterexample prints: keep it short and readable.
 *
 * Handles are named by a pick (`live 2`: the third handle whose delivery is live in the model, `recent
 * 1`, `any 7`) resolved when the command runs; the step log of a failure shows what each pick was.
 */
import fc from 'fast-check';
import type { GroupOptions, QueueOptions, SendInput } from '../../src/index.js';
import { type CrashPoint, describePoint } from './crash-io.js';
import { invalid } from './explore.js';
import {
  bodyBytes,
  type GenInput,
  GROUPS,
  inputArb,
  LONG_RETENTION,
  maxReceiveArb,
  ORDERED_QUEUE,
  PLAIN_QUEUES,
  SHORT_RETENTIONS,
  showInput,
  TOPICS,
  tagsArb,
  vtArb,
} from './gen.js';
import {
  codeOf,
  type Harness,
  ModelFailure,
  type PoolHandle,
  type Step,
  type StepCommand,
} from './harness.js';
import * as rules from './rules.js';
import {
  type Ctx,
  describeUse,
  type HandleUse,
  type QueueOptsModel,
  type ReceiveObs,
  type SendInputModel,
  type SendObs,
} from './rules.js';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_RETENTION,
  type GroupOpts,
  type GroupRef,
  refName,
  type World,
} from './world.js';

/** Command kinds (SLUICE_MODEL_SKIP takes these names). */
export const KINDS = [
  'send',
  'sendBatch',
  'receive',
  'longPoll',
  'ack',
  'ackBatch',
  'nack',
  'changeVisibility',
  'abort',
  'advance',
  'stepBack',
  'compact',
  'compactStart',
  'compactJoin',
  'reopen',
  'crash',
  'crashDuring',
  'createQueue',
  'deleteQueue',
  'createTopic',
  'deleteTopic',
  'createGroup',
  'deleteGroup',
  'setOptions',
  'badDlq',
  /** setOptions that unsets deadLetterQueue */
  'unsetDlq',
  /** send / sendBatch with a body holding well-formed log frames */
  'frames',
  /** Not a command: the broker's own background compaction (skipped: compactMinBytes is huge). */
  'autoCompact',
] as const;
export type Kind = (typeof KINDS)[number];

abstract class Command implements StepCommand, fc.AsyncCommand<object, Harness, false> {
  abstract readonly kind: Kind;
  crash: StepCommand['crash'];
  check(): boolean {
    return true;
  }
  async run(_model: object, h: Harness): Promise<void> {
    await h.exec(this);
  }
  abstract act(h: Harness): Promise<Step>;
  abstract toString(): string;
}

const noop = (describe: string): Step => ({ describe, model: () => {} });

function isQueue(name: string): boolean {
  return name.startsWith('q') || name === ORDERED_QUEUE;
}

// ---------------------------------------------------------------------------------------------- send

function toSendInput(i: GenInput, now: number): SendInput {
  return {
    body: 'bytes' in i.body ? i.body.bytes : i.body.text,
    ...(i.tag !== undefined && { tag: i.tag }),
    ...(i.keys !== undefined && { keys: i.keys }),
    ...(i.properties !== undefined && { properties: i.properties }),
    ...(i.groupKey !== undefined && { groupKey: i.groupKey }),
    ...(i.priority !== undefined && { priority: i.priority }),
    ...(i.delay !== undefined && { delay: i.delay }),
    ...(i.deliverAtIn !== undefined && { deliverAt: now + i.deliverAtIn }),
  };
}

function toModel(i: GenInput, now: number): SendInputModel {
  const body = bodyBytes(i.body);
  return {
    content: {
      body,
      tag: i.tag,
      keys: i.keys,
      properties: i.properties,
      groupKey: i.groupKey,
      priority: i.priority,
    },
    delay: i.delay,
    deliverAt: i.deliverAtIn === undefined ? undefined : now + i.deliverAtIn,
    size: body.length,
  };
}

export class Send extends Command {
  readonly kind: Kind;
  constructor(
    readonly target: string,
    readonly inputs: readonly GenInput[],
    readonly batch: boolean,
  ) {
    super();
    const frames = inputs.some((i) => 'frames' in i.body);
    this.kind = frames ? 'frames' : batch ? 'sendBatch' : 'send';
  }

  get #call(): string {
    return this.batch ? 'sendBatch' : 'send';
  }

  toString(): string {
    return `${this.batch ? 'sendBatch' : 'send'}(${this.target}, ${this.inputs.map(showInput).join(', ')})`;
  }

  async act(h: Harness): Promise<Step> {
    const { target, batch } = this;
    const kind = isQueue(target) ? 'queue' : 'topic';
    const now = h.clock.now();
    const inputs = this.inputs.map((i) => toSendInput(i, now));
    const models = this.inputs.map((i) => toModel(i, now));
    const op = h.op();
    const res = await h.call(op, this.#call, async () => {
      const on = kind === 'queue' ? h.broker.queue(target) : h.broker.topic(target);
      return batch ? on.sendBatch(inputs) : [await on.send(inputs[0]!)];
    });
    // A single send rejects where a batch answers an error item.
    const items: SendObs[] = res.ok
      ? res.value.map((r) => ('error' in r ? { error: r.error.code } : { id: r.id }))
      : batch
        ? []
        : [{ error: res.code }];
    items.forEach((o, i) => {
      if ('id' in o) h.record({ kind: 'append', op, time: now, topic: target, input: models[i]!, id: o.id });
    });
    const describe = res.ok
      ? items.map((o) => ('id' in o ? `…${o.id.slice(24)}` : o.error)).join(', ')
      : res.code;
    return {
      describe,
      model: (w, ctx) => {
        const t = rules.sendTarget(w, target, kind);
        if (typeof t === 'string') {
          if (res.ok || res.code !== t)
            invalid('I4 answers', `${this.#call} to ${target} answered ${describe}, expected ${t}`);
          return;
        }
        if (!res.ok && batch) invalid('I4 answers', `${this.#call} to ${target} failed with ${res.code}`);
        if (items.length !== models.length)
          invalid(
            'I4 answers',
            `${this.#call} answered ${items.length} results for ${models.length} messages`,
          );
        items.forEach((o, i) => {
          rules.sendOne(w, t, models[i]!, o, ctx.label);
        });
        rules.wakeAll(w, t, ctx);
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------- receive

export class Receive extends Command {
  readonly kind: Kind;
  constructor(
    readonly ref: GroupRef,
    readonly max: number,
    readonly vt: number | undefined,
    readonly wait: number,
  ) {
    super();
    this.kind = wait > 0 ? 'longPoll' : 'receive';
  }

  toString(): string {
    const extra = `${this.vt === undefined ? '' : `, vt ${this.vt}`}${this.wait > 0 ? `, wait ${this.wait}` : ''}`;
    return `receive(${refName(this.ref)}, max ${this.max}${extra})`;
  }

  async act(h: Harness): Promise<Step> {
    const { ref, max, vt, wait } = this;
    const op = h.op();
    const now = h.clock.now();
    let obs: ReceiveObs;
    let target: ReturnType<Harness['target']> | undefined;
    try {
      target = h.target(ref);
    } catch (error) {
      obs = { kind: 'error', code: codeOf(error) };
    }
    if (target !== undefined) {
      const on = target;
      if (wait === 0) {
        const res = await h.call(op, 'receive', () =>
          on.receive({ max, ...(vt !== undefined && { visibilityTimeout: vt }) }),
        );
        obs = res.ok ? { kind: 'resolved', deliveries: res.value } : { kind: 'error', code: res.code };
      } else {
        const rec = h.park(ref, op, on, max, vt, wait);
        await h.settle();
        const outcome = rec.outcome;
        if (outcome.state === 'pending') obs = { kind: 'parked', wid: rec.wid };
        else {
          h.waiters.delete(rec.wid);
          obs =
            outcome.state === 'resolved'
              ? { kind: 'resolved', deliveries: outcome.deliveries }
              : { kind: 'error', code: outcome.code };
        }
      }
      if (obs!.kind === 'resolved') {
        h.addHandles(ref, on.uid, obs.deliveries, op);
        for (const d of obs.deliveries) {
          h.record({
            kind: 'deliver',
            op,
            time: now,
            ref,
            id: d.id,
            receiveCount: d.receiveCount,
            firstReceivedAt: d.firstReceivedAt,
            visibleAt: d.visibleAt,
            handle: d.receiptHandle,
          });
        }
      }
    }
    const o = obs!;
    const describe =
      o.kind === 'resolved'
        ? `[${o.deliveries.map((d) => `…${d.id.slice(24)}#${d.receiveCount}`).join(', ')}]`
        : o.kind === 'parked'
          ? `parked as #${o.wid}`
          : o.code;
    return { describe, model: (w) => rules.receive(w, ref, { max, vt, wait }, o) };
  }
}

// ---------------------------------------------------------------------------------------------- handles

export interface Pick {
  readonly from: 'live' | 'recent' | 'any';
  readonly index: number;
}

function showPick(p: Pick): string {
  return `${p.from} ${p.index}`;
}

function pickHandle(h: Harness, p: Pick): PoolHandle | undefined {
  const list = p.from === 'live' ? h.liveHandles() : p.from === 'recent' ? h.handles.slice(-6) : h.handles;
  const from = list.length > 0 ? list : h.handles;
  return from.length === 0 ? undefined : from[p.index % from.length];
}

/** Another queue or group than `own` (to use a handle where it does not belong). */
function otherRef(h: Harness, own: GroupRef, index: number): GroupRef {
  const refs = h.refs().filter((r) => r.topic !== own.topic || r.group !== own.group);
  return refs.length === 0 ? own : refs[index % refs.length]!;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The handle with its last character (low bits of the nonce) changed. */
function forge(handle: string): string {
  const last = handle.at(-1) ?? 'A';
  const next = ALPHABET[(ALPHABET.indexOf(last) + 1) % ALPHABET.length]!;
  return handle.slice(0, -1) + next;
}

function missingCheck(w: World, ref: GroupRef, call: string, got: string): boolean {
  const code = rules.missing(w, ref);
  if (code === undefined) return false;
  if (got !== code) invalid('I4 answers', `${call} on ${refName(ref)} answered ${got}, expected ${code}`);
  return true;
}

export class Settle extends Command {
  readonly kind: Kind;
  constructor(
    readonly call: 'ack' | 'nack',
    readonly pick: Pick,
    readonly other: number | undefined,
  ) {
    super();
    this.kind = call;
  }

  toString(): string {
    return `${this.call}(${showPick(this.pick)}${this.other === undefined ? '' : `, on other group ${this.other}`})`;
  }

  async act(h: Harness): Promise<Step> {
    const handle = pickHandle(h, this.pick);
    if (handle === undefined) return noop('no handle yet');
    const ref = this.other === undefined ? handle.ref : otherRef(h, handle.ref, this.other);
    const use: HandleUse = { kind: 'genuine', info: handle };
    const op = h.op();
    const now = h.clock.now();
    const call = this.call;
    const res = await h.call(op, call, () => {
      const t = h.target(ref);
      return call === 'ack' ? t.ack(handle.handle) : t.nack(handle.handle);
    });
    const got = res.ok ? 'ok' : res.code;
    if (res.ok) {
      h.record(
        call === 'ack'
          ? { kind: 'ack', op, time: now, ref, id: handle.msgId }
          : { kind: 'deadline', op, time: now, ref, id: handle.msgId, visibleAt: now, handle: null },
      );
    }
    return {
      describe: `${describeUse(use)} on ${refName(ref)}: ${got}`,
      model: (w, ctx) => {
        if (missingCheck(w, ref, call, got)) return;
        if (call === 'ack') rules.ack(w, ref, use, got, ctx);
        else rules.nack(w, ref, use, got, ctx);
      },
    };
  }
}

export type BatchItem =
  | { readonly kind: 'pick'; readonly pick: Pick }
  | { readonly kind: 'forged'; readonly pick: Pick }
  | { readonly kind: 'garbage'; readonly text: string };

export class AckBatch extends Command {
  readonly kind = 'ackBatch' as const;
  constructor(
    readonly items: readonly BatchItem[],
    readonly other: number | undefined,
  ) {
    super();
  }

  toString(): string {
    const items = this.items.map((i) =>
      i.kind === 'garbage'
        ? `garbage ${JSON.stringify(i.text.slice(0, 10))}`
        : `${i.kind === 'forged' ? 'forged ' : ''}${showPick(i.pick)}`,
    );
    return `ackBatch([${items.join(', ')}]${this.other === undefined ? '' : `, on other group ${this.other}`})`;
  }

  async act(h: Harness): Promise<Step> {
    const uses: HandleUse[] = [];
    for (const item of this.items) {
      if (item.kind === 'garbage') {
        uses.push({ kind: 'garbage', handle: item.text });
        continue;
      }
      const info = pickHandle(h, item.pick);
      if (info === undefined) continue;
      uses.push(
        item.kind === 'pick'
          ? { kind: 'genuine', info }
          : { kind: 'forged', info, handle: forge(info.handle) },
      );
    }
    let own: GroupRef = { topic: 'q1', group: '' };
    for (const u of uses) {
      if (u.kind === 'garbage') continue;
      own = u.info.ref;
      break;
    }
    const ref = this.other === undefined ? own : otherRef(h, own, this.other);
    const op = h.op();
    const now = h.clock.now();
    const res = await h.call(op, 'ackBatch', () => h.target(ref).ackBatch(uses.map(rules.useHandle)));
    const got = res.ok ? res.value.map((r) => (r.ok ? 'ok' : r.code)) : [];
    got.forEach((g, i) => {
      const use = uses[i];
      if (g === 'ok' && use?.kind === 'genuine')
        h.record({ kind: 'ack', op, time: now, ref, id: use.info.msgId });
    });
    return {
      describe: `on ${refName(ref)}: ${res.ok ? uses.map((u, i) => `${describeUse(u)}: ${got[i]}`).join('; ') : res.code}`,
      model: (w, ctx) => {
        if (missingCheck(w, ref, 'ackBatch', res.ok ? 'ok' : res.code)) return;
        if (!res.ok) invalid('I4 answers', `ackBatch failed with ${res.code}`);
        if (got.length !== uses.length)
          invalid('I4 answers', `ackBatch answered ${got.length} results for ${uses.length} handles`);
        uses.forEach((u, i) => {
          rules.ack(w, ref, u, got[i]!, ctx, false);
        });
        const [t, g] = rules.group(w, ref);
        rules.drain(w, t, g, ctx);
      },
    };
  }
}

export class ChangeVisibility extends Command {
  readonly kind = 'changeVisibility' as const;
  constructor(
    readonly pick: Pick,
    readonly ms: number,
  ) {
    super();
  }

  toString(): string {
    return `changeVisibility(${showPick(this.pick)}, ${this.ms})`;
  }

  async act(h: Harness): Promise<Step> {
    const handle = pickHandle(h, this.pick);
    if (handle === undefined) return noop('no handle yet');
    const { ref } = handle;
    const use: HandleUse = { kind: 'genuine', info: handle };
    const op = h.op();
    const now = h.clock.now();
    const ms = this.ms;
    const res = await h.call(op, 'changeVisibility', () => h.target(ref).changeVisibility(handle.handle, ms));
    const got = res.ok ? 'ok' : res.code;
    const answer = res.ok
      ? { receiptHandle: res.value.receiptHandle, visibleAt: res.value.visibleAt }
      : undefined;
    if (answer !== undefined) {
      h.addHandle({ ...handle, handle: answer.receiptHandle, op });
      h.record({
        kind: 'deadline',
        op,
        time: now,
        ref,
        id: handle.msgId,
        visibleAt: answer.visibleAt,
        handle: answer.receiptHandle,
      });
    }
    return {
      describe: `${describeUse(use)}: ${got}${answer === undefined ? '' : ` (visible at ${answer.visibleAt})`}`,
      model: (w, ctx) => {
        if (missingCheck(w, ref, 'changeVisibility', got)) return;
        rules.changeVisibility(w, ref, use, ms, got, answer, ctx);
      },
    };
  }
}

export class Abort extends Command {
  readonly kind = 'abort' as const;
  constructor(readonly index: number) {
    super();
  }

  toString(): string {
    return `abort(parked ${this.index})`;
  }

  async act(h: Harness): Promise<Step> {
    const parked = h.pendingWaiters();
    if (parked.length === 0) return noop('nothing parked');
    const waiter = parked[this.index % parked.length]!;
    waiter.controller.abort();
    return { describe: `#${waiter.wid}`, model: (w, ctx) => rules.abortWaiter(w, waiter.wid, ctx) };
  }
}

// ---------------------------------------------------------------------------------------------- time

export class Advance extends Command {
  readonly kind = 'advance' as const;
  constructor(readonly ms: number) {
    super();
  }

  toString(): string {
    return `advance(${this.ms})`;
  }

  async act(h: Harness): Promise<Step> {
    const ms = this.ms;
    try {
      h.clock.advance(ms);
    } catch (error) {
      throw new ModelFailure(
        `[I4 answers] a timer of the broker threw: ${(error as Error)?.stack ?? String(error)}`,
      );
    }
    const op = h.op();
    const res = await h.call(op, 'flush', () => h.broker.flush());
    return {
      describe: `now ${h.clock.now()}`,
      timeOp: op,
      model: (w, ctx) => {
        if (!res.ok) invalid('I4 answers', `flush failed with ${res.code}`);
        rules.advanceTo(w, w.now + ms, ctx);
      },
    };
  }
}

/**
 * The wall clock steps back by `ms` (timers keep their remaining time). Only taken when nothing is
 * delayed or inflight and no short-retention topic holds messages: deadlines armed before a step back
 * have no single right answer, those armed after it do (they fire `ms` of clock time after they were set).
 */
export class StepBack extends Command {
  readonly kind = 'stepBack' as const;
  constructor(readonly ms: number) {
    super();
  }

  toString(): string {
    return `stepBack(${this.ms})`;
  }

  async act(h: Harness): Promise<Step> {
    for (const w of h.worlds) {
      const why = rules.canStepBack(w, LONG_RETENTION);
      if (why !== undefined) return noop(`not taken: ${why}`);
    }
    const ms = this.ms;
    h.clock.set(h.clock.now() - ms);
    return {
      describe: `now ${h.clock.now()}`,
      model: (w) => {
        w.now -= ms;
        w.steppedBack = true;
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------- storage

export class Compact extends Command {
  readonly kind: Kind;
  constructor(readonly mode: 'await' | 'join') {
    super();
    this.kind = mode === 'await' ? 'compact' : 'compactJoin';
  }

  toString(): string {
    return this.mode === 'await' ? 'compact()' : 'await the racing compact()';
  }

  async act(h: Harness): Promise<Step> {
    if (this.mode === 'join') {
      const c = h.compaction;
      if (c === undefined || c.broker !== h.broker) return noop('none running');
      await h.quietly(c.promise);
      h.compaction = undefined;
      const outcome = c.outcome;
      return {
        describe: outcome === undefined ? 'hung' : outcome.ok ? 'done' : outcome.code,
        model: () => {
          if (outcome === undefined || !outcome.ok) {
            invalid(
              'I4 answers',
              `compact() ${outcome === undefined ? 'did not settle' : `failed with ${outcome.code}`}`,
            );
          }
        },
      };
    }
    const op = h.op();
    const res = await h.call(op, 'compact', () => h.broker.compact());
    return {
      describe: res.ok ? 'done' : res.code,
      model: () => {
        if (!res.ok) invalid('I4 answers', `compact() failed with ${res.code}`);
      },
    };
  }
}

/**
 * `broker.compact()` started and not awaited, then `inner` at once, in the same tick: the compaction
 * races the call (and whatever the call waits for). A later command may await it (compactJoin).
 */
export class CompactDuring extends Command {
  readonly kind = 'compactStart' as const;
  constructor(readonly inner: Command) {
    super();
  }

  toString(): string {
    return `compact() racing ${this.inner}`;
  }

  async act(h: Harness): Promise<Step> {
    h.startCompaction();
    const step = await this.inner.act(h);
    return { ...step, describe: `${step.describe} (compaction started)` };
  }
}

/** Graceful: `close()`, `downtime` ms pass, a new broker opens the same directory. */
export class Reopen extends Command {
  readonly kind = 'reopen' as const;
  constructor(readonly downtime: number) {
    super();
  }

  toString(): string {
    return `reopen(down ${this.downtime} ms)`;
  }

  async act(h: Harness): Promise<Step> {
    const op = h.op();
    const old = h.broker;
    const res = await h.call(op, 'close', () => old.close());
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    h.compaction = undefined;
    const downtime = this.downtime;
    h.clock.advance(downtime);
    await h.open(h.dir);
    return {
      describe: res.ok ? 'closed and opened' : `close failed: ${res.code}`,
      model: (w, ctx) => {
        if (!res.ok) invalid('I4 answers', `close() failed with ${res.code}`);
        rules.closeWaiters(w, ctx);
        rules.reopen(w, downtime, ctx);
      },
    };
  }
}

/** kill -9 between steps: the directory as it is now opens `downtime` ms later. */
export class Crash extends Command {
  readonly kind = 'crash' as const;
  constructor(readonly downtime: number) {
    super();
    this.crash = { point: undefined, downtime };
  }

  toString(): string {
    return `crash(down ${this.downtime} ms)`;
  }

  async act(): Promise<Step> {
    return noop('');
  }
}

/** kill -9 in the middle of `inner`, at a chosen write (before it, or torn). */
export class CrashDuring extends Command {
  readonly kind = 'crashDuring' as const;
  constructor(
    readonly point: CrashPoint,
    readonly inner: Command,
    readonly downtime: number,
  ) {
    super();
    this.crash = { point, downtime };
  }

  toString(): string {
    return `crash(${describePoint(this.point)}, down ${this.downtime} ms) during ${this.inner}`;
  }

  act(h: Harness): Promise<Step> {
    return this.inner.act(h);
  }
}

// ---------------------------------------------------------------------------------------------- admin

abstract class Admin extends Command {
  /** The broker call (synchronous). */
  abstract real(h: Harness): void;
  /** The model: what the call may answer, applied when ok. */
  abstract rule(w: World, ctx: Ctx): rules.Answer;

  async act(h: Harness): Promise<Step> {
    const now = h.clock.now();
    const got = h.sync(() => this.real(h));
    const op = h.op();
    const flushed = await h.call(op, 'flush', () => h.broker.flush());
    if (got === 'ok') {
      h.record({
        kind: 'admin',
        op,
        time: now,
        what: this.toString(),
        apply: (w, ctx) => void this.rule(w, ctx),
      });
    }
    return {
      describe: got,
      model: (w, ctx) => {
        if (!flushed.ok) invalid('I4 answers', `flush failed with ${flushed.code}`);
        const want = this.rule(w, ctx);
        const allowed: readonly string[] = typeof want === 'string' ? [want] : want;
        if (!allowed.includes(got)) {
          invalid(
            allowed.includes('InvalidArgument') ? 'options' : 'I4 answers',
            `${this} answered ${got}, the model expects ${allowed.join(' or ')}`,
          );
        }
      },
    };
  }
}

export interface QueueSpec {
  readonly vt: number;
  readonly maxReceiveCount: number;
  readonly deadLetterQueue: string | undefined;
  readonly retention: number | undefined;
  readonly delay: number;
  readonly maxMessageSize: number | undefined;
  readonly tags: readonly string[] | undefined;
}

function badDlq(dlq: string | undefined, self: string): boolean {
  return dlq !== undefined && (dlq === self || dlq.startsWith('t'));
}

export class CreateQueue extends Admin {
  readonly kind: Kind;
  constructor(
    readonly name: string,
    readonly spec: QueueSpec,
  ) {
    super();
    this.kind = badDlq(spec.deadLetterQueue, name) ? 'badDlq' : 'createQueue';
  }

  #ordered(): boolean {
    return this.name === ORDERED_QUEUE;
  }

  toString(): string {
    const s = this.spec;
    const parts = [`vt ${s.vt}`];
    if (this.#ordered()) parts.push('ordered');
    if (s.maxReceiveCount > 0) parts.push(`maxReceiveCount ${s.maxReceiveCount}`);
    if (s.deadLetterQueue !== undefined) parts.push(`dlq ${s.deadLetterQueue}`);
    if (s.retention !== undefined) parts.push(`retention ${s.retention}`);
    if (s.delay > 0) parts.push(`delay ${s.delay}`);
    if (s.maxMessageSize !== undefined) parts.push(`maxMessageSize ${s.maxMessageSize}`);
    if (s.tags !== undefined) parts.push(`tags ${s.tags.join('|')}`);
    return `createQueue(${this.name}, ${parts.join(', ')})`;
  }

  real(h: Harness): void {
    const s = this.spec;
    const options: QueueOptions = {
      visibilityTimeout: s.vt,
      maxReceiveCount: s.maxReceiveCount,
      ...(s.deadLetterQueue !== undefined && { deadLetterQueue: s.deadLetterQueue }),
      ...(s.retention !== undefined && { retention: s.retention }),
      ...(s.delay > 0 && { delay: s.delay }),
      ...(s.maxMessageSize !== undefined && { maxMessageSize: s.maxMessageSize }),
      ...(s.tags !== undefined && { tags: s.tags }),
      ...(this.#ordered() && { ordered: true }),
    };
    h.broker.createQueue(this.name, options);
  }

  rule(w: World): rules.Answer {
    const s = this.spec;
    const options: QueueOptsModel = {
      topic: {
        delay: s.delay,
        retention: s.retention ?? DEFAULT_RETENTION,
        maxMessageSize: s.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
        keepConsumed: false,
      },
      group: {
        visibilityTimeout: s.vt,
        maxReceiveCount: s.maxReceiveCount,
        deadLetterQueue: s.deadLetterQueue,
        ordered: this.#ordered(),
        tags: s.tags === undefined ? undefined : [...new Set(s.tags)].sort(),
        startAt: 'earliest',
      },
    };
    return rules.createQueue(w, this.name, options);
  }
}

export class DeleteQueue extends Admin {
  readonly kind = 'deleteQueue' as const;
  constructor(readonly name: string) {
    super();
  }
  toString(): string {
    return `deleteQueue(${this.name})`;
  }
  real(h: Harness): void {
    h.broker.deleteQueue(this.name);
  }
  rule(w: World, ctx: Ctx): rules.Answer {
    return rules.deleteQueue(w, this.name, ctx);
  }
}

export class CreateTopic extends Admin {
  readonly kind = 'createTopic' as const;
  constructor(
    readonly name: string,
    readonly retention: number | undefined,
    /** undefined: the default (true). */
    readonly keepConsumed?: boolean | undefined,
  ) {
    super();
  }
  toString(): string {
    const parts: string[] = [];
    if (this.retention !== undefined) parts.push(`retention ${this.retention}`);
    if (this.keepConsumed !== undefined) parts.push(`keepConsumed ${this.keepConsumed}`);
    return `createTopic(${this.name}${parts.length > 0 ? `, ${parts.join(', ')}` : ''})`;
  }
  real(h: Harness): void {
    h.broker.createTopic(this.name, {
      ...(this.retention !== undefined && { retention: this.retention }),
      ...(this.keepConsumed !== undefined && { keepConsumed: this.keepConsumed }),
    });
  }
  rule(w: World): rules.Answer {
    return rules.createTopic(w, this.name, {
      delay: 0,
      retention: this.retention ?? DEFAULT_RETENTION,
      maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
      keepConsumed: this.keepConsumed ?? true,
    });
  }
}

export class DeleteTopic extends Admin {
  readonly kind = 'deleteTopic' as const;
  constructor(readonly name: string) {
    super();
  }
  toString(): string {
    return `deleteTopic(${this.name})`;
  }
  real(h: Harness): void {
    h.broker.deleteTopic(this.name);
  }
  rule(w: World, ctx: Ctx): rules.Answer {
    return rules.deleteTopic(w, this.name, ctx);
  }
}

export interface GroupSpec {
  readonly vt: number | undefined;
  readonly maxReceiveCount: number;
  readonly deadLetterQueue: string | undefined;
  readonly ordered: boolean;
  readonly tags: readonly string[] | undefined;
  /** undefined: the default ('earliest'). */
  readonly startAt?: 'earliest' | 'latest' | undefined;
}

export class CreateGroup extends Admin {
  readonly kind: Kind;
  constructor(
    readonly topic: string,
    readonly name: string,
    readonly spec: GroupSpec,
  ) {
    super();
    this.kind = badDlq(spec.deadLetterQueue, topic) ? 'badDlq' : 'createGroup';
  }
  toString(): string {
    const s = this.spec;
    const parts: string[] = [];
    if (s.vt !== undefined) parts.push(`vt ${s.vt}`);
    if (s.ordered) parts.push('ordered');
    if (s.maxReceiveCount > 0) parts.push(`maxReceiveCount ${s.maxReceiveCount}`);
    if (s.deadLetterQueue !== undefined) parts.push(`dlq ${s.deadLetterQueue}`);
    if (s.tags !== undefined) parts.push(`tags ${s.tags.join('|')}`);
    if (s.startAt !== undefined) parts.push(`startAt ${s.startAt}`);
    return `createGroup(${this.topic}/${this.name}${parts.length > 0 ? `, ${parts.join(', ')}` : ''})`;
  }
  real(h: Harness): void {
    const s = this.spec;
    const options: GroupOptions = {
      maxReceiveCount: s.maxReceiveCount,
      ordered: s.ordered,
      ...(s.vt !== undefined && { visibilityTimeout: s.vt }),
      ...(s.deadLetterQueue !== undefined && { deadLetterQueue: s.deadLetterQueue }),
      ...(s.tags !== undefined && { tags: s.tags }),
      ...(s.startAt !== undefined && { startAt: s.startAt }),
    };
    h.broker.topic(this.topic).createGroup(this.name, options);
  }
  rule(w: World): rules.Answer {
    const s = this.spec;
    const options: GroupOpts = {
      visibilityTimeout: s.vt ?? 30_000,
      maxReceiveCount: s.maxReceiveCount,
      deadLetterQueue: s.deadLetterQueue,
      ordered: s.ordered,
      tags: s.tags === undefined ? undefined : [...new Set(s.tags)].sort(),
      startAt: s.startAt ?? 'earliest',
    };
    return rules.createGroup(w, this.topic, this.name, options);
  }
}

export class DeleteGroup extends Admin {
  readonly kind = 'deleteGroup' as const;
  constructor(
    readonly topic: string,
    readonly name: string,
  ) {
    super();
  }
  toString(): string {
    return `deleteGroup(${this.topic}/${this.name})`;
  }
  real(h: Harness): void {
    h.broker.topic(this.topic).deleteGroup(this.name);
  }
  rule(w: World, ctx: Ctx): rules.Answer {
    return rules.deleteGroup(w, this.topic, this.name, ctx);
  }
}

export class SetOptions extends Admin {
  readonly kind: Kind;
  constructor(
    readonly ref: GroupRef,
    readonly patch: rules.OptionsPatch,
  ) {
    super();
    const dlq = patch.deadLetterQueue;
    this.kind =
      typeof dlq === 'string' && badDlq(dlq, ref.topic) ? 'badDlq' : dlq === null ? 'unsetDlq' : 'setOptions';
  }
  toString(): string {
    const p = this.patch;
    const parts: string[] = [];
    if (p.visibilityTimeout !== undefined) parts.push(`vt ${p.visibilityTimeout}`);
    if (p.maxReceiveCount !== undefined) parts.push(`maxReceiveCount ${p.maxReceiveCount}`);
    if (p.deadLetterQueue !== undefined) parts.push(`dlq ${p.deadLetterQueue ?? 'unset'}`);
    return `setOptions(${refName(this.ref)}, ${parts.join(', ') || 'nothing'})`;
  }
  real(h: Harness): void {
    const p = this.patch;
    const options = {
      ...(p.visibilityTimeout !== undefined && { visibilityTimeout: p.visibilityTimeout }),
      ...(p.maxReceiveCount !== undefined && { maxReceiveCount: p.maxReceiveCount }),
      ...(p.deadLetterQueue !== undefined && { deadLetterQueue: p.deadLetterQueue ?? undefined }),
    } as GroupOptions;
    if (this.ref.group === '') h.broker.queue(this.ref.topic).setOptions(options);
    else h.broker.topic(this.ref.topic).group(this.ref.group).setOptions(options);
  }
  rule(w: World): rules.Answer {
    return rules.setOptions(w, this.ref, this.patch);
  }
}

// ---------------------------------------------------------------------------------------------- arbitraries

/** Queues and groups that commands address (t2's groups only exist once created). */
const REFS: GroupRef[] = [
  { topic: 'q1', group: '' },
  { topic: 'q1', group: '' },
  { topic: ORDERED_QUEUE, group: '' },
  { topic: ORDERED_QUEUE, group: '' },
  { topic: 't1', group: 'g1' },
  { topic: 't1', group: 'g2' },
  { topic: 't1', group: 'g3' },
  { topic: 'q2', group: '' },
  { topic: 'q3', group: '' },
  { topic: 't2', group: 'g1' },
  { topic: 't2', group: 'g2' },
];
const refArb = fc.constantFrom(...REFS);
const sendTargetArb = fc.constantFrom(
  'q1',
  'q1',
  ORDERED_QUEUE,
  ORDERED_QUEUE,
  't1',
  't1',
  't1',
  'q2',
  'q3',
  't2',
);
const queueNameArb = fc.constantFrom(...PLAIN_QUEUES, ORDERED_QUEUE);
const dlqArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.constantFrom(...PLAIN_QUEUES) },
  { weight: 1, arbitrary: fc.constantFrom(...TOPICS) },
);

const pickArb: fc.Arbitrary<Pick> = fc.record({
  from: fc.constantFrom('live', 'live', 'live', 'recent', 'any'),
  index: fc.nat(40),
});
const otherArb = fc.oneof(
  { weight: 9, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.nat(20) },
);
const downtimeArb = fc.oneof(fc.constant(0), fc.constantFrom(1, 999, 1000, 3000, 25_000));
/** Where a crash hits `inner`: a compaction's snapshot writes when it runs one, else the log's writes. */
function crashPointArb(compacting: boolean): fc.Arbitrary<CrashPoint> {
  return fc.record({
    nth: fc.oneof(
      { weight: 6, arbitrary: fc.constant(1) },
      { weight: 2, arbitrary: fc.constant(2) },
      fc.integer({ min: 3, max: 6 }),
    ),
    target: compacting
      ? fc.constantFrom('any', 'snapshot', 'snapshot')
      : fc.constantFrom('any', 'any', 'segment'),
    torn: fc.option(fc.integer({ min: 1, max: 999 }), { nil: undefined }),
  });
}

const sendArb = fc.tuple(sendTargetArb, inputArb).map(([t, i]) => new Send(t, [i], false));
const sendBatchArb = fc
  .tuple(sendTargetArb, fc.array(inputArb, { minLength: 1, maxLength: 4 }))
  .map(([t, inputs]) => new Send(t, inputs, true));
const receiveArb = fc
  .tuple(
    refArb,
    fc.constantFrom(1, 1, 2, 3, 5),
    fc.option(fc.constantFrom(1, 300, 1000, 4000), { nil: undefined, freq: 3 }),
  )
  .map(([ref, max, vt]) => new Receive(ref, max, vt, 0));
const longPollArb = fc
  .tuple(
    refArb,
    fc.constantFrom(1, 2, 3),
    fc.option(fc.constantFrom(300, 1000), { nil: undefined }),
    fc.constantFrom(500, 1000, 5000, 20_000),
  )
  .map(([ref, max, vt, wait]) => new Receive(ref, max, vt, wait));
const ackArb = fc.tuple(pickArb, otherArb).map(([p, o]) => new Settle('ack', p, o));
const nackArb = fc.tuple(pickArb, otherArb).map(([p, o]) => new Settle('nack', p, o));
const batchItemArb: fc.Arbitrary<BatchItem> = fc.oneof(
  { weight: 5, arbitrary: pickArb.map((pick) => ({ kind: 'pick' as const, pick })) },
  { weight: 1, arbitrary: pickArb.map((pick) => ({ kind: 'forged' as const, pick })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.constant(''), fc.string({ maxLength: 40 }), fc.stringMatching(/^[A-Za-z0-9_-]{32}$/))
      .map((text) => ({ kind: 'garbage' as const, text })),
  },
);
const ackBatchArb = fc
  .tuple(fc.array(batchItemArb, { minLength: 1, maxLength: 5 }), otherArb)
  .map(([items, o]) => new AckBatch(items, o));
const changeVisibilityArb = fc
  .tuple(pickArb, fc.constantFrom(0, 0, 1, 500, 2000, 10_000))
  .map(([p, ms]) => new ChangeVisibility(p, ms));
const advanceArb = fc
  .oneof(
    fc.constantFrom(1, 250, 499, 500, 999, 1000, 1001, 1500, 2000, 3000, 5000, 6000, 15_000, 20_000),
    fc.integer({ min: 1, max: 40_000 }),
  )
  .map((ms) => new Advance(ms));

const queueSpecArb = (name: string): fc.Arbitrary<QueueSpec> =>
  fc.record({
    vt: vtArb,
    maxReceiveCount: maxReceiveArb,
    deadLetterQueue: fc.oneof(dlqArb, fc.constant(name)),
    retention: fc.option(fc.constantFrom(...SHORT_RETENTIONS), { nil: undefined }),
    delay: name === ORDERED_QUEUE ? fc.constant(0) : fc.constantFrom(0, 0, 0, 800),
    maxMessageSize: fc.option(fc.constant(2048), { nil: undefined, freq: 3 }),
    tags: name === ORDERED_QUEUE ? fc.constant(undefined) : fc.option(tagsArb, { nil: undefined, freq: 5 }),
  });
const createQueueArb = queueNameArb.chain((name) =>
  queueSpecArb(name).map((spec) => new CreateQueue(name, spec)),
);
const createTopicArb = fc
  .tuple(
    fc.constantFrom(...TOPICS),
    fc.option(fc.constantFrom(...SHORT_RETENTIONS), { nil: undefined }),
    fc.constantFrom(undefined, undefined, false, true),
  )
  .map(([name, retention, keep]) => new CreateTopic(name, retention, keep));
const groupSpecArb: fc.Arbitrary<GroupSpec> = fc.record({
  vt: fc.option(vtArb, { nil: undefined, freq: 4 }),
  maxReceiveCount: maxReceiveArb,
  deadLetterQueue: dlqArb,
  ordered: fc.boolean(),
  tags: fc.option(tagsArb, { nil: undefined }),
  startAt: fc.constantFrom(undefined, undefined, 'earliest', 'latest'),
});
const createGroupArb = fc
  .tuple(fc.constantFrom(...TOPICS), fc.constantFrom(...GROUPS), groupSpecArb)
  .map(([t, g, spec]) => new CreateGroup(t, g, spec));
const setOptionsArb = fc
  .tuple(
    refArb,
    fc.record(
      {
        visibilityTimeout: vtArb,
        maxReceiveCount: maxReceiveArb,
        deadLetterQueue: dlqArb.map((d) => d ?? null),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([ref, patch]) => new SetOptions(ref, patch));

interface Entry {
  readonly weight: number;
  /** The kinds its commands can have. */
  readonly kinds: readonly Kind[];
  readonly arbitrary: fc.Arbitrary<Command>;
}

/** A weighted choice among `entries`, without the skipped kinds (an entry left with none is dropped). */
function choice(entries: readonly Entry[], skip: ReadonlySet<string>): fc.Arbitrary<Command> {
  const kept = entries.filter((e) => e.kinds.some((k) => !skip.has(k)));
  if (kept.length === 0) throw new Error('SLUICE_MODEL_SKIP leaves no command');
  return fc.oneof(
    ...kept.map((e) => ({
      weight: e.weight,
      arbitrary: e.kinds.every((k) => !skip.has(k))
        ? e.arbitrary
        : e.arbitrary.filter((c) => !skip.has(c.kind)),
    })),
  );
}

const deleteGroupArb = fc
  .tuple(fc.constantFrom(...TOPICS), fc.constantFrom(...GROUPS))
  .map(([t, g]) => new DeleteGroup(t, g));

/** What a crash may interrupt. */
const INNER: readonly Entry[] = [
  { weight: 4, kinds: ['send', 'frames'], arbitrary: sendArb },
  { weight: 3, kinds: ['sendBatch', 'frames'], arbitrary: sendBatchArb },
  { weight: 2, kinds: ['receive'], arbitrary: receiveArb },
  { weight: 3, kinds: ['ack'], arbitrary: ackArb },
  { weight: 1, kinds: ['ackBatch'], arbitrary: ackBatchArb },
  { weight: 2, kinds: ['nack'], arbitrary: nackArb },
  { weight: 1, kinds: ['changeVisibility'], arbitrary: changeVisibilityArb },
  { weight: 3, kinds: ['advance'], arbitrary: advanceArb },
  { weight: 2, kinds: ['compact'], arbitrary: fc.constant(null).map(() => new Compact('await')) },
  { weight: 1, kinds: ['compactJoin'], arbitrary: fc.constant(null).map(() => new Compact('join')) },
  { weight: 1, kinds: ['createQueue', 'badDlq'], arbitrary: createQueueArb },
  { weight: 1, kinds: ['createGroup', 'badDlq'], arbitrary: createGroupArb },
  { weight: 1, kinds: ['deleteGroup'], arbitrary: deleteGroupArb },
  { weight: 1, kinds: ['setOptions', 'badDlq', 'unsetDlq'], arbitrary: setOptionsArb },
];

/** What a compaction may race: any call, time moving (and at top level, a close then reopen). */
const RACED: readonly Entry[] = [
  ...INNER.filter((e) => !e.kinds.includes('compact') && !e.kinds.includes('compactJoin')),
  { weight: 2, kinds: ['longPoll'], arbitrary: longPollArb },
  { weight: 1, kinds: ['deleteQueue'], arbitrary: queueNameArb.map((n) => new DeleteQueue(n)) },
  { weight: 1, kinds: ['deleteTopic'], arbitrary: fc.constantFrom(...TOPICS).map((n) => new DeleteTopic(n)) },
];

/** Every command, weighted; `skip` leaves kinds out (exploration only). */
export function commandArb(skip: ReadonlySet<string>): fc.Arbitrary<Command> {
  const raced = choice(RACED, skip).map((c) => new CompactDuring(c));
  const racedOrClosed = choice(
    [...RACED, { weight: 3, kinds: ['reopen'], arbitrary: downtimeArb.map((d) => new Reopen(d)) }],
    skip,
  ).map((c) => new CompactDuring(c));
  const inner = skip.has('compactStart')
    ? choice(INNER, skip)
    : fc.oneof({ weight: 5, arbitrary: choice(INNER, skip) }, { weight: 1, arbitrary: raced });
  return choice(
    [
      { weight: 8, kinds: ['send', 'frames'], arbitrary: sendArb },
      { weight: 4, kinds: ['sendBatch', 'frames'], arbitrary: sendBatchArb },
      { weight: 7, kinds: ['receive'], arbitrary: receiveArb },
      { weight: 2, kinds: ['longPoll'], arbitrary: longPollArb },
      { weight: 6, kinds: ['ack'], arbitrary: ackArb },
      { weight: 2, kinds: ['ackBatch'], arbitrary: ackBatchArb },
      { weight: 2, kinds: ['nack'], arbitrary: nackArb },
      { weight: 2, kinds: ['changeVisibility'], arbitrary: changeVisibilityArb },
      { weight: 1, kinds: ['abort'], arbitrary: fc.nat(5).map((i) => new Abort(i)) },
      { weight: 6, kinds: ['advance'], arbitrary: advanceArb },
      {
        weight: 1,
        kinds: ['stepBack'],
        arbitrary: fc.integer({ min: 1, max: 5000 }).map((ms) => new StepBack(ms)),
      },
      { weight: 2, kinds: ['compact'], arbitrary: fc.constant(null).map(() => new Compact('await')) },
      { weight: 3, kinds: ['compactStart'], arbitrary: racedOrClosed },
      { weight: 1, kinds: ['compactJoin'], arbitrary: fc.constant(null).map(() => new Compact('join')) },
      { weight: 2, kinds: ['reopen'], arbitrary: downtimeArb.map((d) => new Reopen(d)) },
      { weight: 1, kinds: ['crash'], arbitrary: downtimeArb.map((d) => new Crash(d)) },
      {
        weight: 4,
        kinds: ['crashDuring'],
        arbitrary: inner.chain((c) =>
          fc
            .tuple(crashPointArb(c instanceof Compact || c instanceof CompactDuring), downtimeArb)
            .map(([p, d]) => new CrashDuring(p, c, d)),
        ),
      },
      { weight: 1, kinds: ['createQueue', 'badDlq'], arbitrary: createQueueArb },
      { weight: 1, kinds: ['deleteQueue'], arbitrary: queueNameArb.map((n) => new DeleteQueue(n)) },
      { weight: 1, kinds: ['createTopic'], arbitrary: createTopicArb },
      {
        weight: 1,
        kinds: ['deleteTopic'],
        arbitrary: fc.constantFrom(...TOPICS).map((n) => new DeleteTopic(n)),
      },
      { weight: 2, kinds: ['createGroup', 'badDlq'], arbitrary: createGroupArb },
      { weight: 1, kinds: ['deleteGroup'], arbitrary: deleteGroupArb },
      { weight: 2, kinds: ['setOptions', 'badDlq', 'unsetDlq'], arbitrary: setOptionsArb },
    ],
    skip,
  );
}

/** What every run starts from (run as steps of its own, before the generated commands). */
export function setupCommands(): Command[] {
  const none = {
    deadLetterQueue: undefined,
    retention: undefined,
    delay: 0,
    maxMessageSize: undefined,
    tags: undefined,
  };
  return [
    new CreateQueue('q1', { ...none, vt: 1000, maxReceiveCount: 3, deadLetterQueue: 'q3' }),
    new CreateQueue('q2', {
      ...none,
      vt: 500,
      maxReceiveCount: 1,
      deadLetterQueue: 'q3',
      retention: 6000,
      maxMessageSize: 2048,
    }),
    new CreateQueue(ORDERED_QUEUE, { ...none, vt: 2000, maxReceiveCount: 0 }),
    new CreateTopic('t1', 20_000),
    new CreateGroup('t1', 'g1', {
      vt: undefined,
      maxReceiveCount: 0,
      deadLetterQueue: undefined,
      ordered: false,
      tags: undefined,
    }),
    new CreateGroup('t1', 'g2', {
      vt: 1500,
      maxReceiveCount: 2,
      deadLetterQueue: 'q2',
      ordered: false,
      tags: ['a', 'b'],
    }),
    new CreateGroup('t1', 'g3', {
      vt: 1000,
      maxReceiveCount: 0,
      deadLetterQueue: undefined,
      ordered: true,
      tags: undefined,
    }),
    // t2 starts with no group: what is sent to it waits for groups to come.
    new CreateTopic('t2', undefined),
  ];
}

export const SETUP_DESCRIPTION = setupCommands()
  .map((c) => c.toString())
  .join('; ');
