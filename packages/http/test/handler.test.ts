/** @module handler.test — the node and fetch adapters over real sockets: limits, next(), errors, abort on close. */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen, rawRequest } from '../../../test/helpers/listen.js';
import { createDialectHandler, type WireHandler, type WireRequest } from '../src/index.js';

const echo: WireHandler = (req) =>
  req.path === '/missing'
    ? undefined
    : {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-echo': 'yes' },
        body: JSON.stringify({
          method: req.method,
          target: req.target,
          path: req.path,
          query: Object.fromEntries(req.query),
          custom: req.headers['x-custom'],
          body: new TextDecoder().decode(req.body),
        }),
      };

let srv: Listening | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe('node adapter', () => {
  it('hands the dialect the raw target, decoded path and query, headers and body', async () => {
    srv = await listen(createDialectHandler(echo).node);
    const res = await fetch(`${srv.url}/a%20b/c?x=1+2&y=%2F`, {
      method: 'POST',
      headers: { 'X-Custom': 'v' },
      body: 'héllo',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.get('content-length')).toBe(String((await res.clone().arrayBuffer()).byteLength));
    expect(await res.json()).toEqual({
      method: 'POST',
      target: '/a%20b/c?x=1+2&y=%2F',
      path: '/a b/c',
      query: { x: '1+2', y: '/' },
      custom: 'v',
      body: 'héllo',
    });
  });

  it('reads every body byte for byte, declared or chunked, in any chunking, across the in-place threshold', async () => {
    const digest: WireHandler = (req) => ({
      status: 200,
      headers: {},
      body: `${req.body.byteLength}:${createHash('sha256').update(req.body).digest('hex')}`,
    });
    srv = await listen(createDialectHandler(digest, { maxBodyBytes: 8 << 20 }).node);
    const { port } = new URL(srv.url);
    for (const size of [0, 1, 65_535, 65_536, 65_537, 200_001, (1 << 20) + 3, 5 << 20]) {
      const body = randomBytes(size);
      const want = `${size}:${createHash('sha256').update(body).digest('hex')}`;
      for (const chunked of [false, true]) {
        for (const piece of [1000, 65_536, 300_000]) {
          const got = await new Promise<string>((resolve, reject) => {
            const req = httpRequest({
              port,
              method: 'POST',
              path: '/',
              headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(size) },
            });
            req.on('response', (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (d) => (text += d));
              res.on('end', () => resolve(text));
            });
            req.on('error', reject);
            for (let at = 0; at < size; at += piece) req.write(body.subarray(at, at + piece));
            req.end();
          });
          expect(got, `${size} bytes, ${chunked ? 'chunked' : 'declared'}, pieces of ${piece}`).toBe(want);
        }
      }
    }
  });

  it('answers 404 when the dialect declines and there is no next, and calls next() when there is', async () => {
    const handler = createDialectHandler(echo);
    srv = await listen(handler.node);
    expect((await fetch(`${srv.url}/missing`)).status).toBe(404);
    await srv.close();
    let nextCalled = 0;
    srv = await listen((req, res) =>
      handler.node(req, res, () => {
        nextCalled++;
        res.writeHead(299).end('next');
      }),
    );
    const res = await fetch(`${srv.url}/missing`);
    expect(res.status).toBe(299);
    expect(await res.text()).toBe('next');
    expect(nextCalled).toBe(1);
  });

  it('refuses a body over the limit, declared or chunked, with onTooLarge', async () => {
    const kinds: string[] = [];
    const handler = createDialectHandler(echo, {
      maxBodyBytes: 10,
      onTooLarge: (kind, head) => {
        kinds.push(`${kind}:${head.method}`);
        return { status: 400, headers: { 'content-type': 'text/plain' }, body: `too large ${kind}` };
      },
    });
    srv = await listen(handler.node);
    const declared = await fetch(`${srv.url}/x`, { method: 'POST', body: 'x'.repeat(11) });
    expect(declared.status).toBe(400);
    expect(await declared.text()).toBe('too large body');
    const chunked = await rawRequest(
      srv.port,
      'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n',
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 400/);
    expect(chunked).toContain('too large body');
    const exact = await fetch(`${srv.url}/x`, { method: 'POST', body: 'x'.repeat(10) });
    expect(exact.status).toBe(200);
    expect(kinds).toEqual(['body:POST', 'body:POST']);
  });

  it('refuses a request-target over the limit (default 414)', async () => {
    srv = await listen(createDialectHandler(echo, { maxTargetLength: 50 }).node);
    expect((await fetch(`${srv.url}/${'a'.repeat(60)}`)).status).toBe(414);
    expect((await fetch(`${srv.url}/${'a'.repeat(40)}`)).status).toBe(200);
  });

  it('turns a thrown error or rejection into onError, without a stack', async () => {
    const seen: WireRequest[] = [];
    const boom = createDialectHandler(
      (req) => {
        if (req.path === '/sync') throw new Error('secret stack');
        return Promise.reject(new Error('secret async'));
      },
      {
        onError: (_e, req) => {
          seen.push(req);
          return { status: 503, headers: { 'content-type': 'text/plain' }, body: 'dialect 500' };
        },
      },
    );
    srv = await listen(boom.node);
    for (const p of ['/sync', '/async']) {
      const res = await fetch(`${srv.url}${p}`);
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('dialect 500');
    }
    expect(seen.map((r) => r.path)).toEqual(['/sync', '/async']);
    const plain = createDialectHandler(() => {
      throw new Error('secret stack');
    });
    await srv.close();
    srv = await listen(plain.node);
    const res = await fetch(`${srv.url}/`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('Internal Server Error');
  });

  it('aborts the signal of a parked request when its client goes away', async () => {
    let aborted!: () => void;
    const abortedP = new Promise<void>((r) => {
      aborted = r;
    });
    let started!: () => void;
    const startedP = new Promise<void>((r) => {
      started = r;
    });
    const parked = createDialectHandler(
      (_req, signal) =>
        new Promise((resolve) => {
          started();
          signal.addEventListener('abort', () => {
            aborted();
            resolve({ status: 200, headers: {}, body: 'late' });
          });
        }),
    );
    srv = await listen(parked.node);
    const req = httpRequest(`${srv.url}/poll`);
    req.on('error', () => {});
    req.end();
    await startedP;
    req.destroy();
    await abortedP;
  });

  it('does not abort the signal of a request answered normally', async () => {
    let signalSeen: AbortSignal | undefined;
    srv = await listen(
      createDialectHandler((_req, signal) => {
        signalSeen = signal;
        return { status: 204, headers: {}, body: '' };
      }).node,
    );
    const res = await fetch(`${srv.url}/`);
    expect(res.status).toBe(204);
    await new Promise((r) => setTimeout(r, 20));
    expect(signalSeen?.aborted).toBe(false);
  });
});

describe('chaining', () => {
  it('claims() passes foreign requests to next() unread, and a read body is reused after next()', async () => {
    const seen: string[] = [];
    const first = createDialectHandler(
      (req) => {
        seen.push(`first:${new TextDecoder().decode(req.body)}`);
        return req.path === '/first' ? { status: 200, headers: {}, body: 'first' } : undefined;
      },
      { claims: (head) => !head.target.startsWith('/skip') },
    );
    const second = createDialectHandler((req) => ({
      status: 200,
      headers: {},
      body: `second:${new TextDecoder().decode(req.body)}`,
    }));
    srv = await listen((req, res) => first.node(req, res, () => second.node(req, res)));
    expect(await (await fetch(`${srv.url}/first`, { method: 'POST', body: 'a' })).text()).toBe('first');
    expect(await (await fetch(`${srv.url}/other`, { method: 'POST', body: 'b' })).text()).toBe('second:b');
    expect(await (await fetch(`${srv.url}/skip`, { method: 'POST', body: 'c' })).text()).toBe('second:c');
    expect(seen).toEqual(['first:a', 'first:b']);
    const unclaimed = createDialectHandler(echo, { claims: () => false });
    expect((await unclaimed.fetch(new Request('http://h/x'))).status).toBe(404);
  });
});

describe('fetch adapter', () => {
  it('round-trips a Request through the wire handler', async () => {
    const handler = createDialectHandler(echo);
    const res = await handler.fetch(
      new Request('http://host:1/q/x?ReceiptHandle=A+B', {
        method: 'PUT',
        headers: { 'x-custom': 'c' },
        body: 'b',
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      target: '/q/x?ReceiptHandle=A+B',
      query: { ReceiptHandle: 'A+B' },
      custom: 'c',
      body: 'b',
    });
    expect((await handler.fetch(new Request('http://host/missing'))).status).toBe(404);
  });

  it('applies the body and target limits and onError', async () => {
    const handler = createDialectHandler(echo, { maxBodyBytes: 4, maxTargetLength: 20 });
    expect((await handler.fetch(new Request('http://h/x', { method: 'POST', body: '12345' }))).status).toBe(
      413,
    );
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(3));
        c.enqueue(new Uint8Array(3));
        c.close();
      },
    });
    const streamed = new Request('http://h/x', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect((await handler.fetch(streamed)).status).toBe(413);
    expect((await handler.fetch(new Request(`http://h/${'a'.repeat(30)}`))).status).toBe(414);
    const failing = createDialectHandler(async () => {
      throw new Error('x');
    });
    const res = await failing.fetch(new Request('http://h/'));
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('Internal Server Error');
  });

  it('answers 204 with no body and passes request.signal through', async () => {
    let got: AbortSignal | undefined;
    const handler = createDialectHandler((_r, signal) => {
      got = signal;
      return { status: 204, headers: { 'x-a': '1' }, body: '' };
    });
    const controller = new AbortController();
    const res = await handler.fetch(new Request('http://h/', { signal: controller.signal }));
    expect(res.status).toBe(204);
    expect(res.headers.get('x-a')).toBe('1');
    controller.abort();
    expect(got?.aborted).toBe(true);
  });
});

describe('options', () => {
  it('rejects bad limits with a TypeError naming the option', () => {
    expect(() => createDialectHandler(echo, { maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
    expect(() => createDialectHandler(echo, { maxTargetLength: 0 })).toThrow(/maxTargetLength/);
  });
});
