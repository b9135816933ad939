/** @module names — MNS naming rules for queues, topics and subscriptions. */
import { MnsFault } from './fault.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/**
 * Longest queue, topic or subscription name accepted: the current docs say 120, older docs and the SDKs allow 256,
 * so every name the SDKs let through is accepted (the broker's own bound leaves room for the `mns:queue:` prefix).
 */
export const MAX_NAME_LENGTH = 256;

/** What a name names, for its error codes. */
export type NameKind = 'Queue' | 'Topic' | 'Subscription';

/** Throws `Invalid{Kind}Name` or `{Kind}NameLengthError` (400) for a bad name. */
export function checkName(kind: NameKind, name: string): void {
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) {
    throw new MnsFault(
      400,
      `${kind}NameLengthError`,
      `The length of ${kind.toLowerCase()} name should be between 1 and ${MAX_NAME_LENGTH}.`,
    );
  }
  if (!NAME.test(name)) {
    throw new MnsFault(
      400,
      `Invalid${kind}Name`,
      `The ${kind.toLowerCase()} name you provided is not valid.`,
    );
  }
}
