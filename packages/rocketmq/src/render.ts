/** @module render — the response documents of RocketMQ HTTP, written as strings in the service's element order. */
import { randomBytes } from 'node:crypto';
import type { WireResponse } from '@sluice/http';
import { escapeXml } from '@sluice/http';
import type { HandleFailure, WireError } from './errors.js';

/** The namespace of every request and response document. */
export const MQ_NAMESPACE = 'http://mq.aliyuncs.com/doc/v1/';
/** The protocol version the SDKs send and the service echoes. */
export const MQ_VERSION = '2015-06-06';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const CONTENT_TYPE = 'text/xml;charset=utf-8';

// Request ids are 24 upper-case hex characters, like the service's: a random per-process prefix and a counter, so
// they are unique without a random draw per request.
const idPrefix = randomBytes(4).toString('hex').toUpperCase();
let idCounter = 0;

/** A fresh `x-mq-request-id`. */
export function nextRequestId(): string {
  idCounter = (idCounter + 1) % 2 ** 48;
  return idPrefix + idCounter.toString(16).toUpperCase().padStart(16, '0');
}

// `Date` changes once a second; formatting it per response would cost more than the rest of the headers.
let dateSecond = -1;
let dateText = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

/** The headers of every response; `xml` adds the content type the SDK needs to read the body at all. */
export function responseHeaders(requestId: string, xml: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'x-mq-request-id': requestId,
    'x-mq-version': MQ_VERSION,
    date: httpDate(),
  };
  if (xml) headers['content-type'] = CONTENT_TYPE;
  return headers;
}

/** A document response: declaration, root element in the MQ namespace, children already rendered. */
export function xmlResponse(status: number, requestId: string, root: string, children: string): WireResponse {
  return {
    status,
    headers: responseHeaders(requestId, true),
    body: `${DECLARATION}<${root} xmlns="${MQ_NAMESPACE}">${children}</${root}>`,
  };
}

/** A 204 with no body (ack, commit, rollback). */
export function noContent(requestId: string): WireResponse {
  return { status: 204, headers: responseHeaders(requestId, false), body: '' };
}

/**
 * The single-error document: `<Error><Code/><Message/><RequestId/><HostId/></Error>`. The Node SDK throws on any
 * body whose root is `Error`, copying Code and RequestId onto the error.
 */
export function errorResponse(
  error: WireError,
  message: string,
  requestId: string,
  host: string,
): WireResponse {
  return xmlResponse(
    error.status,
    requestId,
    'Error',
    `<Code>${error.code}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId>` +
      `<HostId>${escapeXml(host)}</HostId>`,
  );
}

/** One failed handle of an ack, commit or rollback. */
export interface HandleError {
  readonly failure: HandleFailure;
  readonly receiptHandle: string;
}

/** The per-handle `<Errors>` document (404): the SDK resolves with it instead of throwing. */
export function handleErrorsResponse(errors: readonly HandleError[], requestId: string): WireResponse {
  let children = '';
  for (const e of errors) {
    children +=
      `<Error><ErrorCode>${e.failure.code}</ErrorCode><ErrorMessage>${e.failure.message}</ErrorMessage>` +
      `<ReceiptHandle>${escapeXml(e.receiptHandle)}</ReceiptHandle></Error>`;
  }
  return xmlResponse(404, requestId, 'Errors', children);
}

/** The `HostId` of error documents: the endpoint the client called. */
export function hostId(headers: Readonly<Record<string, string>>): string {
  const host = headers['host'];
  return host === undefined ? 'http://localhost' : `http://${host}`;
}
