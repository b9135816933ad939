/** @module list — the paging headers of ListQueue, ListTopic and ListSubscriptionByTopic. */
import type { WireRequest } from '@sluice/http';
import { integerIn } from './params.js';

/** One page of names. */
export interface Page {
  readonly names: readonly string[];
  /** The first name not returned, when more remain. */
  readonly nextMarker: string | undefined;
  /** `x-mns-with-meta: true`: include every attribute. */
  readonly withMeta: boolean;
}

/**
 * Pages sorted `names` by the request's `x-mns-prefix`, `x-mns-marker` (the previous NextMarker: the first name of
 * this page) and `x-mns-ret-number` (1..1000, default 1000).
 */
export function page(request: WireRequest, sorted: readonly string[]): Page {
  const h = request.headers;
  const prefix = h['x-mns-prefix'] ?? '';
  const marker = h['x-mns-marker'] ?? '';
  const retText = h['x-mns-ret-number'];
  const limit =
    retText === undefined || retText === '' ? 1000 : integerIn(retText, 'x-mns-ret-number', 1, 1000);
  const withMeta = (h['x-mns-with-meta'] ?? '').toLowerCase() === 'true';
  const names: string[] = [];
  let nextMarker: string | undefined;
  for (const name of sorted) {
    if (!name.startsWith(prefix) || name < marker) continue;
    if (names.length === limit) {
      nextMarker = name;
      break;
    }
    names.push(name);
  }
  return { names, nextMarker, withMeta };
}
