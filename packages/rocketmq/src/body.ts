/** @module body — reading the two request documents (`<Message>`, `<ReceiptHandles>`) with the service's errors. */
import { parseXml, type XmlObject, xmlChildren, xmlRoot, xmlText } from '@sluice/http';
import { invalidArgument, RocketMqError, WireCode } from './errors.js';

/** Most receipt handles in one ack, commit or rollback (mirrors the 16 messages of a consume). */
export const MAX_HANDLES = 16;

function malformed(why: string): RocketMqError {
  return new RocketMqError(WireCode.MalformedXML, `The XML you provided was not well-formed: ${why}`);
}

/** Parses a body and checks its root element; anything else is `MalformedXML`. */
export function readDocument(body: Uint8Array, root: string): XmlObject {
  let node: XmlObject;
  let name: string;
  try {
    ({ name, node } = xmlRoot(parseXml(body)));
  } catch (error) {
    throw malformed((error as Error).message);
  }
  if (name !== root) throw malformed(`the root element must be ${root}, not ${name}.`);
  return node;
}

/** Text of an optional child element; a repeated or non-text child is `MalformedXML`. */
export function readText(node: XmlObject, name: string): string | undefined {
  try {
    return xmlText(node, name);
  } catch (error) {
    throw malformed((error as Error).message);
  }
}

/**
 * The receipt handles of an ack/commit/rollback body, trimmed, in order: none is `MissingReceiptHandle` (404,
 * `<Error>`), more than {@link MAX_HANDLES} is `InvalidArgument`. An element that is not text reads as `''`
 * (reported per handle as `ReceiptHandleError`).
 */
export function readHandles(body: Uint8Array): string[] {
  const node = readDocument(body, 'ReceiptHandles');
  const children = xmlChildren(node, 'ReceiptHandle');
  if (children.length === 0) {
    throw new RocketMqError(WireCode.MissingReceiptHandle, 'ReceiptHandle is required.');
  }
  if (children.length > MAX_HANDLES) {
    throw invalidArgument(
      `at most ${MAX_HANDLES} ReceiptHandle elements are accepted, not ${children.length}.`,
    );
  }
  return children.map((c) => (typeof c === 'string' ? c.trim() : ''));
}
