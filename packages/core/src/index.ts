/**
 * @module @sluice/core — an embedded message-queue engine: queues, topics and consumer groups with
 * at-least-once delivery, visibility timeouts, single-use receipt handles, long polling, delays,
 * dead letters, retention, tag filters and ordered delivery.
 */
export { Broker, type BrokerEvents, type BrokerOptions, createBroker, type EventSource } from './broker.js';
export { ErrorCode, isSluiceError, SluiceError } from './errors.js';
export { Group, type GroupEvents } from './group.js';
export { MsgEvent, MsgState } from './lifecycle/codes.js';
export type { ResolvedGroupOptions, ResolvedTopicOptions } from './options.js';
export { Queue, type ResolvedQueueOptions } from './queue.js';
export { type RepairOptions, type RepairReport, repairLog } from './recovery/repair.js';
export type {
  Compaction,
  DurableStorage,
  SnapshotItem,
  StorageAdapter,
  StorageStatus,
} from './storage/adapter.js';
export { type LogIo, nodeIo } from './storage/io.js';
export {
  LogStorage,
  type LogStorageEvents,
  type LogStorageOptions,
  type LogWarning,
  logStorage,
} from './storage/log.js';
export { memoryStorage } from './storage/memory.js';
export type { BodyStore, Journal, LogRecord, Need, ReplaySink } from './storage/records.js';
export type { Damage } from './storage/scan.js';
export { type Clock, type ClockTimer, type ManualClock, manualClock, systemClock } from './timer/clock.js';
export { NO_TIMER, type TimerId, TimerWheel, type TimerWheelOptions } from './timer/wheel.js';
export { Topic, type TopicKind } from './topic.js';
export type * from './types.js';
