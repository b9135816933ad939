/**
 * @module internal-failure — the failures every dialect answers with a generic 500 (storage failed, or something
 * unexpected), and where their details go instead of the wire: one diagnostics channel per dialect.
 *
 * WHY: the core's storage errors carry errno text and file paths ("log write failed: ENOSPC … '/data/seg-….log'"),
 * and an unexpected error carries whatever its thrower put in it. A client must see only its service's fixed
 * answer; the operator needs the details. So the dialects render a fixed message and publish the error here, and
 * whoever runs the server (the `sluice` CLI logs them) subscribes.
 */
import { channel } from 'node:diagnostics_channel';
import { isSluiceError } from '@sluice/core';
import type { Dialect } from './route.js';
import type { WireRequest } from './wire.js';

/** The wording of a 500 caused by storage (a full disk, an I/O error): the client may retry later. */
export const STORAGE_FAILURE_MESSAGE = 'The service failed to store the request; try again later.';

/** The diagnostics channel names, by dialect: `sluice:<dialect>:error`. */
export const ERROR_CHANNELS = {
  mns: 'sluice:mns:error',
  rocketmq: 'sluice:rocketmq:error',
  dms: 'sluice:dms:error',
} as const satisfies Record<Dialect, string>;

/** What is published on a dialect's error channel for each failure answered with a generic 500. */
export interface InternalFailure {
  readonly dialect: Dialect;
  /** `storage`: the core's `StorageError`; `unexpected`: anything the dialect does not know (a bug). */
  readonly kind: 'storage' | 'unexpected';
  /** The error itself, with its message, stack and `cause` (e.g. the errno error of a failed write). */
  readonly error: unknown;
  /** The request it answered, when known. Its headers may hold credentials: do not log them whole. */
  readonly request: WireRequest | undefined;
}

const channels = {
  mns: channel(ERROR_CHANNELS.mns),
  rocketmq: channel(ERROR_CHANNELS.rocketmq),
  dms: channel(ERROR_CHANNELS.dms),
};

/** True for a core `StorageError`: answered with a 500 and {@link STORAGE_FAILURE_MESSAGE}. */
export function isStorageFailure(error: unknown): boolean {
  return isSluiceError(error, 'StorageError');
}

/**
 * Publishes a failure the dialect answers with a generic 500 on its channel (only when someone listens), and says
 * which kind it was: `storage` for a core `StorageError`, else `unexpected`.
 */
export function reportInternalFailure(
  dialect: Dialect,
  error: unknown,
  request: WireRequest | undefined,
): InternalFailure['kind'] {
  const kind = isStorageFailure(error) ? 'storage' : 'unexpected';
  const target = channels[dialect];
  if (target.hasSubscribers) target.publish({ dialect, kind, error, request } satisfies InternalFailure);
  return kind;
}
