/**
 * @module @sluice/server — one process serving the RocketMQ HTTP, MNS and DMS dialects on one port over embedded
 * durable storage, with health and Prometheus metrics: `startServer`, `createSluiceHandler` and the `sluice` CLI.
 */
export { parseCommand, USAGE, UsageError } from './args.js';
export { configOptions, loadConfig } from './config-file.js';
export type {
  Declarations,
  Declared,
  DmsQueueDeclaration,
  MnsAttributes,
  MnsQueueDeclaration,
  MnsTopicDeclaration,
  RocketMqConsumerDeclaration,
  RocketMqTopicDeclaration,
} from './declare.js';
export { type DeclareOptions, declare } from './declare.js';
export { type ErrorLogOptions, logInternalFailures } from './error-log.js';
export { createSluiceHandler, type SluiceHandler, type SluiceHandlerOptions } from './handler.js';
export { MeteredLogStorage, meteredLogStorage } from './metered-storage.js';
export {
  createMetrics,
  DEFAULT_METRICS_MAX_OBJECTS,
  dialectOf,
  type MetricsOptions,
  type ServerMetrics,
} from './metrics.js';
export {
  DEFAULT_MAX_OBJECTS,
  type DialectLimits,
  dialectLimits,
  LIMIT_FLAGS,
  type ObjectLimits,
  resolveObjectLimits,
} from './object-limits.js';
export {
  type AccessKey,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_MAX_LONG_POLLS,
  DEFAULT_PORT,
  type FsyncPolicy,
  isLoopback,
  parseAccessKey,
  type ResolvedServerOptions,
  resolveServerOptions,
  type ServerOptions,
} from './options.js';
export {
  type Duration,
  durationMs,
  parseRocketMqSetting,
  type ResolvedRocketMqSettings,
  ROCKETMQ_SETTING_KEYS,
  type RocketMqLevelSettings,
  type RocketMqSettings,
  resolveRocketMqSettings,
} from './rocketmq-settings.js';
export {
  adminGuard,
  checkExposure,
  DIALECTS,
  type DialectAuth,
  type DialectName,
  dialectAuth,
  type MetricsAccess,
  metricsAccess,
  parseDialects,
  type SecuritySettings,
} from './security.js';
export {
  type CloseTimings,
  type SluiceServer,
  StartupError,
  startServer,
  storageWarnings,
} from './server.js';
export { resolveStorageTuning, STORAGE_KEYS, type StorageTuning } from './storage-options.js';
