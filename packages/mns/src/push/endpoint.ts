/** @module push/endpoint — what a subscription's Endpoint names: a queue, an HTTP(S) URL, or a type not served. */
import { MnsFault } from '../fault.js';

/** An HTTP(S) endpoint, parsed once at Subscribe. */
export interface HttpEndpoint {
  readonly url: URL;
  /**
   * The request-target sent (and signed as the canonicalized resource): the URL's path and query, or
   * `/notifications` when the endpoint has no path at all (`http://host:port`), as the service does.
   */
  readonly target: string;
}

const HTTP = /^https?:\/\//i;
const UNSERVED = /^(mail|sms):/i;

/** True for an `http://` or `https://` endpoint. */
export function isHttpEndpoint(endpoint: string): boolean {
  return HTTP.test(endpoint);
}

const invalid = (message: string) => new MnsFault(400, 'InvalidEndpoint', message);

/**
 * Refuses the endpoint types the service has and Sluice does not deliver to (mail, SMS): 400 InvalidEndpoint.
 */
export function refuseUnservedEndpoint(endpoint: string): void {
  if (UNSERVED.test(endpoint)) {
    throw invalid('The endpoint type is not supported: only queue and HTTP(S) endpoints are.');
  }
}

/**
 * Parses and checks an HTTP(S) endpoint: at most `maxLength` characters, a host, no user name or password (they
 * would be sent to the endpoint's host in clear), no fragment; then `allow` (the operator's policy) must accept it.
 * Anything else is 400 InvalidEndpoint.
 */
export function parseHttpEndpoint(
  endpoint: string,
  maxLength: number,
  allow: ((url: URL) => boolean) | undefined,
): HttpEndpoint {
  if (endpoint.length > maxLength) throw invalid(`The endpoint should be at most ${maxLength} characters.`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid('The endpoint is not a valid URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('The endpoint is not a valid URL.');
  if (url.hostname === '') throw invalid('The endpoint has no host.');
  if (url.username !== '' || url.password !== '')
    throw invalid('The endpoint must not hold a user name or password.');
  if (url.hash !== '' || endpoint.includes('#')) throw invalid('The endpoint must not have a fragment.');
  if (allow !== undefined && !allow(url)) throw invalid('The endpoint is not allowed on this server.');
  return { url, target: targetOf(endpoint, url) };
}

/** The request-target of a parsed endpoint (see {@link HttpEndpoint.target}). */
function targetOf(endpoint: string, url: URL): string {
  // `new URL` gives a bare authority the path '/': look at the text to tell "no path" from "/".
  const afterScheme = endpoint.slice(endpoint.indexOf('//') + 2);
  const hasPath = /[/?]/.test(afterScheme);
  return hasPath ? url.pathname + url.search : '/notifications';
}
