/**
 * The system under test and the driver of the model: a real broker on `logStorage` in a temp directory,
 * the possible worlds of the reference model, and one `exec` per command:
 *
 *   1. the command makes its real calls (and writes down what each call did as replay records);
 *   2. the harness lets the I/O settle and collects parked receives that ended;
 *   3. every world applies the step with those observations; worlds that cannot explain them go;
 *   4. on a crash, the image replaces the broker and the worlds are rebuilt from the step's records;
 *   5. the whole broker is looked at (stats, peek, options) and compared with every world.
 *
 * The test fails when no world is left; the message names the invariant and lists the steps so far.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Broker,
  createBroker,
  type Delivery,
  type Group,
  isSluiceError,
  logStorage,
  type Queue,
} from '../../src/index.js';
import { TestClock } from './clock.js';
import type { Config } from './config.js';
import { CrashIo, type CrashPoint } from './crash-io.js';
import { explore, type Invalid, invalid } from './explore.js';
import { compare, look } from './observe.js';
import { describeRec, type Rec, replayStep } from './replay.js';
import { type Ctx, describeObs, type HandleInfo, reopen, type WaiterObs } from './rules.js';
import { copyWorld, type GroupRef, newWorld, refName, type World, worldKey } from './world.js';

export const START = 1_700_000_000_000;
/** Log geometry: tiny segments (many files, bodies across segment ends) and eager compaction. */
export const SEGMENT_BYTES = 4096;
export const COMPACT_MIN_BYTES = 12 * 1024;
/** A tiny body cache: bodies are read back from the files. */
export const BODY_CACHE_BYTES = 4096;
/** How long any single call may take (real time) before it counts as a hang. */
const HANG_MS = 15_000;

export class ModelFailure extends Error {
  override readonly name = 'ModelFailure';
}

/** What a command did, for the model and the step log. */
export interface Step {
  readonly describe: string;
  readonly model: (w: World, ctx: Ctx) => void;
  /** The flush after time moved (its answer tells the time-driven changes reached the disk). */
  readonly timeOp?: number | undefined;
}

/** A command as the harness runs it. */
export interface StepCommand {
  readonly kind: string;
  /** Crash after (or, with a point, during) the command, then reopen `downtime` ms later. */
  readonly crash?: { readonly point: CrashPoint | undefined; readonly downtime: number } | undefined;
  act(h: Harness): Promise<Step>;
  toString(): string;
}

/** The calls a test makes on a group: through the queue for a queue's group, else on the group. */
export type Target = Pick<Queue, 'receive' | 'ack' | 'ackBatch' | 'nack' | 'changeVisibility'> & {
  readonly uid: number;
  readonly visibilityTimeout: number;
};

export interface WaiterRec {
  readonly wid: number;
  readonly ref: GroupRef;
  readonly op: number;
  readonly uid: number;
  readonly vt: number;
  readonly controller: AbortController;
  outcome: WaiterObs;
}

export interface PoolHandle extends HandleInfo {
  /** The call that answered it. */
  readonly op: number;
}

interface Image {
  readonly dir: string;
  readonly what: string;
  readonly resolved: ReadonlySet<number>;
  readonly time: number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

export function codeOf(error: unknown): string {
  if (isSluiceError(error)) return error.code;
  return `non-SluiceError ${error instanceof Error ? error.message : String(error)}`;
}

export class Harness {
  readonly config: Config;
  readonly root: string;
  readonly clock = new TestClock(START);
  dir: string;
  io = new CrashIo();
  broker!: Broker;
  worlds: World[];
  /** Every receipt handle the broker handed out (and the test still may have). */
  handles: PoolHandle[] = [];
  /** Parked receives, until the model explained how they ended. */
  readonly waiters = new Map<number, WaiterRec>();
  compaction: { broker: Broker; promise: Promise<void>; outcome: Outcome<void> | undefined } | undefined;
  /** Things found that are not a failure of one step (reported at the end of the run). */
  readonly findings: string[] = [];
  readonly log: string[] = [];
  #step = 0;
  #op = 0;
  #wid = 0;
  #images = 0;
  readonly #resolved = new Set<number>();
  #trace: Rec[] = [];
  #image: Image | undefined;
  #reopened = false;

  private constructor(config: Config) {
    this.config = config;
    this.root = mkdtempSync(join(tmpdir(), 'sluice-model-'));
    this.dir = join(this.root, 'data');
    mkdirSync(this.dir);
    this.worlds = [newWorld(this.clock.now(), this.clock.mono)];
  }

  static async create(config: Config, setup: readonly StepCommand[]): Promise<Harness> {
    const h = new Harness(config);
    await h.open(h.dir);
    for (const cmd of setup) await h.exec(cmd, true);
    return h;
  }

  async dispose(): Promise<void> {
    for (const w of this.waiters.values()) w.controller.abort();
    await this.quietly(this.broker.close());
    await this.quietly(this.compaction?.promise);
    rmSync(this.root, { recursive: true, force: true });
  }

  // ------------------------------------------------------------------------------------------ calls

  /** A new call id. */
  op(): number {
    return ++this.#op;
  }

  /** Writes down what a call did, for a crash image taken before it answered. */
  record(rec: Rec): void {
    this.#trace.push(rec);
  }

  /** Runs a call: its answer or its error code. A call that never settles fails the test. */
  async call<T>(op: number, what: string, f: () => Promise<T>): Promise<Outcome<T>> {
    let promise: Promise<T>;
    try {
      promise = f();
    } catch (error) {
      return { ok: false, code: codeOf(error) };
    }
    promise.then(
      () => this.#resolved.add(op),
      () => this.#resolved.add(op),
    );
    try {
      return { ok: true, value: await this.timed(promise, what) };
    } catch (error) {
      if (error instanceof ModelFailure) throw error;
      return { ok: false, code: codeOf(error) };
    }
  }

  /** A synchronous call (create, delete, setOptions): ok or its error code. */
  sync(f: () => unknown): string {
    try {
      f();
      return 'ok';
    } catch (error) {
      return codeOf(error);
    }
  }

  async timed<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ModelFailure(`[I4 answers] ${what} did not settle within ${HANG_MS / 1000} s`)),
        HANG_MS,
      );
    });
    try {
      return await Promise.race([promise, hang]);
    } finally {
      clearTimeout(timer);
    }
  }

  async quietly(promise: Promise<unknown> | undefined): Promise<void> {
    if (promise === undefined) return;
    try {
      await this.timed(promise, 'cleanup');
    } catch {
      // what an abandoned broker does no longer counts
    }
  }

  /** The group `ref` names, as the calls of a test reach it. Throws the broker's error when missing. */
  target(ref: GroupRef): Target {
    const on: Queue | Group =
      ref.group === '' ? this.broker.queue(ref.topic) : this.broker.topic(ref.topic).group(ref.group);
    const group = 'group' in on ? on.group : on;
    return {
      uid: group.uid,
      visibilityTimeout: group.options.visibilityTimeout,
      receive: (options) => on.receive(options),
      ack: (handle) => on.ack(handle),
      ackBatch: (handles) => on.ackBatch(handles),
      nack: (handle) => on.nack(handle),
      changeVisibility: (handle, ms) => on.changeVisibility(handle, ms),
    };
  }

  /** Remembers the handles of deliveries (and checks none was handed out before). */
  addHandles(ref: GroupRef, uid: number, deliveries: readonly Delivery[], op: number): void {
    for (const d of deliveries) {
      if (this.handles.some((h) => h.handle === d.receiptHandle)) {
        throw new ModelFailure(
          `[I3 handles] the broker handed out the receipt handle ${d.receiptHandle} twice`,
        );
      }
      this.handles.push({ handle: d.receiptHandle, uid, ref, msgId: d.id, deliveryNo: d.receiveCount, op });
    }
  }

  /** Remembers one handle (a changeVisibility answer). */
  addHandle(entry: PoolHandle): void {
    if (this.handles.some((h) => h.handle === entry.handle)) {
      throw new ModelFailure(`[I3 handles] the broker handed out the receipt handle ${entry.handle} twice`);
    }
    this.handles.push(entry);
  }

  /** Parks a long poll: its outcome is collected after each step. */
  park(
    ref: GroupRef,
    op: number,
    target: Target,
    max: number,
    vt: number | undefined,
    wait: number,
  ): WaiterRec {
    const controller = new AbortController();
    const rec: WaiterRec = {
      wid: ++this.#wid,
      ref,
      op,
      uid: target.uid,
      vt: vt ?? target.visibilityTimeout,
      controller,
      outcome: { state: 'pending' },
    };
    this.waiters.set(rec.wid, rec);
    const promise = target.receive({
      max,
      wait,
      signal: controller.signal,
      ...(vt !== undefined && { visibilityTimeout: vt }),
    });
    promise.then(
      (deliveries) => {
        this.#resolved.add(op);
        rec.outcome = { state: 'resolved', deliveries };
      },
      (error: unknown) => {
        this.#resolved.add(op);
        rec.outcome = { state: 'rejected', code: codeOf(error) };
      },
    );
    return rec;
  }

  startCompaction(): void {
    const broker = this.broker;
    const state: NonNullable<Harness['compaction']> = {
      broker,
      promise: broker.compact(),
      outcome: undefined,
    };
    state.promise.then(
      () => {
        state.outcome = { ok: true, value: undefined };
      },
      (error: unknown) => {
        state.outcome = { ok: false, code: codeOf(error) };
      },
    );
    this.compaction = state;
  }

  /** Lets every write and fsync in flight finish and their callers run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await this.broker.flush().catch(() => {});
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // ------------------------------------------------------------------------------------------ opening

  /** Opens a broker on `dir` (a stale LOCK copied into a crash image is a finding, then removed). */
  async open(dir: string): Promise<void> {
    this.io = new CrashIo();
    const make = () =>
      createBroker({
        clock: this.clock,
        storage: logStorage({
          dir,
          io: this.io,
          fsync: 'always',
          segmentBytes: SEGMENT_BYTES,
          compactMinBytes: this.config.skip.has('autoCompact') ? 2 ** 40 : COMPACT_MIN_BYTES,
          bodyCacheBytes: BODY_CACHE_BYTES,
        }),
      });
    try {
      this.broker = await this.timed(make(), 'createBroker');
    } catch (error) {
      if (error instanceof ModelFailure) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (!/lock/i.test(message)) {
        throw new ModelFailure(`[I1 acknowledged is durable] the data directory does not open: ${message}`);
      }
      this.findings.push(
        `step ${this.#step}: the crash image does not open because of its LOCK file: ${message}`,
      );
      rmSync(join(dir, 'LOCK'), { force: true });
      this.broker = await this.timed(make(), 'createBroker');
    }
    if (this.config.tickOnOpen) this.clock.advance(0);
    this.#reopened = true;
  }

  #takeImage(what: string): void {
    if (this.#image !== undefined) return;
    const dir = join(this.root, `image-${++this.#images}`);
    cpSync(this.dir, dir, { recursive: true });
    this.#image = { dir, what, resolved: new Set(this.#resolved), time: this.clock.now() };
  }

  // ------------------------------------------------------------------------------------------ steps

  /** Runs one command against the broker and every world, then compares them. */
  /** Past it, the remaining commands of the run are not executed (the time budget is spent). */
  deadline = Number.POSITIVE_INFINITY;
  /** The run was cut short by the deadline. */
  cut = false;

  async exec(cmd: StepCommand, setup = false): Promise<void> {
    if (!setup && Date.now() > this.deadline) {
      this.cut = true;
      return;
    }
    const label = setup ? `setup ${++this.#step}` : `step ${++this.#step}`;
    const start = this.worlds;
    this.#trace = [];
    this.#image = undefined;
    this.#reopened = false;
    const logFrom = this.log.length;
    const crash = cmd.crash;
    if (crash?.point !== undefined) this.io.arm(crash.point, (what) => this.#takeImage(what));
    let step: Step;
    try {
      step = await cmd.act(this);
    } catch (error) {
      if (error instanceof ModelFailure) throw this.#fail(label, cmd, error.message);
      throw this.#fail(
        label,
        cmd,
        `[I4 answers] the step threw: ${(error as Error)?.stack ?? String(error)}`,
      );
    }
    await this.settle();
    this.io.disarm();
    this.log.push(`${label}: ${cmd} → ${step.describe}`);
    const ended = this.#collectWaiters();
    this.worlds = this.#live(start, label, cmd, step, ended);
    if (crash !== undefined) await this.#crash(start, label, cmd, crash.downtime, step.timeOp);
    this.#observe(label, cmd);
    if (this.config.verbose)
      console.log(`${this.log.slice(logFrom).join('\n')}  [${this.worlds.length} world(s)]`);
  }

  /** Parked receives that ended during the step; their deliveries become records and handles. */
  #collectWaiters(): number[] {
    const ended: number[] = [];
    for (const w of this.waiters.values()) {
      if (w.outcome.state === 'pending') continue;
      ended.push(w.wid);
      if (w.outcome.state !== 'resolved') continue;
      const deliveries = w.outcome.deliveries;
      this.addHandles(w.ref, w.uid, deliveries, w.op);
      for (const d of deliveries) {
        this.record({
          kind: 'deliver',
          op: w.op,
          time: d.visibleAt - w.vt,
          ref: w.ref,
          id: d.id,
          receiveCount: d.receiveCount,
          firstReceivedAt: d.firstReceivedAt,
          visibleAt: d.visibleAt,
          handle: d.receiptHandle,
        });
      }
    }
    return ended;
  }

  #waiterObs(wid: number): WaiterObs {
    return this.waiters.get(wid)?.outcome ?? { state: 'pending' };
  }

  /** Applies the step to every world with what was observed; answers the worlds that explain it. */
  #live(start: World[], label: string, cmd: StepCommand, step: Step, ended: number[]): World[] {
    const out: World[] = [];
    const failures: Invalid[] = [];
    for (const w0 of start) {
      const r = explore(w0, copyWorld, (w, choose) => {
        const consumed = new Set<number>();
        const ctx: Ctx = {
          mode: 'live',
          label,
          timeCertain: true,
          choose,
          waiter: (wid) => this.#waiterObs(wid),
          consume: (wid) => consumed.add(wid),
        };
        step.model(w, ctx);
        for (const wid of ended) {
          if (consumed.has(wid)) continue;
          const rec = this.waiters.get(wid)!;
          invalid(
            'I4 answers',
            `parked receive #${wid} on ${refName(rec.ref)} ${describeObs(rec.outcome)} although the model has nothing for it`,
          );
        }
      });
      out.push(...r.worlds);
      failures.push(...r.failures);
    }
    for (const wid of ended) this.waiters.delete(wid);
    if (out.length === 0) throw this.#fail(label, cmd, reasons(failures), start.length);
    return dedupe(out);
  }

  /** Replaces the broker by the crash image and the worlds by what the image may hold. */
  async #crash(
    start: World[],
    label: string,
    cmd: StepCommand,
    downtime: number,
    timeOp: number | undefined,
  ): Promise<void> {
    const during = this.#image !== undefined;
    if (!during) this.#takeImage('after the step');
    const image = this.#image!;
    this.#image = undefined;
    this.log.push(`  crash image taken ${image.what}; reopened after ${downtime} ms`);
    if (during) {
      for (const rec of this.#trace) {
        const sure = image.resolved.has(rec.op) ? 'answered before the image' : 'may or may not be in it';
        this.log.push(`    ${describeRec(rec)}: ${sure}`);
      }
    }
    // The process is gone: its parked receives, and the handles of calls that had not answered.
    for (const w of this.waiters.values()) w.controller.abort();
    this.waiters.clear();
    this.handles = this.handles.filter((h) => image.resolved.has(h.op));
    const old = this.broker;
    await this.quietly(old.close());
    await this.quietly(this.compaction?.promise);
    this.compaction = undefined;

    let worlds: World[];
    if (during) {
      const failures: Invalid[] = [];
      worlds = [];
      const timeCertain = timeOp !== undefined && image.resolved.has(timeOp);
      for (const w0 of start) {
        const r = explore(w0, copyWorld, (w, choose) => {
          const ctx: Ctx = {
            mode: 'replay',
            label: `${label} (crash)`,
            timeCertain,
            choose,
            waiter: () => ({ state: 'pending' }),
            consume: () => {},
          };
          replayStep(w, this.#trace, image.resolved, image.time, ctx);
        });
        worlds.push(...r.worlds);
        failures.push(...r.failures);
      }
      if (worlds.length === 0) throw this.#fail(label, cmd, reasons(failures), start.length);
    } else worlds = this.worlds;

    this.clock.advance(downtime);
    this.dir = image.dir;
    await this.open(image.dir);
    const reopened: World[] = [];
    for (const w0 of worlds) {
      const r = explore(w0, copyWorld, (w, choose) => {
        reopen(w, downtime, {
          mode: 'recompute',
          label: `${label} (open after crash)`,
          timeCertain: false,
          choose,
          waiter: () => ({ state: 'pending' }),
          consume: () => {},
        });
      });
      reopened.push(...r.worlds);
    }
    this.worlds = dedupe(reopened);
    await this.settle();
  }

  /** Looks at the whole broker and keeps the worlds that agree with it. */
  #observe(label: string, cmd: StepCommand): void {
    for (const w of this.worlds) {
      if (w.now !== this.clock.now() || w.mono !== this.clock.mono) {
        throw new Error(
          `model: world clock ${w.now}/${w.mono} is not the test clock ${this.clock.now()}/${this.clock.mono}`,
        );
      }
    }
    let view: ReturnType<typeof look>;
    try {
      view = look(this.broker);
    } catch (error) {
      throw this.#fail(
        label,
        cmd,
        `[I1 acknowledged is durable] looking at the broker threw: ${(error as Error)?.stack}`,
      );
    }
    const kept: World[] = [];
    let best: string[] | undefined;
    for (const w of this.worlds) {
      const mismatches = compare(w, view, this.#reopened);
      if (mismatches.length === 0) kept.push(w);
      else {
        const text = mismatches.map((m) => `[${m.invariant}] ${m.text}`);
        if (best === undefined || text.length < best.length) best = text;
      }
    }
    if (kept.length === 0) {
      const shown = best!.slice(0, 8);
      if (best!.length > shown.length) shown.push(`… and ${best!.length - shown.length} more`);
      throw this.#fail(
        label,
        cmd,
        `the broker does not look as the model says:\n  ${shown.join('\n  ')}`,
        this.worlds.length,
      );
    }
    this.worlds = dedupe(kept);
  }

  #fail(label: string, cmd: StepCommand, reason: string, worlds = this.worlds.length): ModelFailure {
    const lines = [
      `${label}: ${cmd}`,
      reason,
      `(${worlds} possible world(s) before this check)`,
      ...(this.findings.length > 0 ? ['findings:', ...this.findings.map((f) => `  ${f}`)] : []),
      'steps:',
      ...this.log.slice(-80).map((l) => `  ${l}`),
    ];
    return new ModelFailure(lines.join('\n'));
  }

  // ------------------------------------------------------------------------------------------ picking

  /** The queues and groups that exist in the first world. */
  refs(): GroupRef[] {
    const out: GroupRef[] = [];
    const w = this.worlds[0]!;
    for (const t of w.topics.values()) for (const g of t.groups.keys()) out.push({ topic: t.name, group: g });
    return out;
  }

  /** Handles whose delivery is live in the first world. */
  liveHandles(): PoolHandle[] {
    const w = this.worlds[0]!;
    return this.handles.filter((h) => {
      const t = w.topics.get(h.ref.topic);
      const g = t?.groups.get(h.ref.group);
      if (t === undefined || g === undefined) return false;
      for (const m of t.msgs.values()) {
        if (m.id !== h.msgId) continue;
        const s = g.states.get(m.order);
        return s?.state === 'inflight' && s.handle === h.handle && w.now < s.due;
      }
      return false;
    });
  }

  pendingWaiters(): WaiterRec[] {
    return [...this.waiters.values()].filter((w) => w.outcome.state === 'pending');
  }
}

function dedupe(worlds: World[]): World[] {
  const seen = new Map<string, World>();
  for (const w of worlds) {
    const key = worldKey(w);
    if (!seen.has(key)) seen.set(key, w);
  }
  if (seen.size > 2000) throw new Error(`model: ${seen.size} possible worlds (model limit)`);
  return [...seen.values()];
}

function reasons(failures: Invalid[]): string {
  const distinct = [...new Set(failures.map((f) => f.message))];
  const shown = distinct.slice(0, 4);
  if (distinct.length > shown.length) shown.push(`… and ${distinct.length - shown.length} more`);
  return shown.join('\n');
}
