/** @module @sluice/dms — the Huawei DMS queue API v1.0 as a Sluice wire dialect. */

export { DmsCaps, type DmsLimits } from './caps.js';
export type { DmsCall, DmsContext, DmsOp } from './context.js';
export { DmsCode, DmsError, dmsError, renderError, toDmsError, toWire } from './errors.js';
export { createDmsHandler, DMS_ERROR_CHANNEL } from './handler.js';
export { encodeHandler, HandlerKind, type ParsedHandler, parseHandler, routeTag } from './handler-token.js';
export type {
  DmsCredential,
  DmsCredentialLookup,
  DmsOptions,
  DmsToken,
  ResolvedDmsOptions,
} from './options.js';
export {
  type DmsGroup,
  type DmsQueue,
  DmsRegistry,
  deadLetterName,
  MAX_MESSAGE_BYTES,
  QueueMode,
  type QueueSpec,
  topicName,
} from './registry.js';
export {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  EMPTY_BODY_SHA256,
  MAX_CLOCK_SKEW_MS,
  parseSdkAuthorization,
  parseSdkDate,
  SDK_SIGNING_ALGORITHM,
  type SdkAuthorization,
  type SignableRequest,
  SignatureFailure,
  signerEncode,
  verifySdkSignature,
} from './signature.js';
