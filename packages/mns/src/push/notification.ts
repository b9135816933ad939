/**
 * @module push/notification — what a subscriber gets for a published message: the body by NotifyContentFormat
 * (queue and HTTP endpoints alike) and, for HTTP endpoints, the signed request around it.
 */
import { md5Hex, xmlDocument, xmlElement } from '@sluice/http';
import { MNS_NAMESPACE, MNS_VERSION } from '../constants.js';

/** The fields of a notification. */
export interface NotificationFields {
  /** TopicOwner and Subscriber: the account id. */
  readonly owner: string;
  readonly topic: string;
  readonly subscription: string;
  readonly id: string;
  /** MessageMD5: upper-case hex MD5 of the body. */
  readonly md5: string;
  /** MessageTag; '' when the message has none (the element is then left out). */
  readonly tag: string;
  readonly body: string;
  /** PublishTime, ms since the epoch. */
  readonly time: number;
}

/** The notification body by NotifyContentFormat: SIMPLIFIED is the body as published; XML and JSON wrap it. */
export function notificationBody(format: string, fields: NotificationFields): string {
  if (format === 'SIMPLIFIED') return fields.body;
  const record: Record<string, string | number> = {
    TopicOwner: fields.owner,
    TopicName: fields.topic,
    Subscriber: fields.owner,
    SubscriptionName: fields.subscription,
    MessageId: fields.id,
    MessageMD5: fields.md5,
  };
  if (fields.tag !== '') record['MessageTag'] = fields.tag;
  record['Message'] = fields.body;
  record['PublishTime'] = fields.time;
  if (format === 'JSON') return JSON.stringify(record);
  let children = '';
  for (const key in record) children += xmlElement(key, record[key]!);
  return xmlDocument('Notification', children, MNS_NAMESPACE);
}

const CONTENT_TYPES: Record<string, string> = {
  XML: 'text/xml;charset=utf-8',
  JSON: 'application/json;charset=utf-8',
  SIMPLIFIED: 'text/plain;charset=utf-8',
};

/** A push request, ready to send. */
export interface PushRequest {
  /** Headers, named with the case the service's sample endpoints look them up by. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The string that was signed (for diagnostics and tests). */
  readonly stringToSign: string;
}

/** Visible ASCII only: anything else cannot go in a header unchanged. */
const HEADER_SAFE = /^[\x20-\x7e]*$/;

/**
 * Builds the POST of one notification: the body, `Content-md5` (base64 of the hex MD5, as the service's own
 * requests carry it), `Content-Type`, `Date`, the `x-mns-*` headers (SIMPLIFIED also names the message in
 * headers, since its body is bare), and `Authorization`: base64 of the RSA-SHA1 signature of
 *
 *     POST \n Content-md5 \n Content-Type \n Date \n (x-mns-name:value \n, sorted by name)... request-target
 *
 * which is what the service's sample endpoints rebuild and verify.
 */
export function pushRequest(
  format: string,
  fields: NotificationFields,
  context: { target: string; date: string; requestId: string; certUrl: string },
  sign: (stringToSign: string) => string,
): PushRequest {
  const body = Buffer.from(notificationBody(format, fields), 'utf8');
  const contentMd5 = Buffer.from(md5Hex(body), 'latin1').toString('base64');
  const contentType = CONTENT_TYPES[format] ?? CONTENT_TYPES['XML']!;
  const mns: Record<string, string> = {
    'x-mns-request-id': context.requestId,
    'x-mns-signing-cert-url': Buffer.from(context.certUrl, 'utf8').toString('base64'),
    'x-mns-version': MNS_VERSION,
  };
  if (format === 'SIMPLIFIED') {
    mns['x-mns-message-id'] = fields.id;
    if (fields.tag !== '' && HEADER_SAFE.test(fields.tag)) mns['x-mns-message-tag'] = fields.tag;
    mns['x-mns-publish-time'] = String(fields.time);
    mns['x-mns-subscriber'] = fields.owner;
    mns['x-mns-subscription-name'] = fields.subscription;
    mns['x-mns-topic-name'] = fields.topic;
    mns['x-mns-topic-owner'] = fields.owner;
  }
  let canonical = '';
  for (const name of Object.keys(mns).sort()) canonical += `${name}:${mns[name]}\n`;
  const stringToSign = `POST\n${contentMd5}\n${contentType}\n${context.date}\n${canonical}${context.target}`;
  return {
    headers: {
      Authorization: sign(stringToSign),
      'Content-Length': String(body.length),
      'Content-md5': contentMd5,
      'Content-Type': contentType,
      Date: context.date,
      ...mns,
    },
    body,
    stringToSign,
  };
}
