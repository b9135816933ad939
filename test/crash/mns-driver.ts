/**
 * @module crash/mns-driver — MNS over raw HTTP (unsigned: the server runs without keys): SendMessage and
 * BatchSendMessage, ReceiveMessage and BatchReceiveMessage, DeleteMessage and BatchDeleteMessage on one queue.
 */
import type { Driver } from './driver.js';
import { type Answer, call, Unanswered } from './http.js';
import type { AckItem, Ledger } from './ledger.js';
import { type Life, pause } from './life.js';
import { digest, escapeXmlText, md5Upper, textBody } from './payload.js';
import type { Rng } from './rng.js';
import { element, handleErrors, messages, xmlDeliveries } from './xml-answers.js';

const HEADERS = { 'x-mns-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const NS = ' xmlns="http://mns.aliyuncs.com/doc/v1/"';
/** BatchSendMessage refuses more than 64 KiB of bodies in all; stay under it. */
const BATCH_BYTES = 60_000;

/** The MNS driver of one queue. */
export class MnsDriver implements Driver {
  readonly dialect = 'mns';
  readonly groups: readonly string[];
  readonly maxAck = 16;
  #next = 0;

  constructor(
    readonly queue: string,
    readonly visibility: number,
    private readonly ledger: Ledger,
    private readonly rng: Rng,
  ) {
    this.groups = [`mns:${queue}`];
  }

  visibilityMs(): number {
    return this.visibility;
  }

  async prepare(): Promise<void> {}

  async #call(life: Life, method: string, target: string, body?: string): Promise<Answer | undefined> {
    try {
      return await call(`${life.url}${target}`, method, HEADERS, body);
    } catch (error) {
      if (!(error instanceof Unanswered)) throw error;
      this.ledger.count('mns unanswered');
      // Alive but unanswered (rare: a reset connection): do not spin.
      if (!life.stopped) await pause(20);
      return undefined;
    }
  }

  #unexpected(life: Life, what: string, a: Answer): void {
    this.ledger.serverError(this.groups[0]!, `${what}: HTTP ${a.status} ${a.text.slice(0, 300)}`, life.index);
  }

  async send(life: Life): Promise<void> {
    const batch = this.rng.chance(0.5);
    const bodies: { uid: string; body: string }[] = [];
    let total = 0;
    for (let i = 0, n = batch ? this.rng.int(2, 16) : 1; i < n; i++) {
      const uid = `mns-${this.#next++}`;
      const body = textBody(uid, this.rng, batch ? this.rng.logSize(1, 3000) : this.rng.logSize(1, 20_000));
      const bytes = Buffer.byteLength(body);
      if (batch && total + bytes > BATCH_BYTES) break;
      total += bytes;
      bodies.push({ uid, body });
    }
    for (const b of bodies) this.ledger.sendTried('mns', b.uid, digest(b.body));
    const item = (b: { body: string }, ns = '') =>
      `<Message${ns}><MessageBody>${escapeXmlText(b.body)}</MessageBody></Message>`;
    const xml = batch
      ? `${XML_HEAD}<Messages${NS}>${bodies.map((b) => item(b)).join('')}</Messages>`
      : `${XML_HEAD}${item(bodies[0]!, NS)}`;
    const a = await this.#call(life, 'POST', `/queues/${this.queue}/messages`, xml);
    if (a === undefined) return;
    if (a.status !== 201) return this.#unexpected(life, batch ? 'BatchSendMessage' : 'SendMessage', a);
    const answered = messages(a.text);
    if (answered.length !== bodies.length) return this.#unexpected(life, 'send answered another count', a);
    for (const [i, b] of bodies.entries()) {
      const id = element(answered[i]!, 'MessageId');
      if (id === undefined) {
        this.#unexpected(life, 'send without MessageId', a);
        continue;
      }
      if (element(answered[i]!, 'MessageBodyMD5') !== md5Upper(b.body)) {
        this.ledger.violate({
          kind: 'changed',
          group: this.groups[0]!,
          uid: b.uid,
          detail: 'send answered the MD5 of another body',
        });
      }
      this.ledger.sendConfirmed('mns', b.uid, id);
    }
  }

  async receive(life: Life, group: string, drain: boolean): Promise<AckItem[]> {
    const batch = drain || this.rng.chance(0.7);
    const start = Date.now();
    const a = await this.#call(
      life,
      'GET',
      `/queues/${this.queue}/messages?waitseconds=1${batch ? '&numOfMessages=16' : ''}`,
    );
    if (a === undefined) return [];
    if (a.status === 404 && element(a.text, 'Code') === 'MessageNotExist') return [];
    if (a.status !== 200) {
      this.#unexpected(life, 'ReceiveMessage', a);
      return [];
    }
    return xmlDeliveries(this.ledger, a.text, {
      group,
      receiveStart: start,
      drain,
      visibilityMs: this.visibility,
      life: life.index,
    });
  }

  async ack(life: Life, items: readonly AckItem[]): Promise<AckItem[]> {
    this.ledger.ackTriedFor(items, life.index);
    const sentAt = Date.now();
    if (items.length === 1 && this.rng.chance(0.5)) {
      const item = items[0]!;
      const a = await this.#call(
        life,
        'DELETE',
        `/queues/${this.queue}/messages?ReceiptHandle=${encodeURIComponent(item.handle)}`,
      );
      if (a === undefined) return [...items];
      if (a.status === 204) {
        this.ledger.ackOk(item, a.at);
        return [];
      }
      const code = element(a.text, 'Code') ?? '';
      if (code === 'ReceiptHandleError' || code === 'MessageNotExist') {
        this.ledger.ackRefused(item, sentAt, code, life.index);
      } else this.#unexpected(life, 'DeleteMessage', a);
      return [item];
    }
    const xml = `${XML_HEAD}<ReceiptHandles${NS}>${items.map((i) => `<ReceiptHandle>${i.handle}</ReceiptHandle>`).join('')}</ReceiptHandles>`;
    const a = await this.#call(life, 'DELETE', `/queues/${this.queue}/messages`, xml);
    if (a === undefined) return [...items];
    const refused =
      a.status === 204 ? new Map<string, string>() : a.status === 404 ? handleErrors(a.text) : undefined;
    if (refused === undefined) {
      this.#unexpected(life, 'BatchDeleteMessage', a);
      return [...items];
    }
    const failed: AckItem[] = [];
    for (const item of items) {
      const code = refused.get(item.handle);
      if (code === undefined) this.ledger.ackOk(item, a.at);
      else {
        this.ledger.ackRefused(item, sentAt, code, life.index);
        failed.push(item);
      }
    }
    return failed;
  }
}
