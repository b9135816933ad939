/** @module queue — a queue: a topic with one implicit consumer group, behind one object. */
import type { Group } from './group.js';
import { resolveGroupOptions, resolveTopicOptions, splitQueueOptions } from './options.js';
import type { Topic } from './topic.js';
import type {
  AckResult,
  Delivery,
  GroupStats,
  Message,
  QueueOptions,
  ReceiveOptions,
  SendBatchItem,
  SendInput,
  SendResult,
  VisibilityChange,
} from './types.js';

/** Name of the implicit group of a queue. */
export const QUEUE_GROUP = '';

/** Queue options with every field set. */
export type ResolvedQueueOptions = Omit<ReturnType<typeof resolveTopicOptions>, 'keepConsumed'> &
  Omit<ReturnType<typeof resolveGroupOptions>, 'metadata' | 'startAt'>;

/**
 * A queue. Obtain one with `broker.createQueue(name)` or `broker.queue(name)`.
 * @example
 * const queue = broker.createQueue('jobs', { visibilityTimeout: 10_000 });
 * await queue.send({ body: 'work' });
 * const [job] = await queue.receive({ wait: 5_000 });
 * if (job) await queue.ack(job.receiptHandle);
 */
export class Queue {
  /** The underlying topic. */
  readonly topic: Topic;
  /** The implicit consumer group. */
  readonly group: Group;

  /** @internal Created by the broker. */
  constructor(topic: Topic, group: Group) {
    this.topic = topic;
    this.group = group;
  }

  /** The queue's name. */
  get name(): string {
    return this.topic.name;
  }

  /** The queue's options, every field set. */
  get options(): ResolvedQueueOptions {
    // keepConsumed and startAt mean nothing to a queue (it frees on ack; its group is as old as it).
    const { metadata: _, startAt: _s, ...group } = this.group.options;
    const { keepConsumed: _k, ...topic } = this.topic.options;
    return { ...topic, ...group };
  }

  /** When the queue was created, clock ms. */
  get createdAt(): number {
    return this.topic.createdAt;
  }

  /** When its options last changed, clock ms. */
  get modifiedAt(): number {
    return Math.max(this.topic.modifiedAt, this.group.modifiedAt);
  }

  /** Changes options (all but `ordered` and `tags`). Validates everything before changing anything. */
  setOptions(options: QueueOptions): void {
    const [topic, group] = splitQueueOptions(options);
    resolveTopicOptions(topic, this.topic.options);
    resolveGroupOptions(group, this.group.options);
    this.topic.setOptions(topic);
    this.group.setOptions(group);
  }

  /** See {@link Topic.send}. */
  send(input: SendInput): Promise<SendResult> {
    return this.topic.send(input);
  }

  /** See {@link Topic.sendBatch}. */
  sendBatch(inputs: readonly SendInput[]): Promise<SendBatchItem[]> {
    return this.topic.sendBatch(inputs);
  }

  /** See {@link Group.receive}. */
  receive(options?: ReceiveOptions): Promise<Delivery[]> {
    return this.group.receive(options);
  }

  /** See {@link Group.ack}. */
  ack(handle: string): Promise<void> {
    return this.group.ack(handle);
  }

  /** See {@link Group.ackBatch}. */
  ackBatch(handles: readonly string[]): Promise<AckResult[]> {
    return this.group.ackBatch(handles);
  }

  /** See {@link Group.nack}. */
  nack(handle: string): Promise<void> {
    return this.group.nack(handle);
  }

  /** See {@link Group.handleIsFor}. */
  handleIsFor(handle: string, id: string): boolean {
    return this.group.handleIsFor(handle, id);
  }

  /** See {@link Group.changeVisibility}. */
  changeVisibility(handle: string, ms: number): Promise<VisibilityChange> {
    return this.group.changeVisibility(handle, ms);
  }

  /** See {@link Group.peek}. */
  peek(options?: { max?: number }): Message[] {
    return this.group.peek(options);
  }

  /** See {@link Group.stats}. */
  stats(): GroupStats {
    return this.group.stats();
  }
}
