/**
 * @module crash/dms-driver — Huawei DMS over raw requests (unsigned): produce to one queue, consume and ack in each
 * of its consumer groups. DMS consume answers carry no message id: a message is known by the id in its body.
 */
import type { Driver } from './driver.js';
import { type Answer, call, Unanswered } from './http.js';
import type { AckItem, Ledger } from './ledger.js';
import { type Life, pause } from './life.js';
import { checkAnyBody, checkJsonBody, digest, type JsonBody, jsonBody, jsonBodyText } from './payload.js';
import type { Rng } from './rng.js';

const HEADERS = { 'content-type': 'application/json' };
/** A produce carries at most 512 KiB of bodies; stay well under it. */
const BATCH_BYTES = 400_000;

/** The codes of an ack whose first handler failed: not live (10542209), another group's, another kind's. */
const HANDLER_CODES = new Set(['10542209', '10540004', '10542205']);

interface DmsError {
  error_code?: string;
}

/** One item of a consume answer: its body parsed, or only its raw text when that is not JSON. */
interface Consumed {
  readonly body: unknown;
  readonly raw: string;
  readonly handler: string;
}

/**
 * Reads a consume answer. The server splices each stored body into the answer as the JSON text it was stored as,
 * so a body that is not JSON (another dialect's, put here by broken storage) breaks the document: then each item
 * is cut out by its frame, `{"message":{"body":…,"attributes":{…}},"handler":"…"}`, to report whose body it is.
 */
function consumed(text: string): Consumed[] {
  try {
    const list = JSON.parse(text) as { message: { body: unknown }; handler: string }[];
    return list.map((m) => ({
      body: m.message.body,
      raw: JSON.stringify(m.message.body),
      handler: m.handler,
    }));
  } catch {
    const out: Consumed[] = [];
    const frame = /\{"message":\{"body":([\s\S]*?),"attributes":(?:\{[^{}]*\})\},"handler":"([^"]+)"\}/g;
    for (const m of text.matchAll(frame)) out.push({ body: undefined, raw: m[1]!, handler: m[2]! });
    return out;
  }
}

/** The DMS driver of one queue (found by name in its project) and its groups (by name). */
export class DmsDriver implements Driver {
  readonly dialect = 'dms';
  readonly groups: readonly string[];
  readonly maxAck = 10;
  #next = 0;
  #queueId: string | undefined;
  readonly #groupIds = new Map<string, string>();

  constructor(
    readonly project: string,
    readonly queue: string,
    groupNames: readonly string[],
    /** `ack_wait` of every consume, seconds (DMS takes 15 to 300). */
    readonly ackWait: number,
    private readonly ledger: Ledger,
    private readonly rng: Rng,
  ) {
    this.groups = groupNames.map((g) => `dms:${g}`);
  }

  visibilityMs(): number {
    return this.ackWait * 1000;
  }

  get #base(): string {
    return `/v1.0/${this.project}/queues/${this.#queueId}`;
  }

  /** Finds the queue and group ids; they must be the same in every life (handles and routes depend on them). */
  async prepare(life: Life): Promise<void> {
    const queues = await call(`${life.url}/v1.0/${this.project}/queues`, 'GET', HEADERS);
    const queue = (JSON.parse(queues.text) as { queues: { id: string; name: string }[] }).queues.find(
      (q) => q.name === this.queue,
    );
    if (queue === undefined)
      throw new Error(`DMS queue ${this.queue} is gone after a restart: ${queues.text}`);
    if (this.#queueId !== undefined && this.#queueId !== queue.id) {
      this.ledger.serverError(
        this.groups[0]!,
        `DMS queue id changed across a restart: ${this.#queueId} -> ${queue.id}`,
      );
    }
    this.#queueId = queue.id;
    const groups = await call(`${life.url}${this.#base}/groups`, 'GET', HEADERS);
    const list = (JSON.parse(groups.text) as { groups: { id: string; name: string }[] }).groups;
    for (const group of this.groups) {
      const found = list.find((g) => `dms:${g.name}` === group);
      if (found === undefined) throw new Error(`DMS group ${group} is gone after a restart: ${groups.text}`);
      const known = this.#groupIds.get(group);
      if (known !== undefined && known !== found.id) {
        this.ledger.serverError(group, `DMS group id changed across a restart: ${known} -> ${found.id}`);
      }
      this.#groupIds.set(group, found.id);
    }
  }

  async #call(life: Life, method: string, target: string, body?: string): Promise<Answer | undefined> {
    try {
      return await call(`${life.url}${target}`, method, HEADERS, body);
    } catch (error) {
      if (!(error instanceof Unanswered)) throw error;
      this.ledger.count('dms unanswered');
      // Alive but unanswered (rare: a reset connection): do not spin.
      if (!life.stopped) await pause(20);
      return undefined;
    }
  }

  #unexpected(life: Life, group: string, what: string, a: Answer): void {
    this.ledger.serverError(group, `${what}: HTTP ${a.status} ${a.text.slice(0, 300)}`, life.index);
  }

  async send(life: Life): Promise<void> {
    const bodies: JsonBody[] = [];
    let total = 0;
    for (let i = 0, n = this.rng.int(1, 10); i < n; i++) {
      const body = jsonBody(`dms-${this.#next++}`, this.rng, this.rng.logSize(1, 12_000));
      // JSON escapes (\u0000) make a body up to six times its code units.
      const bytes = Buffer.byteLength(JSON.stringify(body));
      if (bodies.length > 0 && total + bytes > BATCH_BYTES) break;
      total += bytes;
      bodies.push(body);
    }
    for (const b of bodies) this.ledger.sendTried('dms', b.id, digest(jsonBodyText(b)));
    const a = await this.#call(
      life,
      'POST',
      `${this.#base}/messages`,
      JSON.stringify({ messages: bodies.map((body) => ({ body })), returnId: true }),
    );
    if (a === undefined) return;
    if (a.status !== 201) return this.#unexpected(life, this.groups[0]!, 'produce', a);
    const results = (JSON.parse(a.text) as { messages: { state: number; id?: string }[] }).messages;
    bodies.forEach((b, i) => {
      const r = results[i];
      if (r?.state === 0 && r.id !== undefined) this.ledger.sendConfirmed('dms', b.id, r.id);
      else this.#unexpected(life, this.groups[0]!, `produce item ${i}`, a);
    });
  }

  async receive(life: Life, group: string, drain: boolean): Promise<AckItem[]> {
    const start = Date.now();
    const max = drain ? 10 : this.rng.int(1, 10);
    const a = await this.#call(
      life,
      'GET',
      `${this.#base}/groups/${this.#groupIds.get(group)}/messages?max_msgs=${max}&time_wait=1&ack_wait=${this.ackWait}`,
    );
    if (a === undefined) return [];
    if (a.status !== 200) {
      this.#unexpected(life, group, 'consume', a);
      return [];
    }
    const items: AckItem[] = [];
    for (const m of consumed(a.text)) {
      const check = m.body === undefined ? checkAnyBody(m.raw) : checkJsonBody(m.body);
      this.ledger.delivered({
        group,
        uid: check.uid,
        intact: check.intact,
        hash: check.hash,
        messageId: undefined,
        md5Ok: true,
        receiveStart: start,
        drain,
        sample: m.raw,
      });
      // Acked even when the body is not what it should be, or the drain would meet it again and again.
      const uid = check.uid ?? `unknown-${m.handler}`;
      items.push({
        group,
        uid,
        handle: m.handler,
        receiveStart: start,
        visibilityMs: this.visibilityMs(),
        life: life.index,
      });
    }
    return items;
  }

  /**
   * DMS acks in order: `{success: N}` means the first N were acked; the item after them failed (its handler was not
   * live) and the rest were released, not acked. A 400 means the first one failed.
   */
  async ack(life: Life, items: readonly AckItem[]): Promise<AckItem[]> {
    this.ledger.ackTriedFor(items, life.index);
    const sentAt = Date.now();
    const group = items[0]!.group;
    const a = await this.#call(
      life,
      'POST',
      `${this.#base}/groups/${this.#groupIds.get(group)}/ack`,
      JSON.stringify({ message: items.map((i) => ({ handler: i.handle, status: 'success' })) }),
    );
    if (a === undefined) return [...items];
    let success = 0;
    let code = '';
    if (a.status === 200) {
      success = (JSON.parse(a.text) as { success: number }).success;
      code = '10542209 (in a batch)';
    } else if (a.status === 400 && HANDLER_CODES.has((JSON.parse(a.text) as DmsError).error_code ?? '')) {
      code = (JSON.parse(a.text) as DmsError).error_code!;
    } else {
      this.#unexpected(life, group, 'ack', a);
      return [...items];
    }
    for (const item of items.slice(0, success)) this.ledger.ackOk(item, a.at);
    const first = items[success];
    if (first !== undefined) {
      // 10540004 / 10542205: another group's or another kind's handler — never right for one the server gave out.
      this.ledger.ackRefused(first, sentAt, code, life.index, code === '10540004' || code === '10542205');
    }
    return items.slice(success);
  }
}
