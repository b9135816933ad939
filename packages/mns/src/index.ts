/** @module @sluice/mns — the Simple Message Queue (MNS) XML API as a Sluice wire dialect. */

export { MNS_NAMESPACE, MNS_VERSION, QUEUE_PREFIX, TOPIC_PREFIX, XML_CONTENT_TYPE } from './constants.js';
export { toWire } from './errors.js';
export { MnsFault } from './fault.js';
export { createMnsHandler, type MnsHandler, mnsMissingVersion } from './handler.js';
export type { MnsCredential, MnsCredentialLookup, MnsHandlerOptions } from './options.js';
export { createPushSigningKey, type PushSigningKey } from './push/certificate.js';
export type { MnsPushOptions, PushResult } from './push/options.js';
export { RETRIES as PUSH_RETRIES } from './push/retry.js';
export { CERT_PATH_PREFIX } from './push/signer.js';
export { canonicalizedMnsHeaders, stringToSign } from './signature.js';
