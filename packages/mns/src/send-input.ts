/** @module send-input — one `<Message>` of SendMessage / BatchSendMessage: validated and turned into a core send. */
import type { Queue, SendInput } from '@sluice/core';
import { type XmlObject, xmlText } from '@sluice/http';
import { DEFAULT_PRIORITY } from './constants.js';
import { MnsFault, outOfRange } from './fault.js';
import { integerIn } from './params.js';
import { withProperties } from './properties.js';

/** A Priority that means "not set" (integerIn's form of 0: digits, blanks around). */
const ZERO = /^\s*0+\s*$/;

/** A validated message to send, with its body text (for the MD5 the response reports). */
export interface MessageToSend {
  readonly input: SendInput;
  readonly body: string;
  /** UTF-8 length of the body, bytes. */
  readonly bytes: number;
}

/**
 * Reads one `<Message>`: MessageBody (required, 1..MaximumMessageSize bytes), DelaySeconds (0..604800, overrides the
 * queue's), Priority (1..16, default 8; 0 counts as not set). Throws 400 InvalidArgument.
 */
export function parseMessage(node: XmlObject, queue: Queue): MessageToSend {
  const body = xmlText(node, 'MessageBody');
  const max = queue.topic.options.maxMessageSize;
  if (body === undefined || body === '') {
    throw new MnsFault(400, 'InvalidArgument', 'The MessageBody is required and must not be empty.');
  }
  const bytes = Buffer.byteLength(body);
  if (bytes > max) throw outOfRange('MessageBody', 1, max, 'bytes');
  const input: SendInput = { body };
  const delay = xmlText(node, 'DelaySeconds');
  if (delay !== undefined) input.delay = integerIn(delay, 'DelaySeconds', 0, 604_800, 'seconds') * 1000;
  const priorityText = xmlText(node, 'Priority');
  // 0 is "not set": the Go SDK sends <Priority>0</Priority> whenever its caller leaves Priority unset.
  if (priorityText !== undefined && !ZERO.test(priorityText)) {
    const priority = integerIn(priorityText, 'Priority', 1, 16);
    // The default goes to the core as no priority, which ranks the same: queues that only ever see the
    // default never pay for priorities.
    if (priority !== DEFAULT_PRIORITY) input.priority = priority;
  }
  // UserProperties / SystemProperties: 400 InvalidArgument, or MalformedXML for a shape no SDK writes.
  withProperties(input, node);
  return { input, body, bytes };
}
