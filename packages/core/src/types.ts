/** @module types — the public shapes of the core: options, messages, deliveries, results. */

/** Options of a topic (the message log). All durations are in milliseconds. */
export interface TopicOptions {
  /** Default delay before a sent message becomes visible, ms. Default 0. */
  delay?: number;
  /** How long a message is kept, in every group, before it expires, ms. Default 4 days; at most 2^32-1. */
  retention?: number;
  /** Largest body accepted, bytes. Default 65 536. */
  maxMessageSize?: number;
  /** Free-form string attributes kept (and persisted) with the topic, for dialects (e.g. MNS LoggingEnabled). */
  metadata?: Readonly<Record<string, string>>;
  /**
   * Keep every message for the topic's `retention`, whatever its groups did: a message every group has acked
   * (or dead-lettered), one no group's tag filter let in, one sent while the topic had no group, all stay, and
   * a group created later (`startAt: 'earliest'`) receives them. `false`: a message is freed as soon as every
   * group that took it is done with it (and one no group lets in is not kept), so a later group only sees what
   * nobody had finished. Default true for topics; fixed at creation. Queues always free a message on ack, and
   * refuse `true`.
   */
  keepConsumed?: boolean;
}

/** Options of a consumer group. All durations are in milliseconds. */
export interface GroupOptions {
  /** How long a received message stays invisible to other consumers, ms. Default 30 000. */
  visibilityTimeout?: number;
  /**
   * After this many deliveries, a delivery that ends without an ack (timeout or nack) moves the
   * message to `deadLetter` instead of back to `active`. Default: unlimited (0).
   */
  maxReceiveCount?: number;
  /**
   * Queue that receives a copy of each dead-lettered message (created if missing); it cannot be a topic, or
   * the queue itself. Default: none; `undefined` in `setOptions` sets it back to none.
   */
  deadLetterQueue?: string | undefined;
  /** FIFO per `groupKey`: one key never has two messages inflight at once; send order is kept. Default false. */
  ordered?: boolean;
  /** Tag filter: the group only ever sees messages whose tag is in this list. Default: every message. */
  tags?: readonly string[];
  /** Free-form string attributes kept (and persisted) with the group, for dialects. */
  metadata?: Readonly<Record<string, string>>;
  /**
   * Where a new group starts reading its topic. `'earliest'` (default): every message the topic retains, in
   * publish order, including ones other groups acked or their tag filters kept out (see
   * {@link TopicOptions.keepConsumed}); then every new one. `'latest'`: only messages sent after the group was
   * created. Recorded with the group (a restart never backfills a `'latest'` group); fixed at creation.
   */
  startAt?: 'earliest' | 'latest';
}

/** Options of a queue: a topic with one implicit group (which always frees a message on ack). */
export interface QueueOptions
  extends Omit<TopicOptions, 'keepConsumed'>,
    Omit<GroupOptions, 'metadata' | 'startAt'> {}

/** A message to send. */
export interface SendInput {
  /** The payload; a string is stored as UTF-8. */
  body: string | Uint8Array;
  /** A short label groups can filter on. */
  tag?: string;
  /** Business keys (RocketMQ `KEYS`). */
  keys?: readonly string[];
  /** User properties, string to string. */
  properties?: Readonly<Record<string, string>>;
  /** Delay before the message becomes visible, ms (overrides the topic's `delay`). */
  delay?: number;
  /** Absolute time (clock ms) before which the message is not visible; wins over `delay`. */
  deliverAt?: number;
  /** Ordering key: in an ordered group, messages of one key are delivered one batch at a time, in send order. */
  groupKey?: string;
  /**
   * Delivery priority, an integer 1 (highest) .. 16. Groups deliver by priority, then in the order messages
   * became visible; a message without one ranks as 8. Ordered groups ignore it (send order within a key).
   * Default: none.
   */
  priority?: number;
}

/** What `send` answers. */
export interface SendResult {
  /** The message id: 32 upper-case hex characters, unique within the broker's data. */
  readonly id: string;
}

/** One item of `sendBatch`'s answer: the id, or why that item was refused. */
export type SendBatchItem = SendResult | { readonly error: import('./errors.js').SluiceError };

/** A message as a consumer sees it. */
export interface Message {
  readonly id: string;
  readonly body: Uint8Array;
  readonly tag: string | undefined;
  readonly keys: readonly string[] | undefined;
  readonly properties: Readonly<Record<string, string>> | undefined;
  readonly groupKey: string | undefined;
  /** When it was sent, clock ms. */
  readonly publishedAt: number;
  /** When this group first received it, clock ms; 0 if never. */
  readonly firstReceivedAt: number;
  /** How many times this group has received it (including this delivery). */
  readonly receiveCount: number;
  /** When it becomes visible again if not acked (for `peek`: when it is or was due), clock ms. */
  readonly visibleAt: number;
  /** Its priority, 1 (highest) .. 16, when it was sent with one. */
  readonly priority?: number | undefined;
}

/** A message handed to one consumer, with the handle that acks it. */
export interface Delivery extends Message {
  /** Single-use proof of this delivery: URL-safe, unique per delivery, valid until acked or past `visibleAt`. */
  readonly receiptHandle: string;
}

/** Options of `receive`. */
export interface ReceiveOptions {
  /** Most messages to return, 1..1000. Default 1. */
  max?: number;
  /** Long poll: how long to wait for a first message when none is visible, ms. Default 0. */
  wait?: number;
  /** Override the group's visibility timeout for these deliveries, ms. */
  visibilityTimeout?: number;
  /** Abort a parked receive: it settles with `[]`. */
  signal?: AbortSignal;
}

/** One item of `ackBatch`'s answer. */
export type AckResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: 'ReceiptHandleError' | 'ReceiptHandleExpired' | 'MessageNotExist';
    };

/** What `changeVisibility` answers. */
export interface VisibilityChange {
  /** The new handle; the one passed in stops working. */
  readonly receiptHandle: string;
  /** When the message becomes visible again, clock ms. */
  readonly visibleAt: number;
}

/** Live counts of a group (or queue). All O(1) except `oldestAge`, which walks at most a few entries. */
export interface GroupStats {
  /** Visible now, waiting for a consumer. */
  readonly active: number;
  /** Received and not yet acked. */
  readonly inflight: number;
  /** Not visible yet (delay / deliverAt). */
  readonly delayed: number;
  /** Moved to the dead letters by this group, since it was created. */
  readonly deadLettered: number;
  /** Expired in this group by retention, since it was created. */
  readonly expired: number;
  /** Acked by this group since it was created. */
  readonly acked: number;
  /**
   * Messages the topic still stores that this group took (held now, or finished and kept for retention):
   * with `startAt: 'earliest'` and no tag filter, the topic's stored messages.
   */
  readonly retained: number;
  /** Age of the oldest message the group has not finished, ms; 0 when empty. */
  readonly oldestAge: number;
  /** Receivers parked in a long poll right now. */
  readonly waiting: number;
}

/** Counts of a topic. */
export interface TopicStats {
  /**
   * Messages stored: within retention and, with `keepConsumed` (the topic default), whatever the groups did;
   * without it (and in queues), not yet finished by every group that took them.
   */
  readonly messages: number;
  /** Bytes of the stored bodies. */
  readonly bytes: number;
  /** Messages sent since the topic was created (or the broker opened). */
  readonly sent: number;
}
