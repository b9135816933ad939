/** @module crash/xml-answers — reading the MNS and RocketMQ XML answers the crash test needs, with no parser. */
import type { AckItem, Ledger } from './ledger.js';
import { checkAnyBody, md5Upper, unescapeXmlText } from './payload.js';

/** The text of one child element (decoded), or undefined. */
export function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m === null ? undefined : unescapeXmlText(m[1]!);
}

/** The inner XML of each `<Message>` element (the root of a single receive, or the items of `<Messages>`). */
export function messages(xml: string): string[] {
  return [...xml.matchAll(/<Message(?: [^>]*)?>([\s\S]*?)<\/Message>/g)].map((m) => m[1]!);
}

/** The `<Code>` of an `<Error>` answer. */
export const errorCode = (xml: string): string | undefined => element(xml, 'Code');

/**
 * The handles an `<Errors>` answer of a batch ack lists, with their codes; the handles it does not list were acked.
 * Undefined when the answer is not an `<Errors>` document.
 */
export function handleErrors(xml: string): Map<string, string> | undefined {
  if (!/<Errors[\s>]/.test(xml)) return undefined;
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<Error>([\s\S]*?)<\/Error>/g)) {
    const code = element(m[1]!, 'ErrorCode');
    const handle = element(m[1]!, 'ReceiptHandle');
    if (code !== undefined && handle !== undefined) out.set(handle.trim(), code);
  }
  return out;
}

/**
 * Records each `<Message>` of an MNS or RocketMQ receive answer in the ledger (body check, MD5, id) and answers
 * the items to ack: every one with a handle, also when its body is not what it should be (or the drain would meet
 * it again and again).
 */
export function xmlDeliveries(
  ledger: Ledger,
  xml: string,
  at: { group: string; receiveStart: number; drain: boolean; visibilityMs: number; life: number },
): AckItem[] {
  const items: AckItem[] = [];
  for (const m of messages(xml)) {
    const body = element(m, 'MessageBody') ?? '';
    const check = checkAnyBody(body);
    ledger.delivered({
      group: at.group,
      uid: check.uid,
      intact: check.intact,
      hash: check.hash,
      messageId: element(m, 'MessageId'),
      md5Ok: element(m, 'MessageBodyMD5') === md5Upper(body),
      receiveStart: at.receiveStart,
      drain: at.drain,
      sample: body,
    });
    const handle = element(m, 'ReceiptHandle');
    if (handle !== undefined) {
      items.push({
        group: at.group,
        uid: check.uid ?? `unknown-${handle}`,
        handle,
        receiveStart: at.receiveStart,
        visibilityMs: at.visibilityMs,
        life: at.life,
      });
    }
  }
  return items;
}
