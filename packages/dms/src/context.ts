/** @module context — what every DMS op receives: the shared state, and the one request it answers. */
import type { Broker } from '@sluice/core';
import type { WireRequest, WireResponse } from '@sluice/http';
import type { ResolvedDmsOptions } from './options.js';
import type { DmsRegistry } from './registry.js';

/** State shared by all requests of one handler. */
export interface DmsContext {
  readonly broker: Broker;
  readonly registry: DmsRegistry;
  readonly options: ResolvedDmsOptions;
}

/** One routed request: the path parameters are already format-checked. */
export interface DmsCall {
  readonly request: WireRequest;
  readonly project: string;
  /** Queue id from the path ('' when the route has none). */
  readonly queueId: string;
  /** Group id from the path ('' when the route has none). */
  readonly groupId: string;
  /** Aborts when the client goes away (ends a parked consume). */
  readonly signal: AbortSignal;
}

/** One wire action: parse → validate → broker call → render. Throws `DmsError`/`SluiceError` for failures. */
export type DmsOp = (context: DmsContext, call: DmsCall) => WireResponse | Promise<WireResponse>;
