/** @module rocketmq/fixture — a RocketMQ dialect on a real 127.0.0.1 server, with the official SDK as its client. */

// The SDK is CommonJS without types; the shapes used here are declared below.
import MQ from '@aliyunmq/mq-http-sdk';
import { type Broker, createBroker, type ManualClock, manualClock } from '@sluice/core';
import { createRocketMqHandler, type RocketMqHandler, type RocketMqOptions } from '@sluice/rocketmq';
import { type Listening, listen } from '../helpers/listen.js';

/** A consumed message as the SDK returns it (every value a string). */
export interface SdkMessage {
  MessageId: string;
  MessageBodyMD5: string;
  MessageBody: string;
  ReceiptHandle: string;
  PublishTime: string;
  FirstConsumeTime: string;
  NextConsumeTime: string;
  ConsumedTimes: string;
  MessageTag: string;
  Properties: Record<string, string>;
  MessageKey?: string;
  StartDeliverTime?: number;
  ShardingKey?: string;
}

/** What the SDK resolves with. */
export interface SdkResult<T> {
  code: number;
  requestId: string;
  body: T;
}

export interface SdkProperties {
  putProperty(k: string, v: string): void;
  messageKey(k: string): void;
  startDeliverTime(ms: number): void;
  transCheckImmunityTime(s: number): void;
  shardingKey(k: string): void;
}
export interface SdkProducer {
  publishMessage(
    body: string,
    tag?: string,
    props?: SdkProperties,
  ): Promise<SdkResult<{ MessageId: string; MessageBodyMD5: string; ReceiptHandle?: string }>>;
}
export interface SdkTransProducer extends SdkProducer {
  consumeHalfMessage(n: number, wait?: number): Promise<SdkResult<SdkMessage[]>>;
  commit(handle: string): Promise<SdkResult<AckItem[] | undefined>>;
  rollback(handle: string): Promise<SdkResult<AckItem[] | undefined>>;
}
export interface AckItem {
  ErrorCode: string;
  ErrorMessage: string;
  ReceiptHandle: string;
}
export interface SdkConsumer {
  consumeMessage(n: number, wait?: number): Promise<SdkResult<SdkMessage[]>>;
  consumeMessageOrderly(n: number, wait?: number): Promise<SdkResult<SdkMessage[]>>;
  ackMessage(handles: string[]): Promise<SdkResult<AckItem[] | undefined>>;
}
export interface SdkClient {
  getProducer(ns: string, topic: string): SdkProducer;
  getTransProducer(ns: string, topic: string, gid: string): SdkTransProducer;
  getConsumer(ns: string, topic: string, gid: string, tag?: string): SdkConsumer;
}

const sdk = MQ as unknown as {
  MQClient: new (endpoint: string, ak: string, sk: string) => SdkClient;
  MessageProperties: new () => SdkProperties;
};

export const AK = 'test-ak';
export const SK = 'test-secret';
export const NS = 'MQ_INST_1';

/** A fresh `MessageProperties`. */
export function props(): SdkProperties {
  return new sdk.MessageProperties();
}

/** A running dialect and a client for it. */
export interface RocketMqFixture {
  readonly broker: Broker;
  readonly clock: ManualClock | undefined;
  readonly handler: RocketMqHandler;
  readonly server: Listening;
  readonly client: SdkClient;
  /** A client signing with other credentials. */
  clientWith(ak: string, sk: string): SdkClient;
  close(): Promise<void>;
}

/**
 * Starts a broker (on a manual clock starting at the wall-clock time, so SDK timestamps line up, unless
 * `realClock`), the dialect with credentials, and a server on 127.0.0.1:0.
 */
export async function startRocketMq(
  options: RocketMqOptions = {},
  { realClock = false }: { realClock?: boolean } = {},
): Promise<RocketMqFixture> {
  const clock = realClock ? undefined : manualClock(Date.now());
  const broker = await createBroker(clock === undefined ? {} : { clock });
  const handler = createRocketMqHandler(broker, {
    credentials: [{ accessKeyId: AK, accessKeySecret: SK }],
    ...options,
  });
  const server = await listen(handler.node);
  return {
    broker,
    clock,
    handler,
    server,
    client: new sdk.MQClient(server.url, AK, SK),
    clientWith: (ak, sk) => new sdk.MQClient(server.url, ak, sk),
    close: async () => {
      await server.close();
      await broker.close();
    },
  };
}

/** The `Code` of what a promise rejects with, or `'resolved'`. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { Code?: string }).Code ?? String(error);
  }
}
