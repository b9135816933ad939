/** @module context — what an operation gets: the request, its names, the broker and the resolved options. */
import type { Broker } from '@sluice/core';
import type { WireRequest } from '@sluice/http';
import type { MnsCaps } from './caps.js';
import type { ResolvedMnsOptions } from './options.js';
import type { Pusher } from './push/pusher.js';

/** One request being served. Built once per request by the handler. */
export interface MnsContext {
  readonly request: WireRequest;
  /** Aborts when the client goes away (ends a long poll). */
  readonly signal: AbortSignal;
  readonly broker: Broker;
  readonly options: ResolvedMnsOptions;
  /** The account's object counts and caps. */
  readonly caps: MnsCaps;
  /** Delivers to HTTP(S) subscriptions (Subscribe hands it new ones). */
  readonly pusher: Pusher;
  /** This request's `x-mns-request-id`. */
  readonly requestId: string;
  /** `http://{Host}`: base of `QueueURL`, `Location` and `HostId`. */
  readonly base: string;
  /** The MNS queue or topic name from the path (undecorated), or '' for list operations. */
  readonly name: string;
  /** The subscription name from the path, or ''. */
  readonly subscription: string;
}
