/** @module params — query parameters (names case-insensitive), integer ranges, and body elements. */
import { parseXml, type WireRequest, type XmlObject, xmlRoot } from '@sluice/http';
import { MnsFault, malformedXml, outOfRange } from './fault.js';

/**
 * A query parameter by lower-case name, matched case-insensitively: `@alicloud/mns` sends `receiptHandle` where the
 * other SDKs send `ReceiptHandle`.
 */
export function queryParam(request: WireRequest, lowerName: string): string | undefined {
  for (const [name, value] of request.query) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return value;
  }
  return undefined;
}

const DIGITS = /^\d{1,15}$/;

/** An integer within `low..high`, else 400 InvalidArgument naming `element`. */
export function integerIn(value: string, element: string, low: number, high: number, unit = ''): number {
  const text = value.trim();
  if (!DIGITS.test(text)) throw outOfRange(element, low, high, unit);
  const n = Number(text);
  if (n < low || n > high) throw outOfRange(element, low, high, unit);
  return n;
}

/** `True`/`False` in any case (Go sends `true`/`false`), else 400 InvalidArgument. */
export function booleanValue(value: string, element: string): boolean {
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new MnsFault(400, 'InvalidArgument', `The value of ${element} should be True or False.`);
}

/**
 * Parses the body as XML whose root must be one of `roots`; an empty body counts as an empty `roots[0]` when
 * `emptyOk`. Anything else is 400 MalformedXML.
 */
export function readBody(
  request: WireRequest,
  roots: readonly string[],
  emptyOk = false,
): { root: string; node: XmlObject } {
  if (request.body.byteLength === 0 || isBlank(request.body)) {
    if (emptyOk) return { root: roots[0]!, node: {} };
    throw malformedXml('the body is empty');
  }
  const { name, node } = xmlRoot(parseXml(request.body));
  if (!roots.includes(name)) throw malformedXml(`the root element must be ${roots.join(' or ')}`);
  return { root: name, node };
}

function isBlank(body: Uint8Array): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}
