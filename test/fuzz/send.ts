/**
 * @module fuzz/send — one fuzz request through node:http (the target and headers go out exactly as given: no URL
 * normalization), signed the way each dialect's SDKs sign when the server checks credentials.
 */
import { createHmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { sign as mqSign } from '@sluice/rocketmq';

/** The access key of the secured fuzz server (every dialect), and its DMS token. */
export const FUZZ_KEY = { accessKeyId: 'fuzz-ak', accessKeySecret: 'fuzz-sk' } as const;
export const FUZZ_TOKEN = 'fuzz-token';

/** One request to send. */
export interface FuzzRequest {
  readonly method: string;
  /** The raw request-target, sent as is. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

/**
 * The request with credentials added as the SDKs add them: `MNS`/`MQ` HMAC-SHA1 over the target and the version
 * headers, a DMS token. Requests that already carry an Authorization (forged on purpose) are left alone.
 */
export function signed(request: FuzzRequest): FuzzRequest {
  const headers: Record<string, string> = { ...request.headers };
  const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
  if (has('authorization') || has('x-auth-token')) return request;
  if (request.target.startsWith('/v1.0/')) {
    headers['X-Auth-Token'] = FUZZ_TOKEN;
  } else if (has('x-mns-version')) {
    const mns = Object.keys(headers)
      .filter((k) => k.toLowerCase().startsWith('x-mns-'))
      .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
      .map((k) => `${k.toLowerCase()}:${headers[k]}\n`)
      .join('');
    const text = `${request.method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers['date'] ?? ''}\n${mns}${request.target}`;
    const signature = createHmac('sha1', FUZZ_KEY.accessKeySecret).update(text).digest('base64');
    headers['authorization'] = `MNS ${FUZZ_KEY.accessKeyId}:${signature}`;
  } else if (has('x-mq-version')) {
    const lower: Record<string, string> = {};
    for (const k in headers) lower[k.toLowerCase()] = headers[k]!;
    headers['authorization'] =
      `MQ ${FUZZ_KEY.accessKeyId}:${mqSign(FUZZ_KEY.accessKeySecret, request.method, lower, request.target)}`;
  }
  return { ...request, headers };
}

/** An answer: status, headers, body bytes. */
export interface FuzzAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * Sends `request` to 127.0.0.1:`port`. Resolves with the answer, or with `{ refused }` when node:http itself would
 * not send it (an invalid header value) or the connection failed.
 */
export function send(
  port: number,
  request: FuzzRequest,
  timeoutMs = 15_000,
): Promise<FuzzAnswer | { refused: string }> {
  return new Promise((resolve) => {
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: request.method,
          path: request.target,
          headers: {
            ...request.headers,
            ...(request.body === undefined ? {} : { 'content-length': String(request.body.byteLength) }),
          },
          agent,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', (e) => resolve({ refused: `response: ${e.message}` }));
        },
      );
    } catch (error) {
      resolve({ refused: (error as Error).message });
      return;
    }
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (e) => resolve({ refused: e.message }));
    req.end(request.body === undefined ? undefined : Buffer.from(request.body));
  });
}

/** Closes the keep-alive sockets of {@link send}. */
export function closeSockets(): void {
  agent.destroy();
}
