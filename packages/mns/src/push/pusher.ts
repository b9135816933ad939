/**
 * @module push/pusher — delivers published messages to HTTP(S) subscriptions.
 *
 * HOW and WHY: a message published to a topic with HTTP subscriptions is stored in the MNS core topic, where
 * only the HTTP subscriptions' groups take it (queue subscriptions' groups filter every tag out). So each push
 * is a message in a consumer group, and its whole life is the group's: the pusher long-polls each HTTP
 * subscription's group, POSTs what it receives (at most `concurrency` at once, each bounded by `timeoutMs`), acks
 * on a 2xx answer, and otherwise sets the message's visibility to the NotifyStrategy's next retry delay — the
 * group's `receiveCount` is the attempt number, so nothing but the core journal holds retry state. Retries fall
 * due on the broker clock (tests advance a manual clock instead of waiting) and survive restarts with the
 * journal; after the last retry the message is acked (dropped). A push cut short by `close()` is handed back at
 * once (it counts as an attempt).
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type Broker, type Delivery, type Group, isSluiceError } from '@sluice/core';
import { TOPIC_PREFIX } from '../constants.js';
import { bodyMd5, bodyText } from '../message-xml.js';
import { httpDate } from '../request-id.js';
import { subscriptionOf, upgradeQueueSubscription } from '../topic-attributes.js';
import { type HttpEndpoint, isHttpEndpoint, parseHttpEndpoint } from './endpoint.js';
import { pushRequest } from './notification.js';
import type { PushResult, ResolvedPushOptions } from './options.js';
import { retryDelay } from './retry.js';
import type { PushSigner } from './signer.js';

/** Group metadata key of the certificate's base URL, as seen by the Subscribe request. */
export const CERT_BASE_KEY = 'CertBase';
/** How long one receive of the pusher waits for a message, ms (it loops). */
const LONG_POLL_MS = 20_000;
/** Messages taken from one subscription at a time. */
const BATCH = 16;
/** A delivery stays invisible this much longer than the push may take, ms: its result is always recorded first. */
const VISIBILITY_MARGIN_MS = 30_000;
/** Most bytes of an endpoint's answer read (and thrown away) before its connection is cut. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Pause after an unexpected receive failure (e.g. a full disk), ms, so a failing broker is not spun on. */
const FAILURE_PAUSE_MS = 1_000;
/** Why a loop ends for good: its subscription, topic or broker is gone. */
const GONE = new Set(['GroupNotExist', 'TopicNotExist', 'BrokerClosed']);

/** Counts free push slots; waiters are served in arrival order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}

/** What the pusher needs from the handler. */
export interface PusherContext {
  readonly broker: Broker;
  readonly options: ResolvedPushOptions;
  /** TopicOwner and Subscriber. */
  readonly accountId: string;
  readonly signer: () => PushSigner;
  readonly nextRequestId: () => string;
  /** The wall clock for the `Date` header, ms. */
  readonly now: () => number;
}

/** Pushes to every HTTP(S) subscription of the handler's broker until closed. */
export class Pusher {
  readonly #ctx: PusherContext;
  readonly #loops = new Map<Group, Promise<void>>();
  readonly #abort = new AbortController();
  readonly #inflight = new Set<{ destroy(error?: Error): void }>();
  readonly #slots: Slots;
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;
  #closed = false;

  constructor(ctx: PusherContext) {
    this.#ctx = ctx;
    const { concurrency, ca } = ctx.options;
    this.#slots = new Slots(concurrency);
    this.#http = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
    this.#https = new HttpsAgent({
      keepAlive: true,
      maxSockets: concurrency,
      ...(ca === undefined ? {} : { ca: [...ca] }),
    });
  }

  /**
   * Starts a loop for every HTTP(S) subscription the broker holds (after a restart: the pushes still owed), and
   * makes queue subscriptions from before HTTP subscriptions existed filter every message out.
   */
  start(): void {
    for (const topic of this.#ctx.broker.eachTopic()) {
      if (topic.kind !== 'topic' || !topic.name.startsWith(TOPIC_PREFIX)) continue;
      for (const name of topic.listGroups()) this.watch(upgradeQueueSubscription(topic, topic.group(name)));
    }
  }

  /** Starts pushing for `group` if it is an HTTP(S) subscription and not pushed for yet. */
  watch(group: Group): void {
    if (this.#closed || this.#loops.has(group)) return;
    const sub = subscriptionOf(group);
    if (!isHttpEndpoint(sub.Endpoint)) return;
    let endpoint: HttpEndpoint;
    try {
      // Checked at Subscribe already; the length limit may have been lowered since, which must not stop delivery.
      endpoint = parseHttpEndpoint(sub.Endpoint, Number.POSITIVE_INFINITY, undefined);
    } catch {
      return;
    }
    const loop = this.#run(group, endpoint).finally(() => this.#loops.delete(group));
    this.#loops.set(group, loop);
  }

  /** Subscriptions being pushed for. */
  get watching(): number {
    return this.#loops.size;
  }

  /** Stops: parked receives end, pushes in flight are cut and handed back; resolves when every loop ended. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    for (const req of this.#inflight) req.destroy(new Error('the pusher closed'));
    await Promise.all(this.#loops.values());
    this.#http.destroy();
    this.#https.destroy();
  }

  async #run(group: Group, endpoint: HttpEndpoint): Promise<void> {
    const { options } = this.#ctx;
    const max = Math.min(BATCH, options.concurrency);
    while (!this.#closed) {
      let deliveries: Delivery[];
      try {
        deliveries = await group.receive({
          max,
          wait: LONG_POLL_MS,
          visibilityTimeout: options.timeoutMs + VISIBILITY_MARGIN_MS,
          signal: this.#abort.signal,
        });
      } catch (error) {
        if (isSluiceError(error) && GONE.has(error.code)) return;
        await this.#pause(FAILURE_PAUSE_MS);
        continue;
      }
      await Promise.all(deliveries.map((d) => this.#deliver(group, endpoint, d)));
    }
  }

  /** Waits `ms` on the broker clock, or until `close()`. */
  #pause(ms: number): Promise<void> {
    const { clock } = this.#ctx.broker;
    const signal = this.#abort.signal;
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clock.clearTimer(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = clock.setTimer(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async #deliver(group: Group, endpoint: HttpEndpoint, d: Delivery): Promise<void> {
    const { options, accountId } = this.#ctx;
    const sub = subscriptionOf(group);
    const topic = group.topic.name.slice(TOPIC_PREFIX.length);
    let status: number | undefined;
    let failure: string | undefined;
    const wait = this.#slots.acquire();
    if (wait !== undefined) await wait;
    try {
      if (this.#closed) throw new Error('the pusher closed');
      const signer = this.#ctx.signer();
      const base = options.certBaseUrl ?? group.options.metadata[CERT_BASE_KEY] ?? 'http://localhost';
      const request = pushRequest(
        sub.NotifyContentFormat,
        {
          owner: accountId,
          topic,
          subscription: group.name,
          id: d.id,
          md5: bodyMd5(d.body),
          tag: d.tag ?? '',
          body: bodyText(d.body),
          time: d.publishedAt,
        },
        {
          target: endpoint.target,
          date: httpDate(this.#ctx.now()),
          requestId: this.#ctx.nextRequestId(),
          certUrl: base + signer.path,
        },
        (s) => signer.sign(s),
      );
      status = await this.#post(endpoint, request.headers, request.body);
    } catch (error) {
      failure = (error as Error).message;
    } finally {
      this.#slots.release();
    }
    const base = { topic, subscription: group.name, messageId: d.id, attempt: d.receiveCount };
    try {
      if (status !== undefined && status >= 200 && status < 300) {
        await group.ack(d.receiptHandle);
        this.#report({ ...base, outcome: 'delivered', status });
        return;
      }
      const detail = status === undefined ? { error: failure ?? 'no answer' } : { status };
      if (this.#closed) {
        // Not the endpoint's fault: hand the message back now, for the next start.
        await group.nack(d.receiptHandle);
        return;
      }
      const delay = retryDelay(sub.NotifyStrategy, d.receiveCount);
      if (delay === undefined) {
        await group.ack(d.receiptHandle);
        this.#report({ ...base, outcome: 'dropped', ...detail });
        return;
      }
      const { visibleAt } = await group.changeVisibility(d.receiptHandle, delay);
      this.#report({ ...base, outcome: 'retry', ...detail, nextAttemptAt: visibleAt });
    } catch {
      // The subscription, topic or broker went away meanwhile, or the handle ran out: the group decides (a
      // message still held comes back when its visibility ends, and counts that attempt).
    }
  }

  #report(result: PushResult): void {
    const onResult = this.#ctx.options.onResult;
    if (onResult === undefined) return;
    try {
      onResult(result);
    } catch {
      // A listener's failure is not the push's.
    }
  }

  /** POSTs one push; resolves the status once the headers arrive (the body is drained, bounded), or rejects. */
  #post(endpoint: HttpEndpoint, headers: Record<string, string>, body: Buffer): Promise<number> {
    const { url, target } = endpoint;
    const secure = url.protocol === 'https:';
    const clock = this.#ctx.broker.clock;
    return new Promise<number>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)({
        method: 'POST',
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
        path: target,
        headers,
        agent: secure ? this.#https : this.#http,
      });
      this.#inflight.add(req);
      // On the broker clock, like every other deadline (a manual clock in tests times out only when advanced).
      const timer = clock.setTimer(
        () => req.destroy(new Error(`no answer within ${this.#ctx.options.timeoutMs} ms`)),
        this.#ctx.options.timeoutMs,
      );
      const done = () => {
        clock.clearTimer(timer);
        this.#inflight.delete(req);
      };
      req.once('response', (res) => {
        done();
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('error', () => {});
        resolve(res.statusCode ?? 0);
      });
      req.once('error', (error) => {
        done();
        reject(error);
      });
      req.end(body);
    });
  }
}
