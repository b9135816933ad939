/**
 * @module push-endpoint — an HTTP endpoint on loopback that receives MNS pushes and verifies each one the two ways
 * the service's sample endpoints do, so a push they would refuse fails the test.
 */
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type Listening, listen } from './listen.js';

/** One push as the endpoint saw it. */
export interface ReceivedPush {
  /** The request-target as received. */
  readonly url: string;
  /** Header names as sent, with their values. */
  readonly raw: ReadonlyMap<string, string>;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The certificate URL the push named, decoded. */
  readonly certUrl: string;
  /** The Python sample's way: case-sensitive `x-mns-` names, sorted `name:value` lines, key from the 7th tbs element. */
  readonly pythonVerified: boolean;
  /** The Java sample's way: exact-case `Content-md5`, `Content-Type`, `Date`, `Authorization`, X509 certificate parse. */
  readonly javaVerified: boolean;
}

/** A push endpoint: answers each push with the next status of `statuses` (then `fallback`), or never (`'hang'`). */
export interface PushEndpoint extends Listening {
  readonly pushes: ReceivedPush[];
  /** Statuses for the next pushes, in order. */
  readonly statuses: (number | 'hang')[];
  fallback: number | 'hang';
  /** Most pushes the endpoint held open at once (received, not yet answered or cut). */
  readonly maxOpen: number;
  /** Resolves when `n` pushes have arrived (and been verified). */
  arrived(n: number): Promise<void>;
}

/** Reads one DER TLV at `offset`: [content start, content end, next offset]. */
function tlv(der: Buffer, offset: number): [number, number, number] {
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  return [start, start + length, start + length];
}

/** subjectPublicKeyInfo as the Python sample finds it: the 7th element of the certificate's first element. */
function seventhTbsElement(der: Buffer): Buffer {
  const [certStart] = tlv(der, 0);
  const [tbsStart] = tlv(der, certStart);
  let at = tbsStart;
  for (let i = 0; i < 6; i++) at = tlv(der, at)[2];
  return der.subarray(at, tlv(der, at)[2]);
}

/** The Python sample's PEM reading: whitespace-split lines, the ones between the first and the last are base64. */
function pemBody(pem: string): Buffer {
  const lines = pem
    .replaceAll(' ', '')
    .split(/\s+/)
    .filter((l) => l !== '');
  return Buffer.from(lines.slice(1, -1).join(''), 'base64');
}

async function check(req: IncomingMessage, body: Buffer): Promise<ReceivedPush> {
  const raw = new Map<string, string>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) raw.set(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const certUrl = Buffer.from(req.headers['x-mns-signing-cert-url'] as string, 'base64').toString('utf8');
  const pem = await (await fetch(certUrl)).text();
  const signature = Buffer.from((req.headers.authorization ?? '') as string, 'base64');

  // Python: headers looked up case-insensitively; x-mns-* kept only when sent in lower case; "\n".join of the
  // sorted lines, then the path.
  const mnsLines = [...raw].filter(([k]) => k.startsWith('x-mns-')).map(([k, v]) => `${k}:${v}`);
  const py = `${req.method}\n${[req.headers['content-md5'], req.headers['content-type'], req.headers.date]
    .map((v) => v ?? '')
    .join('\n')}\n${mnsLines.sort().join('\n')}\n${req.url}`;
  const spki = createPublicKey({ key: seventhTbsElement(pemBody(pem)), format: 'der', type: 'spki' });
  const pythonVerified = verify('sha1', Buffer.from(py, 'utf8'), spki, signature);

  // Java (HttpCore sample): a case-sensitive map of the headers as sent.
  const get = (name: string) => raw.get(name) ?? '';
  const java = `${req.method}\n${get('Content-md5')}\n${get('Content-Type')}\n${get('Date')}\n${mnsLines
    .sort()
    .map((l) => `${l}\n`)
    .join('')}${req.url}`;
  const cert = new X509Certificate(pem);
  const javaVerified = verify(
    'sha1',
    Buffer.from(java, 'utf8'),
    cert.publicKey,
    Buffer.from(get('Authorization'), 'base64'),
  );
  // The body is what Content-md5 says (base64 of the hex MD5).
  const md5 = Buffer.from(createHash('md5').update(body).digest('hex')).toString('base64');
  return {
    url: req.url ?? '',
    raw,
    headers: req.headers,
    body: body.toString('utf8'),
    certUrl,
    pythonVerified: pythonVerified && get('Content-md5') === md5,
    javaVerified,
  };
}

/** Starts a push endpoint on 127.0.0.1:0 (default answer 204); with `tls`, an https one (`url` is then https). */
export async function startPushEndpoint(tls?: { key: string; cert: string }): Promise<PushEndpoint> {
  const pushes: ReceivedPush[] = [];
  const statuses: (number | 'hang')[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const state = { fallback: 204 as number | 'hang', open: 0, maxOpen: 0 };
  const serve = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    state.open++;
    state.maxOpen = Math.max(state.maxOpen, state.open);
    res.once('close', () => state.open--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void check(req, Buffer.concat(chunks)).then(
        (push) => {
          pushes.push(push);
          const status = statuses.shift() ?? state.fallback;
          if (status !== 'hang') res.writeHead(push.pythonVerified && push.javaVerified ? status : 403).end();
          for (const w of waiters.splice(0)) {
            if (pushes.length >= w.n) w.resolve();
            else waiters.push(w);
          }
        },
        (error: unknown) => res.writeHead(400).end(String(error)),
      );
    });
  };
  const server = tls === undefined ? createServer(serve) : createTlsServer(tls, serve);
  const srv = await listen(server as import('node:http').Server);
  return {
    ...srv,
    url: tls === undefined ? srv.url : srv.url.replace('http:', 'https:'),
    pushes,
    statuses,
    get fallback() {
      return state.fallback;
    },
    set fallback(v) {
      state.fallback = v;
    },
    get maxOpen() {
      return state.maxOpen;
    },
    arrived: (n) =>
      pushes.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
  };
}
