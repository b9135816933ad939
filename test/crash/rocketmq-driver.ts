/**
 * @module crash/rocketmq-driver — ApsaraMQ for RocketMQ HTTP over raw requests (unsigned): publish to one topic,
 * consume and ack in each of its consumer groups.
 */
import type { Driver } from './driver.js';
import { type Answer, call, Unanswered } from './http.js';
import type { AckItem, Ledger } from './ledger.js';
import { type Life, pause } from './life.js';
import { digest, escapeXmlText, md5Upper, textBody } from './payload.js';
import type { Rng } from './rng.js';
import { element, errorCode, handleErrors, xmlDeliveries } from './xml-answers.js';

const HEADERS = { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const NS = ' xmlns="http://mq.aliyuncs.com/doc/v1/"';

/** The RocketMQ driver of one topic and its consumer groups (GIDs). */
export class RocketMqDriver implements Driver {
  readonly dialect = 'rocketmq';
  readonly groups: readonly string[];
  readonly maxAck = 16;
  #next = 0;

  constructor(
    readonly topic: string,
    consumers: readonly string[],
    readonly invisibility: number,
    private readonly ledger: Ledger,
    private readonly rng: Rng,
  ) {
    this.groups = consumers.map((c) => `rocketmq:${c}`);
  }

  visibilityMs(): number {
    return this.invisibility;
  }

  async prepare(): Promise<void> {}

  async #call(life: Life, method: string, target: string, body?: string): Promise<Answer | undefined> {
    try {
      return await call(`${life.url}${target}`, method, HEADERS, body);
    } catch (error) {
      if (!(error instanceof Unanswered)) throw error;
      this.ledger.count('rocketmq unanswered');
      // Alive but unanswered (rare: a reset connection): do not spin.
      if (!life.stopped) await pause(20);
      return undefined;
    }
  }

  #unexpected(life: Life, group: string, what: string, a: Answer): void {
    this.ledger.serverError(group, `${what}: HTTP ${a.status} ${a.text.slice(0, 300)}`, life.index);
  }

  async send(life: Life): Promise<void> {
    const uid = `rmq-${this.#next++}`;
    const body = textBody(uid, this.rng, this.rng.logSize(1, 24_000));
    this.ledger.sendTried('rocketmq', uid, digest(body));
    const tag = this.rng.chance(0.5) ? `<MessageTag>t${this.rng.int(0, 3)}</MessageTag>` : '';
    const a = await this.#call(
      life,
      'POST',
      `/topics/${this.topic}/messages`,
      `${XML_HEAD}<Message${NS}><MessageBody>${escapeXmlText(body)}</MessageBody>${tag}</Message>`,
    );
    if (a === undefined) return;
    const id = element(a.text, 'MessageId');
    if (a.status !== 201 || id === undefined)
      return this.#unexpected(life, this.groups[0]!, 'PublishMessage', a);
    if (element(a.text, 'MessageBodyMD5') !== md5Upper(body)) {
      this.ledger.violate({
        kind: 'changed',
        group: this.groups[0]!,
        uid,
        detail: 'publish answered the MD5 of another body',
      });
    }
    this.ledger.sendConfirmed('rocketmq', uid, id);
  }

  #consumer(group: string): string {
    return group.slice('rocketmq:'.length);
  }

  async receive(life: Life, group: string, drain: boolean): Promise<AckItem[]> {
    const start = Date.now();
    const n = drain ? 16 : this.rng.int(1, 16);
    const a = await this.#call(
      life,
      'GET',
      `/topics/${this.topic}/messages?consumer=${this.#consumer(group)}&numOfMessages=${n}&waitseconds=1`,
    );
    if (a === undefined) return [];
    if (a.status === 404 && errorCode(a.text) === 'MessageNotExist') return [];
    if (a.status !== 200) {
      this.#unexpected(life, group, 'ConsumeMessage', a);
      return [];
    }
    return xmlDeliveries(this.ledger, a.text, {
      group,
      receiveStart: start,
      drain,
      visibilityMs: this.invisibility,
      life: life.index,
    });
  }

  async ack(life: Life, items: readonly AckItem[]): Promise<AckItem[]> {
    this.ledger.ackTriedFor(items, life.index);
    const sentAt = Date.now();
    const group = items[0]!.group;
    const a = await this.#call(
      life,
      'DELETE',
      `/topics/${this.topic}/messages?consumer=${this.#consumer(group)}`,
      `${XML_HEAD}<ReceiptHandles${NS}>${items.map((i) => `<ReceiptHandle>${i.handle}</ReceiptHandle>`).join('')}</ReceiptHandles>`,
    );
    if (a === undefined) return [...items];
    // 204: all acked. 404 <Errors>: the listed handles failed, the others were acked.
    const refused =
      a.status === 204 ? new Map<string, string>() : a.status === 404 ? handleErrors(a.text) : undefined;
    if (refused === undefined) {
      this.#unexpected(life, group, 'AckMessage', a);
      return [...items];
    }
    const failed: AckItem[] = [];
    for (const item of items) {
      const code = refused.get(item.handle);
      if (code === undefined) this.ledger.ackOk(item, a.at);
      else {
        // ReceiptHandleError: malformed, forged or foreign — never right for a handle the server gave out.
        this.ledger.ackRefused(item, sentAt, code, life.index, code === 'ReceiptHandleError');
        failed.push(item);
      }
    }
    return failed;
  }
}
