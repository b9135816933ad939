/** @module mns-clients — the two official Node MNS SDKs, pointed at a local server (for test/mns*.test.ts). */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The `@alicloud/mns` client class (CommonJS). */
// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
export const AliCloudMns: any = require('@alicloud/mns');
/** The `ali-mns` namespace (CommonJS). */
// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
export const AliMns: any = require('ali-mns');

/** Test credentials. */
export const ACCESS_KEY_ID = 'test-key';
export const ACCESS_KEY_SECRET = 'test-secret';
/** An account id in the SDKs' expected shape. */
export const ACCOUNT_ID = '1234567890123456';

/** An `@alicloud/mns` client for `endpoint` (`http://127.0.0.1:port`). */
// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
export function aliCloudClient(endpoint: string, secret = ACCESS_KEY_SECRET, keyId = ACCESS_KEY_ID): any {
  return new AliCloudMns(ACCOUNT_ID, { endpoint, accessKeyId: keyId, accessKeySecret: secret });
}

/**
 * ali-mns builds `http://{account}.mns.{region}.aliyuncs.com/...` URLs in its constructors and has no endpoint
 * option; rewrite every URL field of an ali-mns object to the local endpoint. Google Analytics is turned off.
 */
// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
export function localize<T>(object: T, endpoint: string): T {
  const o = object as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (typeof v === 'string') o[key] = v.replace(/^https?:\/\/[^/]+\.aliyuncs\.com/, endpoint);
  }
  return object;
}

/** An ali-mns Account with analytics off. */
// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
export function aliMnsAccount(secret = ACCESS_KEY_SECRET): any {
  const account = new AliMns.Account(ACCOUNT_ID, ACCESS_KEY_ID, secret);
  account.setGA(false);
  return account;
}
