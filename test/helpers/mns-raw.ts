/** @module mns-raw — hand-made MNS requests (signed like the SDKs) for what the SDKs cannot send. */
import { createHmac } from 'node:crypto';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET } from './mns-clients.js';

/** Options of {@link mnsFetch}. */
export interface MnsFetchOptions {
  method?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Sign with this secret (default: the test secret); `false` sends no Authorization. */
  secret?: string | false;
  /** Resource to sign (default: the target as sent). */
  signResource?: string;
}

/**
 * Sends `target` to `base` with the MNS common headers and an `MNS id:signature` computed as the SDKs do
 * (over the target exactly as sent). Returns the fetch Response.
 */
export function mnsFetch(base: string, target: string, options: MnsFetchOptions = {}): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {
    date: new Date().toUTCString(),
    'x-mns-version': '2015-06-06',
    ...options.headers,
  };
  if (options.body !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = 'text/xml';
  if (options.secret !== false) {
    const mns = Object.keys(headers)
      .filter((k) => k.startsWith('x-mns-'))
      .sort()
      .map((k) => `${k}:${headers[k]}\n`)
      .join('');
    const text = `${method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers['date'] ?? ''}\n${mns}${options.signResource ?? target}`;
    const signature = createHmac('sha1', options.secret ?? ACCESS_KEY_SECRET)
      .update(text)
      .digest('base64');
    headers['authorization'] = `MNS ${ACCESS_KEY_ID}:${signature}`;
  }
  return fetch(base + target, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  });
}

/** The `<Code>` of an MNS error body. */
export function errorCodeOf(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}
