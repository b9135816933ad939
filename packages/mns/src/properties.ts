/**
 * @module properties — MNS message properties: `<UserProperties>` and `<SystemProperties>` of SendMessage,
 * BatchSendMessage and PublishMessage, checked, kept in the core message's `properties`, and written back on receive
 * and peek.
 *
 * On the wire (the Java and PHP SDKs write and read exactly this) a message may carry
 * `<UserProperties><PropertyValue><Name/><Value/><Type/></PropertyValue>…</UserProperties>` and
 * `<SystemProperties><SystemPropertyValue><Name/><Value/><Type/></SystemPropertyValue>…</SystemProperties>`.
 * User properties are typed STRING, NUMBER, BOOLEAN or BINARY (base64 text); system properties are STRING and
 * carry tracing context (`traceparent`, `tracestate`, `baggage`).
 *
 * Storage: each property is one core property under a prefix no other key uses, so it is journaled, snapshotted and
 * restored like any core property and never collides with the dialect's own keys (`mns:priority`):
 * `mns:user:<name>` = `<TYPE>:<value>` and `mns:sys:<name>` = `<value>`. Names may not hold a colon, so the key reads
 * back unambiguously. A JS object keeps string keys in insertion order (no key here looks like an integer), and the
 * log keeps that order, so properties come back in the order they were sent.
 */
import { type XmlObject, xmlElement, xmlText } from '@sluice/http';
import { MnsFault, malformedXml } from './fault.js';

/** Core property key prefix of a user property. */
export const USER_PROPERTY_PREFIX = 'mns:user:';
/** Core property key prefix of a system property. */
export const SYSTEM_PROPERTY_PREFIX = 'mns:sys:';
/** Most user properties on one message (the service's documented limit). */
export const MAX_USER_PROPERTIES = 50;
/** Longest property name, characters (the service's documented limit). */
export const MAX_PROPERTY_NAME_LENGTH = 256;
/** Longest property value as sent (for BINARY: the base64 text), UTF-16 units (the service's documented limit). */
export const MAX_PROPERTY_VALUE_LENGTH = 4096;
/** The types a user property may have. */
export const PROPERTY_TYPES: readonly string[] = ['STRING', 'NUMBER', 'BOOLEAN', 'BINARY'];
/** System properties a client may send: W3C trace context and baggage. */
export const SYSTEM_PROPERTY_NAMES: readonly string[] = ['traceparent', 'tracestate', 'baggage'];
/** System properties the service itself sets on dead-lettered messages; the SDKs read them, no client sends them. */
export const SERVICE_SYSTEM_PROPERTY_NAMES: readonly string[] = [
  'DLQMessageType',
  'DLQSourceArn',
  'DLQOriginMessageId',
];

/** Letters, digits, `_`, `-`, `.`; neither first nor last a period. */
const NAME = /^(?:[A-Za-z0-9_-]|[A-Za-z0-9_-][A-Za-z0-9_.-]*[A-Za-z0-9_-])$/;
/**
 * A decimal number both the Java SDK (`Double.parseDouble`) and the PHP SDK (`is_numeric`) accept when they read
 * the property back: each throws on anything else, so such a value would break every later receive of the message.
 */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN = /^(?:true|false)$/i;

function invalid(message: string): MnsFault {
  return new MnsFault(400, 'InvalidArgument', message);
}

/** A name as quoted in an error: at most 64 characters, so a huge bad name does not bloat the answer. */
function quoted(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

/** True when `text` is the canonical padded standard base64 (RFC 4648 §4) of some bytes. */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && Buffer.from(text, 'base64').toString('base64') === text;
}

/** The entries of a `<UserProperties>` / `<SystemProperties>` element; refuses text and foreign children. */
function entriesOf(node: XmlObject, container: string, entry: string): XmlObject[] {
  const raw = node[container];
  if (raw === undefined) return [];
  if (Array.isArray(raw)) throw malformedXml(`element ${container} appears more than once`);
  if (typeof raw === 'string') {
    if (raw.trim() !== '') throw malformedXml(`${container} must hold ${entry} elements, not text`);
    return [];
  }
  const out: XmlObject[] = [];
  for (const key in raw) {
    const child = raw[key]!;
    if (key === '#text') {
      if (typeof child !== 'string' || child.trim() !== '') {
        throw malformedXml(`${container} must hold ${entry} elements, not text`);
      }
      continue;
    }
    if (key !== entry) throw malformedXml(`${container} may hold only ${entry} elements, not ${key}`);
    for (const item of Array.isArray(child) ? child : [child]) {
      if (typeof item === 'string') {
        if (item.trim() !== '')
          throw malformedXml(`${entry} must hold Name, Value and Type elements, not text`);
        out.push({});
      } else out.push(item);
    }
  }
  return out;
}

/** Name, Value and Type of one entry (absent: `''`); refuses any other child. */
function fieldsOf(item: XmlObject, entry: string): { name: string; value: string; type: string } {
  for (const key in item) {
    if (key === 'Name' || key === 'Value' || key === 'Type') continue;
    if (key === '#text' && typeof item[key] === 'string' && (item[key] as string).trim() === '') continue;
    throw malformedXml(`${entry} may hold only Name, Value and Type, not ${key}`);
  }
  return {
    name: xmlText(item, 'Name') ?? '',
    value: xmlText(item, 'Value') ?? '',
    type: xmlText(item, 'Type') ?? '',
  };
}

/** Checks what every property value shares: present, and no longer than the limit. */
function checkValue(kind: string, name: string, value: string): void {
  if (value === '') throw invalid(`The Value of ${kind} ${quoted(name)} is required and must not be empty.`);
  if (value.length > MAX_PROPERTY_VALUE_LENGTH) {
    throw invalid(
      `The Value of ${kind} ${quoted(name)} is ${value.length} characters; it may be at most ${MAX_PROPERTY_VALUE_LENGTH}.`,
    );
  }
}

/**
 * Reads `<UserProperties>` and `<SystemProperties>` of one `<Message>` into core properties (keys under
 * {@link USER_PROPERTY_PREFIX} / {@link SYSTEM_PROPERTY_PREFIX}); `undefined` when the message has none.
 * Throws 400 InvalidArgument for a rule of the service (count, name, type, value) and 400 MalformedXML for a
 * shape no SDK writes (text or foreign elements where the entries go, a field given twice).
 */
export function parseProperties(node: XmlObject): Record<string, string> | undefined {
  if (node['UserProperties'] === undefined && node['SystemProperties'] === undefined) return undefined;
  const out: Record<string, string> = {};
  let count = 0;
  const users = entriesOf(node, 'UserProperties', 'PropertyValue');
  if (users.length > MAX_USER_PROPERTIES) {
    throw invalid(
      `The UserProperties hold ${users.length} properties; a message may have at most ${MAX_USER_PROPERTIES}.`,
    );
  }
  for (const item of users) {
    const { name, value, type } = fieldsOf(item, 'PropertyValue');
    if (name === '') throw invalid('The Name of a user property is required and must not be empty.');
    if (name.length > MAX_PROPERTY_NAME_LENGTH || !NAME.test(name)) {
      throw invalid(
        `The user property name ${quoted(name)} is not valid: it must be 1 to ${MAX_PROPERTY_NAME_LENGTH} of ` +
          'A-Z a-z 0-9 _ - . and must neither start nor end with a period.',
      );
    }
    const key = USER_PROPERTY_PREFIX + name;
    if (key in out) throw invalid(`The user property name ${quoted(name)} appears more than once.`);
    if (!PROPERTY_TYPES.includes(type)) {
      throw invalid(
        `The Type of user property ${quoted(name)} is ${quoted(type)}; it must be STRING, NUMBER, BOOLEAN or BINARY.`,
      );
    }
    checkValue('user property', name, value);
    if (type === 'NUMBER' && !NUMBER.test(value)) {
      throw invalid(`The Value of NUMBER user property ${quoted(name)} is not a decimal number.`);
    }
    if (type === 'BOOLEAN' && !BOOLEAN.test(value)) {
      throw invalid(`The Value of BOOLEAN user property ${quoted(name)} must be true or false.`);
    }
    if (type === 'BINARY' && !isBase64(value)) {
      throw invalid(
        `The Value of BINARY user property ${quoted(name)} is not base64 (standard alphabet, padded with =).`,
      );
    }
    out[key] = `${type}:${value}`;
    count++;
  }
  for (const item of entriesOf(node, 'SystemProperties', 'SystemPropertyValue')) {
    const { name, value, type } = fieldsOf(item, 'SystemPropertyValue');
    if (!SYSTEM_PROPERTY_NAMES.includes(name)) {
      if (SERVICE_SYSTEM_PROPERTY_NAMES.includes(name)) {
        throw invalid(
          `The system property ${quoted(name)} is set by the service on dead-lettered messages only.`,
        );
      }
      throw invalid(
        `The system property name ${quoted(name)} is not one a client may send: use traceparent, tracestate or baggage.`,
      );
    }
    const key = SYSTEM_PROPERTY_PREFIX + name;
    if (key in out) throw invalid(`The system property name ${quoted(name)} appears more than once.`);
    if (type !== 'STRING')
      throw invalid(`The Type of system property ${quoted(name)} is ${quoted(type)}; it must be STRING.`);
    checkValue('system property', name, value);
    out[key] = value;
    count++;
  }
  return count === 0 ? undefined : out;
}

/**
 * Adds the message's properties to a core send input, next to whatever the input already holds (Priority):
 * a shared properties object is never written to.
 */
export function withProperties(
  input: { properties?: Readonly<Record<string, string>> },
  node: XmlObject,
): void {
  const properties = parseProperties(node);
  if (properties === undefined) return;
  input.properties = input.properties === undefined ? properties : { ...input.properties, ...properties };
}

/** One rendered entry. Line breaks between the elements are what some SDK readers need; see {@link renderProperties}. */
function entry(tag: string, name: string, value: string, type: string): string {
  return `<${tag}>\n${xmlElement('Name', name)}\n${xmlElement('Value', value)}\n${xmlElement('Type', type)}\n</${tag}>\n`;
}

/**
 * The `<SystemProperties>` and `<UserProperties>` of a stored message, for the end of a received or peeked
 * `<Message>` (`''` when it has none).
 *
 * WHY this layout: system properties first and user properties last, each element on its own line. The PHP SDK's
 * reader of user properties reads on to the end of the document, so anything after `<UserProperties>` would be lost
 * to it; its reader of system properties skips a field whose element directly follows the previous field's end tag,
 * and a line break in between keeps it in step. The Python SDK (1.2.2, which has no properties) takes the first child
 * of every field as text: a line break there is text, an element would make it throw. Line breaks between elements
 * are insignificant to the Java, Go and Node readers.
 */
export function renderProperties(properties: Readonly<Record<string, string>> | undefined): string {
  if (properties === undefined) return '';
  let system = '';
  let user = '';
  for (const key in properties) {
    const stored = properties[key]!;
    if (key.startsWith(SYSTEM_PROPERTY_PREFIX)) {
      system += entry('SystemPropertyValue', key.slice(SYSTEM_PROPERTY_PREFIX.length), stored, 'STRING');
    } else if (key.startsWith(USER_PROPERTY_PREFIX)) {
      // Stored by parseProperties as TYPE:value; a value set some other way (the core API) without a known type
      // reads as a STRING.
      const colon = stored.indexOf(':');
      const type = colon === -1 ? '' : stored.slice(0, colon);
      user += PROPERTY_TYPES.includes(type)
        ? entry('PropertyValue', key.slice(USER_PROPERTY_PREFIX.length), stored.slice(colon + 1), type)
        : entry('PropertyValue', key.slice(USER_PROPERTY_PREFIX.length), stored, 'STRING');
    }
  }
  return (
    (system === '' ? '' : `<SystemProperties>\n${system}</SystemProperties>`) +
    (user === '' ? '' : `<UserProperties>\n${user}</UserProperties>`)
  );
}
