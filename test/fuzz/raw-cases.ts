/**
 * @module fuzz/raw-cases — requests only a socket can send: request smuggling shapes (Content-Length with
 * Transfer-Encoding, two lengths, obs-fold), lying and oversize lengths, broken chunked framing, odd request lines.
 */
import fc from 'fast-check';
import { headerSafe, text } from './values.js';

/** A raw exchange to try. */
export interface RawCase {
  readonly label: string;
  /** What to write, in order (several parts: one request split across packets). */
  readonly parts: readonly Uint8Array[];
  /** True when the bytes form complete requests, so the server owes at least one answer (or a close). */
  readonly complete: boolean;
}

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** The head of a request of `dialect` to a live resource, without the final CRLF. */
function head(dialect: 'mns' | 'rocketmq' | 'dms', method = 'POST'): string {
  const date = new Date().toUTCString();
  if (dialect === 'mns')
    return `${method} /queues/fq/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nDate: ${date}\r\nx-mns-version: 2015-06-06\r\nContent-Type: text/xml`;
  if (dialect === 'rocketmq')
    return `${method} /topics/FT/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nDate: ${date}\r\nx-mq-version: 2015-06-06\r\nContent-Type: text/xml;charset=utf-8`;
  return `${method} /v1.0/fuzzproj/queues HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json`;
}

const BODIES = {
  mns: '<Message><MessageBody>smuggle</MessageBody></Message>',
  rocketmq: '<Message><MessageBody><![CDATA[smuggle]]></MessageBody></Message>',
  dms: '{"name":"smuggle"}',
} as const;

const SMUGGLED = 'GET /queues/fq HTTP/1.1\r\nHost: 127.0.0.1\r\nx-mns-version: 2015-06-06\r\n\r\n';

/** Every raw shape, for one dialect chosen by the generator. */
export const rawCases: fc.Arbitrary<RawCase> = fc
  .tuple(fc.constantFrom('mns' as const, 'rocketmq' as const, 'dms' as const), fc.nat(), text)
  .chain(([d, n, t]) => {
    const body = BODIES[d];
    const h = head(d);
    const cases: RawCase[] = [
      {
        label: 'CL + TE',
        parts: [
          b(
            `${h}\r\nContent-Length: ${body.length + 4}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
          ),
        ],
        complete: true,
      },
      {
        label: 'TE + CL',
        parts: [
          b(
            `${h}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
          ),
        ],
        complete: true,
      },
      {
        label: 'two Content-Length',
        parts: [
          b(
            `${h}\r\nContent-Length: ${body.length}\r\nContent-Length: ${body.length + 10}\r\n\r\n${body}${SMUGGLED}`,
          ),
        ],
        complete: true,
      },
      {
        label: 'Content-Length list',
        parts: [b(`${h}\r\nContent-Length: ${body.length}, ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'obs-fold',
        parts: [b(`${h}\r\nX-Folded: a\r\n  b\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'obs-fold of Transfer-Encoding',
        parts: [b(`${h}\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'TE chunked, identity',
        parts: [b(`${h}\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n`)],
        complete: true,
      },
      {
        label: 'TE xchunked',
        parts: [b(`${h}\r\nTransfer-Encoding: xchunked\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'TE with space before colon',
        parts: [b(`${h}\r\nTransfer-Encoding : chunked\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'lying Content-Length (larger)',
        parts: [b(`${h}\r\nContent-Length: ${body.length + 1 + (n % 1000)}\r\n\r\n${body}`)],
        complete: false,
      },
      {
        label: 'lying Content-Length (smaller)',
        parts: [b(`${h}\r\nContent-Length: ${Math.max(0, body.length - 1 - (n % 10))}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'oversize Content-Length',
        parts: [b(`${h}\r\nContent-Length: ${10 ** 12}\r\n\r\n${body}`)],
        complete: false,
      },
      {
        label: 'absurd Content-Length',
        parts: [b(`${h}\r\nContent-Length: 99999999999999999999999\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'negative Content-Length',
        parts: [b(`${h}\r\nContent-Length: -1\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'hex Content-Length',
        parts: [b(`${h}\r\nContent-Length: 0x10\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'chunk size overflow',
        parts: [b(`${h}\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nx\r\n0\r\n\r\n`)],
        complete: true,
      },
      {
        label: 'chunk size negative',
        parts: [b(`${h}\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n`)],
        complete: true,
      },
      {
        label: 'chunk extension',
        parts: [
          b(
            `${h}\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)};ext="v"\r\n${body}\r\n0\r\n\r\n`,
          ),
        ],
        complete: true,
      },
      {
        label: 'chunk without CRLF',
        parts: [
          b(`${h}\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}0\r\n\r\n`),
        ],
        complete: true,
      },
      {
        label: 'chunked body split per byte',
        parts: [
          b(`${h}\r\nTransfer-Encoding: chunked\r\n\r\n`),
          ...[...`${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`].map(b),
        ],
        complete: true,
      },
      {
        label: 'Expect 100-continue over the limit',
        parts: [b(`${h}\r\nExpect: 100-continue\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`)],
        complete: false,
      },
      {
        label: 'Expect unknown',
        parts: [b(`${h}\r\nExpect: 200-ok\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'LF-only line ends',
        parts: [b(`${h.replaceAll('\r\n', '\n')}\nContent-Length: ${body.length}\n\n${body}`)],
        complete: true,
      },
      {
        label: 'NUL in a header',
        parts: [b(`${h}\r\nX-Nul: a\u0000b\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'header without colon',
        parts: [b(`${h}\r\nNoColon\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'Latin-1 header value',
        parts: [
          b(`${h}\r\nX-Latin: caf\u00e9 ${headerSafe(t)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
        ],
        complete: true,
      },
      {
        label: 'HTTP/1.0',
        parts: [b(`${h.replace('HTTP/1.1', 'HTTP/1.0')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'HTTP/2.0 request line',
        parts: [b(`${h.replace('HTTP/1.1', 'HTTP/2.0')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      },
      {
        label: 'absolute-form target',
        parts: [
          b(`${h.replace(' /', ' http://evil.example/')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
        ],
        complete: true,
      },
      {
        label: 'asterisk target',
        parts: [b(`OPTIONS * HTTP/1.1\r\nHost: x\r\nx-mns-version: 2015-06-06\r\n\r\n`)],
        complete: true,
      },
      {
        label: 'CONNECT',
        parts: [b(`CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\nx-mq-version: 2015-06-06\r\n\r\n`)],
        complete: true,
      },
      {
        label: 'space in target',
        parts: [b(`GET /queues/f q HTTP/1.1\r\nHost: x\r\nx-mns-version: 2015-06-06\r\n\r\n`)],
        complete: true,
      },
      {
        label: 'raw UTF-8 in target',
        parts: [
          Buffer.concat([
            b('GET /queues/'),
            Buffer.from('\u00e9\u{1F642}', 'utf8'),
            b(' HTTP/1.1\r\nHost: x\r\nx-mns-version: 2015-06-06\r\n\r\n'),
          ]),
        ],
        complete: true,
      },
      {
        label: 'pipelined with garbage',
        parts: [b(`${h}\r\nContent-Length: ${body.length}\r\n\r\n${body}GARBAGE ${headerSafe(t)}\r\n\r\n`)],
        complete: true,
      },
      {
        label: 'pipelined valid pair',
        parts: [
          b(
            `${h}\r\nContent-Length: ${body.length}\r\n\r\n${body}${h}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          ),
        ],
        complete: true,
      },
      {
        label: 'head then close',
        parts: [b(`${h}\r\nContent-Length: ${body.length}\r\n`)],
        complete: false,
      },
      {
        label: 'random bytes',
        parts: [Buffer.from(Array.from({ length: 64 + (n % 512) }, (_, i) => (n * 31 + i * 17) & 0xff))],
        complete: false,
      },
    ];
    // Built only when drawn: megabytes each.
    const heavy: (() => RawCase)[] = [
      () => ({
        label: 'huge chunked body',
        parts: [
          b(`${h}\r\nTransfer-Encoding: chunked\r\n\r\n`),
          ...Array.from({ length: 12 }, () => b(`100000\r\n${'A'.repeat(0x100000)}\r\n`)),
          b('0\r\n\r\n'),
        ],
        complete: true,
      }),
      () => ({
        label: 'huge header',
        parts: [b(`${h}\r\nX-Big: ${'a'.repeat(100_000)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
        complete: true,
      }),
      () => ({
        label: 'many headers',
        parts: [
          b(
            `${h}\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          ),
        ],
        complete: true,
      }),
      () => ({
        label: 'long request line',
        parts: [
          b(
            `GET /topics/FT/messages?consumer=GID_F&numOfMessages=1&p=${'x'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\nx-mq-version: 2015-06-06\r\n\r\n`,
          ),
        ],
        complete: true,
      }),
    ];
    return fc.oneof(
      { weight: cases.length, arbitrary: fc.constantFrom(...cases) },
      { weight: heavy.length, arbitrary: fc.constantFrom(...heavy).map((build) => build()) },
    );
  });
