/**
 * @module fuzz/judge — what every answer of the server must be, whatever was sent: no 5xx, no stack trace or
 * internal path, and well-formed for the dialect that answers (strict XML 1.0 for MNS and RocketMQ, JSON with the
 * DMS error shape for DMS).
 */
import { strictXml, strictXmlLeaves } from '../helpers/strict-xml.js';

/** The dialect a request belongs to by the one-port rules (docs/compatibility.md; written out here, not imported). */
export type FuzzDialect = 'mns' | 'rocketmq' | 'dms' | 'none';

/** The dialect of a request as sent. */
export function dialectOf(target: string, headers: Readonly<Record<string, string>>): FuzzDialect {
  if (target.startsWith('/v1.0/')) return 'dms';
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  if (names.includes('x-mns-version')) return 'mns';
  if (names.includes('x-mq-version')) return 'rocketmq';
  if (/^\/(queues|topics)(?:[/?]|$)/.test(target)) return 'mns';
  return 'none';
}

/** An answer as the judge sees it. */
export interface JudgedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

/** What the judge knows of the request besides its dialect. */
export interface JudgedRequest {
  /** HEAD answers carry no body, whatever they say. */
  readonly method?: string;
  /** Undefined: judge by the answer's content type only (raw cases, where framing may split one send into many). */
  readonly dialect: FuzzDialect | undefined;
  /** The bytes sent, so text the client itself put in (and the server echoes) is not taken for a leak. */
  readonly sent: string;
  /** Accept a 500 for this case: `mnsBatch` (MNS BatchSendMessage's documented partial failure). */
  readonly tolerate?: 'mnsBatch';
}

// A stack frame, a file of ours, a node internal or a module path: none may reach a client.
const LEAKS = [
  /\bat [\w.$<>[\] ]+ \(?(?:file:|node:|\/)[^)\s]*:\d+:\d+/,
  /node:internal/,
  /\/(?:packages|node_modules|src|dist)\/[\w@.-]+\/[\w./-]+\.(?:ts|js|mjs|cjs)\b/,
  /\b(?:TypeError|RangeError|ReferenceError|SyntaxError): /,
  /\bERR_[A-Z_]{4,}\b/,
];

const XML_ROOTS = new Set([
  'Error',
  'Errors',
  'Message',
  'Messages',
  'Queue',
  'Queues',
  'Topic',
  'Topics',
  'Subscription',
  'Subscriptions',
  'ChangeVisibility',
  // MNS GetAccountAttributes (`GET /?accountmeta=true`).
  'Account',
]);

/** Elements the specs define as integers. */
const NUMERIC = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'VisibilityTimeout',
  'PollingWaitSeconds',
  'ActiveMessages',
  'InactiveMessages',
  'DelayMessages',
  'CreateTime',
  'LastModifyTime',
  'EnqueueTime',
  'NextVisibleTime',
  'FirstDequeueTime',
  'DequeueCount',
  'Priority',
  'MessageCount',
  'PublishTime',
  'FirstConsumeTime',
  'NextConsumeTime',
  'ConsumedTimes',
];

const header = (a: JudgedAnswer, name: string): string => {
  const v = a.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

/** Node's own answer to a request it could not parse as HTTP (no dialect could have answered it). */
function isTransportRefusal(a: JudgedAnswer): boolean {
  return (
    [400, 408, 413, 414, 431].includes(a.status) &&
    a.body.byteLength === 0 &&
    header(a, 'connection').toLowerCase() === 'close'
  );
}

/** Why `answer` is wrong for `request`, or `undefined` when it is fine. */
export function judge(request: JudgedRequest, answer: JudgedAnswer): string | undefined {
  const text = Buffer.from(answer.body).toString('utf8');
  for (const leak of LEAKS) {
    const m = leak.exec(text);
    if (m !== null && !request.sent.includes(m[0])) return `leaks internals: ${JSON.stringify(m[0])}`;
  }
  if (answer.status >= 500) {
    const root = strictXml(answer.body);
    const documented =
      request.tolerate === 'mnsBatch' && answer.status === 500 && root.ok && root.root === 'Messages';
    if (!documented) return `status ${answer.status}: ${text.slice(0, 300)}`;
  }
  if (isTransportRefusal(answer) || request.method === 'HEAD') return undefined;
  const type = header(answer, 'content-type').toLowerCase();
  const hasBody = answer.body.byteLength > 0;
  const dialect = request.dialect;
  const xmlDialect = dialect === 'mns' || dialect === 'rocketmq';
  if (xmlDialect && answer.status >= 400 && !hasBody)
    return `${dialect} error ${answer.status} without a body`;
  if (dialect === 'dms' && answer.status >= 400 && !hasBody)
    return `dms error ${answer.status} without a body`;
  if (!hasBody) return undefined;
  if (type.startsWith('text/xml') || type.startsWith('application/xml')) {
    if (dialect === 'dms') return `dms answered with XML (${type})`;
    const doc = strictXml(answer.body);
    if (!doc.ok) return `XML not well-formed (${doc.error}): ${text.slice(0, 300)}`;
    if (!XML_ROOTS.has(doc.root)) return `unexpected XML root ${doc.root}`;
    if (answer.status >= 400 && !['Error', 'Errors', 'Messages'].includes(doc.root)) {
      return `error ${answer.status} with root ${doc.root}`;
    }
    const { leaves } = strictXmlLeaves(answer.body)!;
    if (doc.root === 'Error') {
      // All four children, non-empty (the Python SDK's ErrorDecoder needs them; the Node SDKs copy Code).
      for (const child of ['Code', 'Message', 'RequestId', 'HostId']) {
        const values = leaves.get(child) ?? [];
        if (values.length !== 1 || values[0] === '') return `<Error> without exactly one non-empty ${child}`;
      }
    }
    // Numeric fields are never empty and always integers (Go unmarshals them into int64, Python calls int()).
    for (const name of NUMERIC) {
      for (const value of leaves.get(name) ?? []) {
        if (!/^-?\d{1,19}$/.test(value))
          return `<${name}> is not an integer: ${JSON.stringify(value.slice(0, 40))}`;
      }
    }
    if (dialect === 'mns' || dialect === 'rocketmq') {
      const id = dialect === 'mns' ? 'x-mns-request-id' : 'x-mq-request-id';
      if (!/^[0-9A-F]{24}$/.test(header(answer, id))) return `XML answer without a 24-hex ${id}`;
    }
    return undefined;
  }
  if (type.startsWith('application/json')) {
    if (xmlDialect) return `${dialect} answered with JSON`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return `JSON not well-formed: ${text.slice(0, 300)}`;
    }
    if (answer.status >= 400) {
      const e = parsed as Record<string, unknown> | null;
      if (
        e === null ||
        typeof e !== 'object' ||
        typeof e['error_code'] !== 'string' ||
        typeof e['error_msg'] !== 'string'
      ) {
        return `DMS error without error_code/error_msg: ${text.slice(0, 300)}`;
      }
      const inner = e['error'] as Record<string, unknown> | undefined;
      if (inner !== undefined && (typeof inner.code !== 'string' || typeof inner.message !== 'string')) {
        return `DMS error with a malformed error object: ${text.slice(0, 300)}`;
      }
    }
    return undefined;
  }
  if (dialect !== undefined && dialect !== 'none') {
    return `${dialect} answered ${answer.status} with ${type || 'no content type'}: ${text.slice(0, 200)}`;
  }
  return undefined;
}
