/** @module open-service — OpenService: `POST /commonbuy/openservice` (the Go and Python SDKs' "activate MNS"). */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { MnsFault } from '../fault.js';

/**
 * A Sluice account is open from the start, so there is nothing to buy: every call answers as for an account whose
 * service is already open — 400 `ORDER.OPEND`, the code Alibaba Cloud's open-service calls use for that case (a
 * choice by analogy: MNS does not document its answer). It is the MNS `<Error>` document, which the SDKs parse
 * into their server exception.
 */
export function openService(_ctx: MnsContext): WireResponse {
  throw new MnsFault(400, 'ORDER.OPEND', 'The service has already been opened for this account.');
}
