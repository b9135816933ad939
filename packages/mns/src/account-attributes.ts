/**
 * @module account-attributes — the account's own attributes (GetAccountAttributes / SetAccountAttributes).
 *
 * The XML API has one settable account attribute, `LoggingBucket` (the OSS bucket the service writes operation
 * logs to; Sluice keeps the name and writes no logs). It is kept in the broker as the metadata of a core topic
 * `mns:account:<accountId>`, made on the first SetAccountAttributes, so it is as durable as the broker's storage and
 * survives a restart. That topic never holds messages and is outside every MNS list and cap.
 */
import type { Broker, Topic } from '@sluice/core';
import { type XmlObject, xmlText } from '@sluice/http';
import { MnsFault } from './fault.js';

/** Prefix of the core topic holding an account's attributes. */
export const ACCOUNT_PREFIX = 'mns:account:';

/** The account attributes, as on the wire. */
export interface AccountAttributes {
  /** The logging bucket's name; '' when none is set. */
  readonly LoggingBucket: string;
}

// OSS bucket names: 3..63 lower-case letters, digits and dashes, starting and ending with a letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Reads an `<Account>` body: `undefined` for an attribute that is absent (left as it is); an empty `LoggingBucket`
 * clears it. A value that cannot be an OSS bucket name is 400 InvalidArgument.
 */
export function parseAccountAttributes(node: XmlObject): Partial<AccountAttributes> {
  const bucket = xmlText(node, 'LoggingBucket');
  if (bucket === undefined) return {};
  const name = bucket.trim();
  if (name !== '' && !BUCKET.test(name)) {
    throw new MnsFault(
      400,
      'InvalidArgument',
      'The value of LoggingBucket should be an OSS bucket name: 3 to 63 lower-case letters, digits or "-".',
    );
  }
  return { LoggingBucket: name };
}

/** The attributes of `accountId` (defaults when never set). */
export function accountAttributes(broker: Broker, accountId: string): AccountAttributes {
  const name = ACCOUNT_PREFIX + accountId;
  const metadata = broker.hasTopic(name) ? broker.topic(name).options.metadata : undefined;
  return { LoggingBucket: metadata?.['LoggingBucket'] ?? '' };
}

/** Applies a partial update to the attributes of `accountId`, making their holder on first use. */
export function setAccountAttributes(
  broker: Broker,
  accountId: string,
  update: Partial<AccountAttributes>,
): void {
  if (update.LoggingBucket === undefined) return;
  const name = ACCOUNT_PREFIX + accountId;
  const metadata = { LoggingBucket: update.LoggingBucket };
  if (broker.hasTopic(name)) {
    const topic: Topic = broker.topic(name);
    topic.setOptions({ metadata: { ...topic.options.metadata, ...metadata } });
  } else broker.createTopic(name, { metadata });
}
