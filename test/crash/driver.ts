/** @module crash/driver — what the load workers need from a dialect: send, receive and ack over raw HTTP. */
import type { AckItem, DialectName } from './ledger.js';
import type { Life } from './life.js';

/** One dialect's raw HTTP client, recording everything in the ledger. */
export interface Driver {
  readonly dialect: DialectName;
  /** Its consumer groups, as the ledger names them (`mns:crashq`, `rocketmq:GID_a`, …). */
  readonly groups: readonly string[];
  /** The visibility timeout a receive gives, ms. */
  visibilityMs(group: string): number;
  /** Most handles one ack request takes. */
  readonly maxAck: number;
  /** Called once the server is up, before the workers start (DMS learns its ids). */
  prepare(life: Life): Promise<void>;
  /** Sends one message or one batch. */
  send(life: Life): Promise<void>;
  /** One receive (long poll of about a second); each delivery is recorded and answered as a handle to ack. */
  receive(life: Life, group: string, drain: boolean): Promise<AckItem[]>;
  /** Acks up to {@link Driver.maxAck} handles of one group; answers the items not confirmed acked. */
  ack(life: Life, items: readonly AckItem[]): Promise<AckItem[]>;
}
