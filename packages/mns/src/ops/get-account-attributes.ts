/** @module get-account-attributes — GetAccountAttributes: `GET /?accountmeta=true`. */
import { type WireResponse, xmlElement } from '@sluice/http';
import { accountAttributes } from '../account-attributes.js';
import type { MnsContext } from '../context.js';
import { xmlResponse } from '../response.js';

/**
 * 200 `<Account><LoggingBucket>…</LoggingBucket></Account>`. The element is always there, empty when unset: the
 * Python SDK raises RespDataDamaged without it.
 */
export function getAccountAttributes(ctx: MnsContext): WireResponse {
  const attrs = accountAttributes(ctx.broker, ctx.options.accountId);
  return xmlResponse(ctx, 200, 'Account', xmlElement('LoggingBucket', attrs.LoggingBucket));
}
