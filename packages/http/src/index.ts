/** @module @sluice/http — what the Sluice wire dialects share: adapters, limits, XML, signatures, routing. */

export {
  BodyBudget,
  type BodyBudgetOptions,
  DEFAULT_BODY_BUDGET_BYTES,
  DEFAULT_LARGE_BODY_BYTES,
  DEFAULT_MIN_BODY_BYTES_PER_SECOND,
  type Release,
} from './body-budget.js';
export { TextTooLongError, TooLargeError, XmlCharError, XmlError } from './errors.js';
export { WireFault } from './fault.js';
export { fetchRequestHead, toFetchResponse, toWireRequest } from './fetch.js';
export { createDialectHandler } from './handler.js';
export {
  ERROR_CHANNELS,
  type InternalFailure,
  isStorageFailure,
  reportInternalFailure,
  STORAGE_FAILURE_MESSAGE,
} from './internal-failure.js';
export { BODY, nodeRequestHead, readNodeRequest, writeNodeResponse } from './node.js';
export { createObjectBudget, type ObjectBudget } from './object-budget.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_TARGET_LENGTH,
  type DialectHandlerOptions,
  NOT_FOUND,
  type ResolvedDialectOptions,
  resolveDialectOptions,
} from './options.js';
export { decodeComponent, splitTarget } from './query.js';
export { createRouter, createRouterHandler, Dialect, pickDialect, type RouterRoutes } from './route.js';
export {
  canonicalizedHeaders,
  hmacSha1Base64,
  hmacSha256Hex,
  md5Base64,
  md5Hex,
  sha256Hex,
  timingSafeEqualString,
} from './sign.js';
export type {
  DialectHandler,
  DialectLimits,
  NodeHandler,
  RequestHead,
  TooLargeKind,
  WireHandler,
  WireRequest,
  WireResponse,
} from './wire.js';
export {
  DEFAULT_MAX_FULL_PARSE_LENGTH,
  escapeXml,
  type ParseXmlOptions,
  parseXml,
  XML_DECLARATION,
  type XmlNode,
  type XmlObject,
  xmlChildren,
  xmlContainer,
  xmlDocument,
  xmlElement,
  xmlRoot,
  xmlText,
} from './xml.js';
export { OFF_THREAD_XML_BYTES, parseXmlAsync } from './xml-async.js';
export {
  illegalXmlCharIndex,
  isXmlChar,
  replaceIllegalXmlChars,
  XML_REPLACEMENT_CHAR,
} from './xml-chars.js';
export { decodeText } from './xml-decode.js';
