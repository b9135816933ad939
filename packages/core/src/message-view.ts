/**
 * @module message-view — the objects `send` and `receive` answer with.
 *
 * A message id is a 32-character string built from the topic's prefix and the message's sequence
 * number. Building it costs about as much as the rest of a send, so these objects keep the number and
 * build the string only when `id` is read (then keep it).
 */
import { inspect } from 'node:util';
import type { Delivery, SendResult } from './types.js';

/** Formats message ids (a topic). */
export interface IdSource {
  idOf(seq: number): string;
}

/** What `send` answers: `{ id }`, with the id built on first read. */
export class SentMessage implements SendResult {
  #id: string | undefined;
  readonly #source: IdSource;
  readonly #seq: number;

  constructor(source: IdSource, seq: number) {
    this.#source = source;
    this.#seq = seq;
  }

  get id(): string {
    this.#id ??= this.#source.idOf(this.#seq);
    return this.#id;
  }

  toJSON(): SendResult {
    return { id: this.id };
  }

  [inspect.custom](): SendResult {
    return this.toJSON();
  }
}

/** A message handed to one consumer; see {@link Delivery}. The id is built on first read. */
export class DeliveredMessage implements Delivery {
  #id: string | undefined;
  readonly #source: IdSource;
  readonly #seq: number;

  constructor(
    source: IdSource,
    seq: number,
    readonly body: Uint8Array,
    readonly tag: string | undefined,
    readonly keys: readonly string[] | undefined,
    readonly properties: Readonly<Record<string, string>> | undefined,
    readonly groupKey: string | undefined,
    readonly publishedAt: number,
    readonly firstReceivedAt: number,
    readonly receiveCount: number,
    readonly visibleAt: number,
    readonly receiptHandle: string,
    readonly priority: number | undefined,
  ) {
    this.#source = source;
    this.#seq = seq;
  }

  get id(): string {
    this.#id ??= this.#source.idOf(this.#seq);
    return this.#id;
  }

  /** A plain object with every field, the id included. */
  toJSON(): Delivery {
    return {
      id: this.id,
      body: this.body,
      tag: this.tag,
      keys: this.keys,
      properties: this.properties,
      groupKey: this.groupKey,
      publishedAt: this.publishedAt,
      firstReceivedAt: this.firstReceivedAt,
      receiveCount: this.receiveCount,
      visibleAt: this.visibleAt,
      receiptHandle: this.receiptHandle,
      ...(this.priority !== undefined && { priority: this.priority }),
    };
  }

  [inspect.custom](): Delivery {
    return this.toJSON();
  }
}
