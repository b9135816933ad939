/** @module batch-delete-message — BatchDeleteMessage: `DELETE /queues/{q}/messages` with `<ReceiptHandles>` (1..16). */
import { type WireResponse, type XmlObject, xmlChildren, xmlContainer, xmlElement } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { toWire } from '../errors.js';
import { MnsFault, malformedXml, outOfRange } from '../fault.js';
import { queueOf } from '../lookup.js';
import { emptyResponse, xmlResponse } from '../response.js';

/**
 * 204 when every handle was deleted. Otherwise the good ones are deleted and the answer is 404 (a choice the
 * service's docs leave open, as in their sample) with one `<Error>` (ErrorCode, ErrorMessage, ReceiptHandle) per failed handle.
 */
export async function batchDeleteMessage(ctx: MnsContext, node: XmlObject): Promise<WireResponse> {
  const queue = queueOf(ctx);
  const entries = xmlChildren(node, 'ReceiptHandle');
  if (entries.length === 0) {
    throw new MnsFault(400, 'MissingReceiptHandle', 'The ReceiptHandle is required.');
  }
  if (entries.length > 16) throw outOfRange('ReceiptHandles', 1, 16);
  const handles = entries.map((e) => {
    if (typeof e !== 'string') throw malformedXml('a ReceiptHandle must hold text');
    return e.trim();
  });
  const results = await queue.ackBatch(handles);
  let errors = '';
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (r.ok) continue;
    const w = toWire[r.code];
    errors += xmlContainer(
      'Error',
      xmlElement('ErrorCode', w.code) +
        xmlElement('ErrorMessage', w.message) +
        xmlElement('ReceiptHandle', handles[i]!),
    );
  }
  return errors === '' ? emptyResponse(ctx, 204) : xmlResponse(ctx, 404, 'Errors', errors);
}
