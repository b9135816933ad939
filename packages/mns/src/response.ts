/** @module response — MNS responses: headers every answer carries, XML documents, and the `<Error>` body. */
import { type WireResponse, xmlDocument, xmlElement } from '@sluice/http';
import { MNS_NAMESPACE, MNS_VERSION, XML_CONTENT_TYPE } from './constants.js';
import type { MnsContext } from './context.js';
import type { MnsFault } from './fault.js';
import { httpDate } from './request-id.js';

/** A response with an XML body in the MNS namespace. `children` are already rendered. */
export function xmlResponse(
  ctx: Pick<MnsContext, 'requestId'>,
  status: number,
  root: string,
  children: string,
  extra?: Record<string, string>,
): WireResponse {
  const headers: Record<string, string> = {
    'content-type': XML_CONTENT_TYPE,
    'x-mns-request-id': ctx.requestId,
    'x-mns-version': MNS_VERSION,
    date: httpDate(),
  };
  if (extra !== undefined) Object.assign(headers, extra);
  return { status, headers, body: xmlDocument(root, children, MNS_NAMESPACE) };
}

/** A response without a body (201 with `Location`, 204). */
export function emptyResponse(
  ctx: Pick<MnsContext, 'requestId'>,
  status: number,
  extra?: Record<string, string>,
): WireResponse {
  const headers: Record<string, string> = {
    'x-mns-request-id': ctx.requestId,
    'x-mns-version': MNS_VERSION,
    date: httpDate(),
  };
  if (extra !== undefined) Object.assign(headers, extra);
  return { status, headers, body: '' };
}

/** The `<Error>` document: Code, Message, RequestId, HostId, all four always present. */
export function errorResponse(ctx: Pick<MnsContext, 'requestId' | 'base'>, fault: MnsFault): WireResponse {
  return xmlResponse(
    ctx,
    fault.status,
    'Error',
    xmlElement('Code', fault.code) +
      xmlElement('Message', fault.message) +
      xmlElement('RequestId', ctx.requestId) +
      xmlElement('HostId', ctx.base),
  );
}
