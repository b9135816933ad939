/** @module set-account-attributes — SetAccountAttributes: `PUT /?accountmeta=true` with an `<Account>`. */
import type { WireResponse } from '@sluice/http';
import { parseAccountAttributes, setAccountAttributes as store } from '../account-attributes.js';
import type { MnsContext } from '../context.js';
import { readBody } from '../params.js';
import { emptyResponse } from '../response.js';

/**
 * 204 (the PHP SDK takes nothing else for success). An attribute left out keeps its value; an empty body changes
 * nothing. Answered once the change is on storage, so a durable server never forgets an acknowledged setting.
 */
export async function setAccountAttributes(ctx: MnsContext): Promise<WireResponse> {
  const { node } = readBody(ctx.request, ['Account'], true);
  store(ctx.broker, ctx.options.accountId, parseAccountAttributes(node));
  await ctx.broker.flush();
  return emptyResponse(ctx, 204);
}
