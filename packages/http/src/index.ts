/** @module @sluice/http — what the Sluice wire dialects share: adapters, limits, XML, signatures, routing. */

export { TooLargeError, XmlCharError, XmlError } from './errors.js';
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
  escapeXml,
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
export {
  illegalXmlCharIndex,
  isXmlChar,
  replaceIllegalXmlChars,
  XML_REPLACEMENT_CHAR,
} from './xml-chars.js';
export { decodeText } from './xml-decode.js';
