/** @module @sluice/rocketmq — the ApsaraMQ for RocketMQ HTTP wire dialect for Sluice, accepted by `@aliyunmq/mq-http-sdk`. */

export { HandleFailure, RocketMqError, toWire, WireCode, type WireError } from './errors.js';
export { createRocketMqHandler, type RocketMqHandler } from './handler.js';
export { coreGroupName, coreTopicName, deadLetterQueueName, halfQueueName } from './names.js';
export type { CredentialLookup, RocketMqCredential, RocketMqOptions } from './options.js';
export { MAX_PROPERTIES_BYTES, SystemProperty } from './properties.js';
export { MQ_NAMESPACE, MQ_VERSION } from './render.js';
export {
  applyRocketMqSettings,
  type RocketMqObjectSettings,
  type SettingChange,
  type SettingsResolver,
} from './settings.js';
export {
  canonicalizedMqHeaders,
  sign,
  stringToSign,
  verifyContentMd5,
  verifySignature,
} from './signature.js';
