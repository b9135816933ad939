/** @module properties — the `k1:v1|k2:v2` message properties, their system keys, and their limits. */
import { invalidArgument } from './errors.js';

/** The property keys the service gives a meaning to. */
export const SystemProperty = {
  /** The message key (`MessageKey` in the SDK). */
  Keys: 'KEYS',
  /** Absolute ms epoch before which the message is not delivered (scheduled message). */
  StartDeliverTime: '__STARTDELIVERTIME',
  /** Seconds (10..300) before the first check-back; marks a transactional half message. */
  TransCheckT: '__TransCheckT',
  /** Partition of ordered consumption. */
  ShardingKey: '__SHARDINGKEY',
  /** Dialect-internal: the original publish time of a committed transactional message. Refused from clients. */
  PublishTime: '__SLUICE_PUBLISHTIME',
  /** Dialect-internal: the body's MD5, worked out once at publish instead of at every delivery. */
  BodyMd5: '__SLUICE_MD5',
  /** Dialect-internal: the id a committed transactional message was published under. Refused from clients. */
  MessageId: '__SLUICE_MSGID',
} as const;

/** Keys starting with this are the dialect's own bookkeeping: refused from clients, never rendered. */
export const INTERNAL_PREFIX = '__SLUICE_';

/** All properties together may not exceed 16 KB (UTF-8). */
export const MAX_PROPERTIES_BYTES = 16 * 1024;

// What `MessageProperties.check` refuses in the SDK; the service refuses the same.
const FORBIDDEN = /['"&<>|:]/;

/**
 * Parses a `Properties` element. Empty segments (a trailing `|`) are skipped; a segment that is not exactly
 * `key:value` with both non-empty, or that holds a forbidden character, is an `InvalidArgument`.
 */
export function parseProperties(text: string): Record<string, string> {
  const props: Record<string, string> = Object.create(null);
  if (text === '') return props;
  if (Buffer.byteLength(text, 'utf8') > MAX_PROPERTIES_BYTES) {
    throw invalidArgument(`Properties must not exceed ${MAX_PROPERTIES_BYTES} bytes.`);
  }
  for (const segment of text.split('|')) {
    if (segment === '') continue;
    const colon = segment.indexOf(':');
    const key = colon === -1 ? '' : segment.slice(0, colon);
    const value = colon === -1 ? '' : segment.slice(colon + 1);
    if (key === '' || value === '' || FORBIDDEN.test(key) || FORBIDDEN.test(value)) {
      throw invalidArgument(`property "${segment.slice(0, 80)}" must be key:value without ' " & < > | :`);
    }
    if (key.startsWith(INTERNAL_PREFIX)) throw invalidArgument(`property key ${key} is reserved.`);
    props[key] = value;
  }
  return props;
}

/** Renders stored properties back as `k:v|k:v|` (the service's form, trailing `|`), without internal keys. */
export function renderProperties(props: Readonly<Record<string, string>> | undefined): string {
  if (props === undefined) return '';
  let out = '';
  for (const key in props) {
    if (key.startsWith(INTERNAL_PREFIX)) continue;
    out += `${key}:${props[key]}|`;
  }
  return out;
}

/** A non-negative integer property (`__STARTDELIVERTIME`, `__TransCheckT`), or `InvalidArgument`. */
export function integerProperty(key: string, value: string): number {
  if (!/^\d{1,16}$/.test(value)) throw invalidArgument(`property ${key} must be a non-negative integer.`);
  return Number(value);
}
