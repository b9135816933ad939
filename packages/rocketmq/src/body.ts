/** @module body — reading the two request documents (`<Message>`, `<ReceiptHandles>`) with the service's errors. */
import {
  parseXml,
  parseXmlAsync,
  TextTooLongError,
  XmlCharError,
  type XmlObject,
  xmlChildren,
  xmlRoot,
  xmlText,
} from '@sluice/http';
import { invalidArgument, RocketMqError, WireCode } from './errors.js';

/** Most receipt handles in one ack, commit or rollback (mirrors the 16 messages of a consume). */
export const MAX_HANDLES = 16;

/** The fields of a publish body; `undefined` where the element is absent. */
export interface MessageFields {
  readonly body: string | undefined;
  readonly tag: string | undefined;
  readonly properties: string | undefined;
}

function malformed(why: string): RocketMqError {
  return new RocketMqError(WireCode.MalformedXML, `The XML you provided was not well-formed: ${why}`);
}

/**
 * The root of a parsed body, checked: a text past `maxText` or a character XML 1.0 does not allow is
 * `InvalidArgument`, anything else `MalformedXML`.
 */
function checkDocument(parse: () => XmlObject, root: string, maxText?: number): XmlObject {
  let node: XmlObject;
  let name: string;
  try {
    ({ name, node } = xmlRoot(parse()));
  } catch (error) {
    throw documentError(error, maxText);
  }
  if (name !== root) throw malformed(`the root element must be ${root}, not ${name}.`);
  return node;
}

function documentError(error: unknown, maxText: number | undefined): RocketMqError {
  if (error instanceof TextTooLongError)
    return invalidArgument(`The message is larger than ${maxText} bytes.`);
  if (error instanceof XmlCharError) return illegalCharacter(error.character);
  return malformed((error as Error).message);
}

/**
 * `InvalidArgument` for a character XML 1.0 does not allow (`character` as `U+XXXX`). Refused at publish rather than
 * encoded: no well-formed answer can carry it (not even as `&#0;`), so a consumer could never read the message back,
 * and replacing it would change the body under its MD5.
 */
function illegalCharacter(character: string): RocketMqError {
  return invalidArgument(
    `The request holds ${character}, a character XML 1.0 does not allow: MessageBody, MessageTag and Properties ` +
      'may hold only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] (base64-encode binary data).',
  );
}

function readText(node: XmlObject, name: string): string | undefined {
  try {
    return xmlText(node, name);
  } catch (error) {
    throw malformed((error as Error).message);
  }
}

/**
 * The `<Message>` of a publish. The shared parser reads the SDKs' plain shape in one pass (CDATA from the Node SDK,
 * entities from the Go SDK, any namespace) and refuses DTDs; a repeated or non-text field is `MalformedXML`. A field
 * longer than `maxBytes` once decoded is refused while decoding (its UTF-8 is at least as long as its characters).
 */
export async function readMessage(body: Uint8Array, maxBytes?: number): Promise<MessageFields> {
  // A message body may be MiBs of entities: parsed off the event loop (see parseXmlAsync).
  let tree: XmlObject;
  try {
    tree = await parseXmlAsync(body, maxBytes === undefined ? undefined : { maxTextLength: maxBytes });
  } catch (error) {
    throw documentError(error, maxBytes);
  }
  const node = checkDocument(() => tree, 'Message', maxBytes);
  return {
    body: readText(node, 'MessageBody'),
    tag: readText(node, 'MessageTag'),
    properties: readText(node, 'Properties'),
  };
}

/**
 * The receipt handles of an ack/commit/rollback body, trimmed, in order: none is `MissingReceiptHandle` (404,
 * `<Error>`), more than {@link MAX_HANDLES} is `InvalidArgument`. An element that is not text reads as `''`
 * (reported per handle as `ReceiptHandleError`).
 */
export function readHandles(body: Uint8Array): string[] {
  const node = checkDocument(() => parseXml(body), 'ReceiptHandles');
  const handles = xmlChildren(node, 'ReceiptHandle').map((c) => (typeof c === 'string' ? c : ''));
  if (handles.length === 0) {
    throw new RocketMqError(WireCode.MissingReceiptHandle, 'ReceiptHandle is required.');
  }
  if (handles.length > MAX_HANDLES) {
    throw invalidArgument(
      `at most ${MAX_HANDLES} ReceiptHandle elements are accepted, not ${handles.length}.`,
    );
  }
  return handles.map((h) => h.trim());
}
