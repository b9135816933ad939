/** @module benchmarks/naive-queue — the naive in-memory reference: what a queue with acks looks like written the obvious way */
/*
 * This is the baseline the core is measured against (issue 3): the queue a competent developer writes in
 * an afternoon, with the same promise-returning API shape as a Sluice queue so the benchmark loop is the
 * same for both.
 *
 *   - a Map of message objects, keyed by message id (an incrementing counter string: cheaper than a
 *     random UUID, so this choice favours the reference);
 *   - an array FIFO of the visible messages, read with a head index and compacted with `splice` when the
 *     consumed prefix is more than half of it (`Array.prototype.shift` is O(n) on a large V8 array: at
 *     16k queued messages it alone takes ~230 ms to drain, which would make the reference unfairly slow);
 *   - a random string receipt handle per delivery (`crypto.randomUUID()`), kept in a second Map
 *     handle -> message while the delivery is live;
 *   - a deadline per delivery: one `setTimeout` per receive, cleared on ack, whose callback makes the
 *     message visible again at the back of the FIFO. That is what the naive version of a visibility
 *     timeout is; a periodic sweep would save the Timeout objects but cost a scan of every inflight message.
 *   - the body is copied on send (`Buffer.from`, which packs small bodies into Node's shared 8 KiB pool),
 *     as Sluice copies it into its arena: a queue must not alias the caller's buffer.
 *
 * No long polling, delays, dead letters or ordering: the reference covers the full cycle only.
 */
import { randomUUID } from 'node:crypto';

/** One stored message of the naive queue. */
class NaiveMessage {
  /**
   * @param {string} id
   * @param {Buffer} body
   * @param {number} publishedAt
   */
  constructor(id, body, publishedAt) {
    this.id = id;
    this.body = body;
    this.publishedAt = publishedAt;
    this.receiveCount = 0;
    /** @type {string | undefined} the live delivery's handle */
    this.handle = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} the live delivery's deadline */
    this.timer = undefined;
  }
}

const OK = Object.freeze({ ok: true });
const NOT_FOUND = Object.freeze({ ok: false, code: 'ReceiptHandleError' });

/** The naive reference queue: Map + array FIFO + random handle + one setTimeout per delivery. */
export class NaiveQueue {
  /** @type {Map<string, NaiveMessage>} */
  #messages = new Map();
  /** @type {NaiveMessage[]} */
  #fifo = [];
  #head = 0;
  /** @type {Map<string, NaiveMessage>} */
  #inflight = new Map();
  #seq = 0;
  #visibilityTimeout;

  /** @param {{ visibilityTimeout?: number }} [options] */
  constructor(options = {}) {
    this.#visibilityTimeout = options.visibilityTimeout ?? 30_000;
  }

  /** Messages stored (visible or inflight). */
  get size() {
    return this.#messages.size;
  }

  /** @param {{ body: Uint8Array | string }} input */
  async send(input) {
    return { id: this.#append(input) };
  }

  /** @param {readonly { body: Uint8Array | string }[]} inputs */
  async sendBatch(inputs) {
    const out = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) out[i] = { id: this.#append(inputs[i]) };
    return out;
  }

  /** @param {{ max?: number, visibilityTimeout?: number }} [options] */
  async receive(options = {}) {
    const max = options.max ?? 1;
    const vt = options.visibilityTimeout ?? this.#visibilityTimeout;
    const out = [];
    while (out.length < max && this.#head < this.#fifo.length) {
      const message = this.#fifo[this.#head];
      this.#fifo[this.#head++] = undefined;
      const handle = randomUUID();
      message.handle = handle;
      message.receiveCount++;
      message.timer = setTimeout(() => this.#timeout(message, handle), vt);
      this.#inflight.set(handle, message);
      out.push({
        id: message.id,
        body: message.body,
        publishedAt: message.publishedAt,
        receiveCount: message.receiveCount,
        receiptHandle: handle,
      });
    }
    this.#compact();
    return out;
  }

  /** @param {string} handle */
  async ack(handle) {
    if (!this.#settle(handle)) throw new Error('ReceiptHandleError');
  }

  /** @param {readonly string[]} handles */
  async ackBatch(handles) {
    const out = new Array(handles.length);
    for (let i = 0; i < handles.length; i++) out[i] = this.#settle(handles[i]) ? OK : NOT_FOUND;
    return out;
  }

  /** Stops every pending deadline (so a benchmark process can exit). */
  close() {
    for (const message of this.#inflight.values()) clearTimeout(message.timer);
    this.#inflight.clear();
    this.#messages.clear();
    this.#fifo = [];
    this.#head = 0;
  }

  #append(input) {
    const id = String(++this.#seq);
    const message = new NaiveMessage(id, Buffer.from(input.body), Date.now());
    this.#messages.set(id, message);
    this.#fifo.push(message);
    return id;
  }

  #settle(handle) {
    const message = this.#inflight.get(handle);
    if (message === undefined) return false;
    this.#inflight.delete(handle);
    clearTimeout(message.timer);
    this.#messages.delete(message.id);
    return true;
  }

  #timeout(message, handle) {
    if (message.handle !== handle) return;
    this.#inflight.delete(handle);
    message.handle = undefined;
    message.timer = undefined;
    this.#fifo.push(message);
  }

  #compact() {
    if (this.#head === this.#fifo.length) {
      this.#fifo.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#fifo.length) {
      this.#fifo.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
