/**
 * @module transactions — transactional (half) messages built from core primitives.
 *
 * HOW: a half message goes into the topic's internal half queue with `deliverAt = publish + __TransCheckT`, so it
 * stays invisible until its first check-back. The publish answers a handle (`P` + a random nonce kept here) that
 * commits or rolls back until that moment. From then on the message is visible in the half queue, and `trans=pop`
 * receives it: each check-back is a delivery whose visibility timeout is the message's own check interval (set with
 * `changeVisibility`), so an unanswered check comes back `__TransCheckT` seconds later; after
 * `transactionCheckLimit` deliveries it dead-letters with no dead-letter queue, i.e. is discarded.
 * Commit sends a copy to the real topic (keeping the published id and time in internal properties); rollback
 * drops it.
 *
 * WHY the record map: the core has no "fetch by id", and a commit must know the body it commits. Records hold what
 * a commit needs. A half message resolved through its publish handle is still sitting (delayed) in the half queue;
 * its record is marked `resolved`, and the first check-back that meets it acks it silently. Records are rebuilt
 * from the delivery when a check-back meets a message they do not know (after a restart on durable storage), so
 * the only thing a restart loses is the resolution of a still-delayed message: it gets checked back once more.
 */
import { randomBytes } from 'node:crypto';
import type { Message, SendInput } from '@sluice/core';
import { integerProperty, SystemProperty } from './properties.js';

/** What the dialect keeps about one half message. */
export interface HalfRecord {
  readonly ns: string;
  readonly topic: string;
  readonly id: string;
  body: Uint8Array;
  readonly tag: string | undefined;
  readonly properties: Readonly<Record<string, string>>;
  readonly publishedAt: number;
  /** The check-back interval, ms. */
  readonly checkInterval: number;
  /** The publish handle's nonce while it is usable; `undefined` once used or once check-backs started. */
  nonce: string | undefined;
  /** When the publish handle stops working (the first check-back time), clock ms. */
  readonly publishDeadline: number;
  /** The core handle of the live check-back delivery, so a handle naming this message cannot ack another one. */
  checkToken: string | undefined;
  /** Committed or rolled back while the half copy still waits in the half queue. */
  resolved: boolean;
  /** Until when the record must be kept even if nothing touches it, clock ms. */
  keepUntil: number;
}

const EMPTY = new Uint8Array(0);
const SWEEP_EVERY = 60_000;

/** The records of every pending half message of one dialect instance. */
export class Transactions {
  readonly #records = new Map<string, HalfRecord>();
  readonly #retention: number;
  #nextSweep = 0;

  constructor(retention: number) {
    this.#retention = retention;
  }

  /** Remembers a half message just sent to the half queue; answers the publish handle's nonce. */
  add(
    ns: string,
    topic: string,
    message: Omit<HalfRecord, 'ns' | 'topic' | 'nonce' | 'checkToken' | 'resolved' | 'keepUntil'>,
  ): string {
    const nonce = randomBytes(16).toString('base64url');
    this.#records.set(message.id, {
      ns,
      topic,
      ...message,
      nonce,
      checkToken: undefined,
      resolved: false,
      keepUntil: message.publishedAt + this.#retention,
    });
    return nonce;
  }

  /** The record of a half message id. */
  get(id: string): HalfRecord | undefined {
    return this.#records.get(id);
  }

  /** Forgets a record (its half copy is gone from the queue). */
  delete(id: string): void {
    this.#records.delete(id);
  }

  /**
   * The record of a check-back delivery, rebuilt from the delivery when unknown; its publish handle stops working
   * (the check-back has started). Answers `undefined` when it was already resolved: the caller acks it silently.
   */
  checkBack(ns: string, topic: string, delivery: Message, visibleAt: number): HalfRecord | undefined {
    let record = this.#records.get(delivery.id);
    if (record === undefined) {
      const props = delivery.properties ?? {};
      const seconds = props[SystemProperty.TransCheckT];
      record = {
        ns,
        topic,
        id: delivery.id,
        body: delivery.body,
        tag: delivery.tag,
        properties: props,
        publishedAt: delivery.publishedAt,
        checkInterval: seconds === undefined ? 60_000 : safeSeconds(seconds) * 1000,
        nonce: undefined,
        checkToken: undefined,
        publishDeadline: delivery.publishedAt,
        resolved: false,
        keepUntil: 0,
      };
      this.#records.set(delivery.id, record);
    }
    if (record.resolved) return undefined;
    record.nonce = undefined;
    record.keepUntil = Math.max(record.keepUntil, visibleAt + record.checkInterval);
    return record;
  }

  /** Marks a record resolved through its publish handle; its body is no longer needed. */
  resolve(record: HalfRecord): void {
    record.resolved = true;
    record.nonce = undefined;
    record.body = EMPTY;
  }

  /**
   * Drops records whose half copy can no longer be met by a check-back (discarded after the check limit, or
   * expired): at most once a minute of broker time, O(records).
   */
  sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + SWEEP_EVERY;
    for (const [id, record] of this.#records) if (record.keepUntil < now) this.#records.delete(id);
  }

  /** How many records are kept (for tests and metrics). */
  get size(): number {
    return this.#records.size;
  }
}

function safeSeconds(text: string): number {
  try {
    return integerProperty(SystemProperty.TransCheckT, text);
  } catch {
    return 60;
  }
}

/** What committing a half message sends to the real topic: the message as published, under its original id and time. */
export function committedInput(record: HalfRecord): SendInput {
  const props: Record<string, string> = { ...record.properties };
  delete props[SystemProperty.TransCheckT];
  props[SystemProperty.MessageId] = record.id;
  props[SystemProperty.PublishTime] = String(record.publishedAt);
  return messageInput(record.body, record.tag, props);
}

/**
 * The core send input of a RocketMQ message: `KEYS` also goes to `keys`, `__SHARDINGKEY` to `groupKey`,
 * `__STARTDELIVERTIME` to `deliverAt`; the properties are kept verbatim for rendering.
 */
export function messageInput(
  body: Uint8Array,
  tag: string | undefined,
  properties: Readonly<Record<string, string>>,
): SendInput {
  const input: SendInput = { body };
  for (const _ in properties) {
    input.properties = properties;
    break;
  }
  if (tag !== undefined) input.tag = tag;
  const keys = properties[SystemProperty.Keys];
  if (keys !== undefined) input.keys = [keys];
  const shardingKey = properties[SystemProperty.ShardingKey];
  if (shardingKey !== undefined) input.groupKey = shardingKey;
  const start = properties[SystemProperty.StartDeliverTime];
  if (start !== undefined) input.deliverAt = Number(start);
  return input;
}
