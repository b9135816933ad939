/** @module context — what every operation receives: the dialect's state and the request being answered. */
import type { WireRequest } from '@sluice/http';
import type { ResolvedRocketMqOptions } from './options.js';
import type { Registry } from './registry.js';
import type { Transactions } from './transactions.js';

/** The state of one dialect instance, shared by its operations. */
export interface DialectContext {
  readonly options: ResolvedRocketMqOptions;
  readonly registry: Registry;
  readonly transactions: Transactions;
}

/** One request, routed: `/topics/{topic}/messages` with the topic and instance already checked. */
export interface Call {
  readonly request: WireRequest;
  readonly signal: AbortSignal;
  readonly requestId: string;
  /** Instance id; `''` is the default instance. */
  readonly ns: string;
  readonly topic: string;
}
