/**
 * @module ops/publish-message — `POST /topics/{topic}/messages[?ns=]`: publish one message (normal, scheduled,
 * ordered by sharding key, or a transactional half message). Answers 201 `<Message>` with the id and body MD5, and
 * for a half message the handle that commits or rolls it back.
 */
import type { WireResponse } from '@sluice/http';
import { readMessage } from '../body.js';
import type { Call, DialectContext } from '../context.js';
import { invalidArgument } from '../errors.js';
import { bodyMd5 } from '../messages.js';
import { transParam } from '../params.js';
import { integerProperty, parseProperties, SystemProperty } from '../properties.js';
import { formatHandle, HandleKind } from '../receipt.js';
import { xmlResponse } from '../render.js';
import { messageInput } from '../transactions.js';

/** `__TransCheckT` range, seconds. */
const CHECK_MIN = 10;
const CHECK_MAX = 300;
const NO_PROPERTIES: Readonly<Record<string, string>> = Object.freeze({});

/** Publishes one message. */
export async function publishMessage(ctx: DialectContext, call: Call): Promise<WireResponse> {
  transParam(call.request.query, []);
  const fields = await readMessage(
    call.request.body,
    Math.max(ctx.options.maxMessageSize, ctx.options.maxTimedMessageSize),
  );
  const text = fields.body;
  if (text === undefined) throw invalidArgument('MessageBody is required.');
  const tag = fields.tag === undefined || fields.tag === '' ? undefined : fields.tag;
  const propsText = fields.properties;
  const props = propsText === undefined ? NO_PROPERTIES : parseProperties(propsText);

  const checkText = props[SystemProperty.TransCheckT];
  const startText = props[SystemProperty.StartDeliverTime];
  const check = checkText === undefined ? undefined : integerProperty(SystemProperty.TransCheckT, checkText);
  if (check !== undefined && !(check >= CHECK_MIN && check <= CHECK_MAX)) {
    throw invalidArgument(
      `property ${SystemProperty.TransCheckT} must be from ${CHECK_MIN} to ${CHECK_MAX} seconds.`,
    );
  }
  if (startText !== undefined) {
    const start = integerProperty(SystemProperty.StartDeliverTime, startText);
    // Retention counts from publish in the core: a message due after it would expire unseen.
    if (start > ctx.registry.now() + ctx.registry.retention(call.ns, call.topic)) {
      throw invalidArgument(
        `property ${SystemProperty.StartDeliverTime} must be within the retention period.`,
      );
    }
  }

  const body = Buffer.from(text, 'utf8');
  const timed = check !== undefined || startText !== undefined;
  const limit = timed ? ctx.options.maxTimedMessageSize : ctx.options.maxMessageSize;
  if (body.byteLength > limit) {
    throw invalidArgument(
      `MessageBody is ${body.byteLength} bytes; ${timed ? 'transactional and scheduled' : 'normal'} messages take at most ${limit}.`,
    );
  }
  const md5 = bodyMd5(body);
  // Kept with the message so no delivery hashes the body again (hidden from clients like every __SLUICE_ key).
  const stored = { ...props, [SystemProperty.BodyMd5]: md5 };
  const topic = ctx.registry.topic(call.ns, call.topic, true);

  if (check === undefined) {
    const { id } = await topic.send(messageInput(body, tag, stored));
    return xmlResponse(
      201,
      call.requestId,
      'Message',
      `<MessageId>${id}</MessageId><MessageBodyMD5>${md5}</MessageBodyMD5>`,
    );
  }

  // A half message: kept in the topic's half queue until its first check-back, see transactions.ts.
  const half = ctx.registry.halfQueue(call.ns, call.topic, true)!;
  const now = ctx.registry.now();
  const checkInterval = check * 1000;
  const { id } = await half.send({ ...halfInput(body, tag, stored), deliverAt: now + checkInterval });
  ctx.transactions.sweep(now);
  const nonce = ctx.transactions.add(call.ns, call.topic, {
    id,
    body,
    tag,
    properties: stored,
    publishedAt: now,
    checkInterval,
    publishDeadline: now + checkInterval,
  });
  return xmlResponse(
    201,
    call.requestId,
    'Message',
    `<MessageId>${id}</MessageId><MessageBodyMD5>${md5}</MessageBodyMD5>` +
      `<ReceiptHandle>${formatHandle(id, HandleKind.Publish, nonce)}</ReceiptHandle>`,
  );
}

// The half copy carries body, tag and properties only: its delay is the check time, not the message's own.
function halfInput(body: Uint8Array, tag: string | undefined, properties: Readonly<Record<string, string>>) {
  return tag === undefined ? { body, properties } : { body, tag, properties };
}
