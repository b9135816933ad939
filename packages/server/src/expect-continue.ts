/**
 * @module expect-continue — `Expect: 100-continue` answered from the head: a body the handler will refuse is refused
 * at once, without `100 Continue`.
 *
 * WHY: node:http answers `100 Continue` to every such request unless the server listens for `checkContinue`; a
 * client declaring 1 GB was told to send it, and only then got the dialect's "too large". Clients wait for the 100
 * (or a final answer) before sending the body, so a refusal from the head saves them the upload.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { type DialectLimits, nodeRequestHead } from '@sluice/http';

/** True when the handler would refuse this request before reading its body (declared body or target too long). */
export function refusedFromHead(req: IncomingMessage, limits: DialectLimits): boolean {
  const head = nodeRequestHead(req);
  if (head.target.length > limits.maxTargetLength) return true;
  const declared = head.headers['content-length'];
  return declared !== undefined && Number(declared) > limits.maxBodyBytes(head);
}

/**
 * Makes `server` answer `Expect: 100-continue` itself: `100 Continue` then `listener` for a request whose declared
 * body and target are within `limits()`; `listener` alone otherwise (the handler answers its too-large error at
 * once, with `Connection: close`, and never reads the body). `limits()` is undefined while the server is starting
 * (the port is bound before the handler exists): such a request is told to continue and held like any other.
 */
export function answerExpectContinue(
  server: Server,
  limits: () => DialectLimits | undefined,
  listener: RequestListener,
): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const known = limits();
    if (known === undefined || !refusedFromHead(req, known)) res.writeContinue();
    listener(req, res);
  });
}
