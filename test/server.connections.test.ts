/**
 * @module server.connections.test — the connection guard against slow clients, over real loopback sockets (many
 * clients emulated with source addresses 127.0.0.2…): slowloris heads and idle connections past the connection
 * limit while a probe keeps working (its latency printed), slow heads and bodies cut within their timeouts, idle
 * keep-alive kept until its own timeout, long polls never cut, and the per-address limit.
 */
import type { Socket } from 'node:net';
import { type SluiceServer, startServer } from '@sluice/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawConnect } from './helpers/raw-http.js';

const LIMITS = {
  maxConnections: 50,
  maxConnectionsPerAddress: 10,
  headersTimeout: 1000,
  requestTimeout: 2000,
  keepAliveTimeout: 2500,
};
let server: SluiceServer;
beforeAll(async () => {
  server = await startServer({ port: 0, memory: true, ...LIMITS });
});
afterAll(() => server.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Milliseconds from now until `socket` closes (rejects after `within`). */
function closesWithin(socket: Socket, within: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve(0);
    const timer = setTimeout(() => reject(new Error(`still open after ${within} ms`)), within);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - start);
    });
  });
}

describe('connection guard', () => {
  it('keeps a probe working while slowloris clients flood past the connection limit', async () => {
    const attackers = new Set<Socket>();
    let stop = false;
    let opened = 0;
    // One slow client: connects from `address`, then trickles a head forever (or sends nothing); reconnects when cut.
    const slowClient = async (address: string, trickle: boolean): Promise<void> => {
      while (!stop) {
        let conn: Awaited<ReturnType<typeof rawConnect>>;
        try {
          conn = await rawConnect(server.port, address);
        } catch {
          await sleep(20);
          continue;
        }
        opened++;
        attackers.add(conn.socket);
        let timer: NodeJS.Timeout | undefined;
        if (trickle) {
          conn.socket.write('GET /healthz HTTP/1.1\r\n');
          timer = setInterval(() => conn.socket.write('x-slow: 1\r\n'), 100);
        }
        await conn.closed;
        clearInterval(timer);
        attackers.delete(conn.socket);
        await sleep(20);
      }
    };
    // 12 addresses x 6 clients = 72 slow clients against 50 slots, and one address trying 14 against its 10.
    const clients: Promise<void>[] = [];
    for (let a = 2; a < 14; a++) {
      for (let k = 0; k < (a === 2 ? 14 : 6); k++) clients.push(slowClient(`127.0.0.${a}`, k % 2 === 0));
    }
    await sleep(300);

    const latencies: number[] = [];
    const failures: string[] = [];
    const until = performance.now() + 3000;
    // The probe alternates /healthz and a RocketMQ publish (through the whole dialect stack).
    const probes = [
      () => fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) }),
      () =>
        fetch(`${server.url}/topics/probe/messages`, {
          method: 'POST',
          headers: { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' },
          body: '<Message><MessageBody>probe</MessageBody></Message>',
          signal: AbortSignal.timeout(2000),
        }),
    ];
    const expected = [200, 201];
    while (performance.now() < until) {
      const start = performance.now();
      const k = latencies.length % 2;
      try {
        const r = await probes[k]!();
        await r.text();
        if (r.status !== expected[k]) failures.push(`status ${r.status}`);
      } catch (error) {
        failures.push(String(error));
      }
      latencies.push(performance.now() - start);
      await sleep(25);
    }
    stop = true;
    const stats = server.connections.stats();
    for (const s of attackers) s.destroy();
    await Promise.all(clients);

    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(
      `probe under slowloris (/healthz and RocketMQ publish): ${latencies.length} requests, ${failures.length} failed, latency p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${at(1).toFixed(1)} ms; slow connections opened ${opened}, evicted ${stats.evicted}, refused per address ${stats.refusedPerAddress}, refused full ${stats.refusedFull}`,
    );
    expect(failures).toEqual([]);
    expect(latencies.length).toBeGreaterThan(10);
    expect(stats.evicted).toBeGreaterThan(0);
    expect(stats.refusedPerAddress).toBeGreaterThan(0);
    expect(stats.open).toBeLessThanOrEqual(LIMITS.maxConnections);
  }, 20_000);

  it('cuts a silent connection, a trickled head and a trickled body within their timeouts', async () => {
    const silent = await rawConnect(server.port);
    const head = await rawConnect(server.port);
    head.socket.write('POST /v1.0/p0123456789/queues HTTP/1.1\r\n');
    const headTimer = setInterval(() => head.socket.write('x-slow: 1\r\n'), 100);
    const body = await rawConnect(server.port);
    body.socket.write(
      'POST /v1.0/p0123456789/queues HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{',
    );
    const bodyTimer = setInterval(() => body.socket.write(' '), 100);
    try {
      // Each within its timeout plus node's check interval (a quarter of the head timeout) and some slack.
      const [a, b, c] = await Promise.all([
        closesWithin(silent.socket, LIMITS.headersTimeout + 1000),
        closesWithin(head.socket, LIMITS.headersTimeout + 1000),
        closesWithin(body.socket, LIMITS.requestTimeout + 1000),
      ]);
      console.log(
        `closed after: silent ${a.toFixed(0)} ms, trickled head ${b.toFixed(0)} ms, trickled body ${c.toFixed(0)} ms`,
      );
      expect(c).toBeGreaterThan(LIMITS.headersTimeout);
    } finally {
      clearInterval(headTimer);
      clearInterval(bodyTimer);
    }
  });

  it('keeps an idle keep-alive connection past the head timeout, until its own timeout', async () => {
    const conn = await rawConnect(server.port);
    conn.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    expect((await conn.next()).status).toBe(200);
    await sleep(LIMITS.headersTimeout + 500);
    expect(conn.socket.destroyed).toBe(false);
    // Still usable: the SDKs reuse kept-alive connections.
    conn.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    expect((await conn.next()).status).toBe(200);
    const closedAfter = await closesWithin(conn.socket, LIMITS.keepAliveTimeout + 2000);
    expect(closedAfter).toBeGreaterThan(LIMITS.keepAliveTimeout - 500);
  });

  it('never cuts a long poll: a request being answered is not a slow client', async () => {
    const conn = await rawConnect(server.port);
    const start = performance.now();
    conn.socket.write(
      'GET /topics/lp/messages?consumer=GID_lp&numOfMessages=1&waitseconds=3 HTTP/1.1\r\nhost: x\r\nx-mq-version: 2015-06-06\r\n\r\n',
    );
    const answer = await conn.next(6000);
    const waited = performance.now() - start;
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('MessageNotExist');
    expect(waited).toBeGreaterThan(LIMITS.requestTimeout);
    conn.socket.destroy();
  });

  it('holds one address to its limit while other addresses still get in', async () => {
    const mine = [];
    for (let k = 0; k < LIMITS.maxConnectionsPerAddress; k++)
      mine.push(await rawConnect(server.port, '127.0.0.99'));
    const extra = await rawConnect(server.port, '127.0.0.99');
    await closesWithin(extra.socket, 500);
    for (const c of mine) expect(c.socket.destroyed).toBe(false);
    const other = await rawConnect(server.port, '127.0.0.98');
    other.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    expect((await other.next()).status).toBe(200);
    for (const c of [...mine, other]) c.socket.destroy();
  });
});
