/**
 * @module error-log — the server's log of internal failures: what the dialects answered with a generic 500 (a storage
 * failure, or a bug), with the details the client never sees, one line each on the CLI's stderr.
 *
 * WHY folding: a full disk fails every write request the same way, thousands a second. The first of a kind is
 * logged at once; the same failure again within `quietMs` is only counted, and the count rides on the next line of
 * that kind logged after the quiet time.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type Broker, LogStorage } from '@sluice/core';
import { ERROR_CHANNELS, type InternalFailure } from '@sluice/http';

/** Options of {@link logInternalFailures}. */
export interface ErrorLogOptions {
  /** The clock, ms. Default `Date.now`. */
  now?: () => number;
  /** How long the same failure is only counted after it was logged, ms. Default 10 000. */
  quietMs?: number;
}

/** The text of a failure: its message and the errno code of its cause for storage, the stack for a bug. */
function describe(failure: InternalFailure): string {
  const error = failure.error;
  if (!(error instanceof Error)) return String(error);
  if (failure.kind === 'unexpected') return error.stack ?? `${error.name}: ${error.message}`;
  const cause = error.cause as NodeJS.ErrnoException | undefined;
  return cause?.code === undefined || error.message.includes(cause.code)
    ? error.message
    : `${error.message} (${cause.code})`;
}

/**
 * Subscribes to every dialect's error channel and writes one line per failure (`write` gets it with its newline):
 * `sluice: mns POST /queues/q/messages: storage failure: log write failed: ENOSPC …`. Only the method and path of
 * the request are logged: its headers and query may carry credentials and receipt handles. Returns the unsubscriber.
 */
export function logInternalFailures(
  write: (line: string) => void,
  options: ErrorLogOptions = {},
): () => void {
  const now = options.now ?? Date.now;
  const quietMs = options.quietMs ?? 10_000;
  const last = new Map<string, { at: number; folded: number }>();
  const onFailure = (message: unknown): void => {
    const failure = message as InternalFailure;
    const text = describe(failure);
    const key = `${failure.dialect}\0${failure.kind}\0${text}`;
    const seen = last.get(key);
    const t = now();
    if (seen !== undefined && t - seen.at < quietMs) {
      seen.folded++;
      return;
    }
    const folded = seen === undefined || seen.folded === 0 ? '' : ` (${seen.folded} more like it before)`;
    last.set(key, { at: t, folded: 0 });
    // Bounded: distinct failures are few, but an unexpected one could embed per-request text in its message.
    if (last.size > 1000) last.delete(last.keys().next().value!);
    const where = failure.request === undefined ? '' : ` ${failure.request.method} ${failure.request.path}`;
    const what = failure.kind === 'storage' ? 'storage failure' : 'internal error';
    write(`sluice: ${failure.dialect}${where}: ${what}${folded}: ${text}\n`);
  };
  const names = Object.values(ERROR_CHANNELS);
  for (const name of names) subscribe(name, onFailure);
  return () => {
    for (const name of names) unsubscribe(name, onFailure);
  };
}

/**
 * Writes what the broker and its storage report on their own (no request to answer): a change of the storage's
 * health (a disk filling up or failing, and its recovery), disk faults with their errno and file, and failures the
 * broker caught (a throwing listener, a dead letter it could not move, a background compaction that failed).
 */
export function logStorageEvents(broker: Broker, write: (line: string) => void): void {
  broker.on('error', (error) => write(`sluice: broker: ${error.message}\n`));
  const storage = broker.storage;
  if (!(storage instanceof LogStorage)) return;
  storage.on('status', (status) =>
    write(`sluice: storage ${status.state}${status.reason === undefined ? '' : `: ${status.reason}`}\n`),
  );
  storage.on('warning', (warning) => {
    if (warning.kind === 'disk') write(`sluice: storage: ${warning.message}\n`);
  });
}
