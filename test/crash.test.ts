/**
 * Crash recovery with real processes: a child runs a broker on `logStorage({ fsync: 'always' })` and
 * reports each confirmed send and ack (and each ack it is about to try); the parent kills it with
 * SIGKILL at a random moment, reopens the same directory in the next child, and at the end checks that
 * every confirmed send is still there unless an ack of it was tried, and that no confirmed ack ever
 * comes back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBroker, logStorage, manualClock } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';

const ROUNDS = 20;
const worker = fileURLToPath(new URL('./crash/worker.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sluice-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runUntilKilled(
  killAfterMs: number,
): Promise<{ sent: string[]; tried: string[]; acked: string[]; ready: boolean }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [worker, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sent: string[] = [];
    const tried: string[] = [];
    const acked: string[] = [];
    let ready = false;
    let pending = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!; // a line cut by the kill was never confirmed to us
      for (const line of lines) {
        if (line === 'ready') {
          ready = true;
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (line.startsWith('S ')) sent.push(line.slice(2));
        else if (line.startsWith('T ')) tried.push(line.slice(2));
        else if (line.startsWith('A ')) acked.push(line.slice(2));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ sent, tried, acked, ready });
      else reject(new Error(`worker exited with ${code}: ${stderr}`));
    });
  });
}

describe('crash recovery (kill -9)', () => {
  it(`loses no confirmed send and resurrects no confirmed ack over ${ROUNDS} kills`, async () => {
    const sent = new Set<string>();
    const tried = new Set<string>();
    const acked = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const result = await runUntilKilled(50 + Math.floor(Math.random() * 250));
      expect(result.ready, `round ${round}: the broker must reopen the directory`).toBe(true);
      for (const id of result.sent) sent.add(id);
      for (const id of result.tried) tried.add(id);
      for (const id of result.acked) acked.add(id);
    }
    expect(sent.size).toBeGreaterThan(100);
    expect(acked.size).toBeGreaterThan(10);

    // Far enough in the future that every delivery made before a kill has timed out.
    const clock = manualClock(Date.now() + 3_600_000);
    const broker = await createBroker({ clock, storage: logStorage({ dir }) });
    clock.advance(0);
    const queue = broker.queue('crash');
    const remaining = new Set<string>();
    for (;;) {
      const got = await queue.receive({ max: 1000 });
      if (got.length === 0) break;
      for (const d of got) remaining.add(d.id);
      await queue.ackBatch(got.map((d) => d.receiptHandle));
    }
    await broker.close();
    // An ack that was tried may have taken effect before the kill: only untried sends must remain.
    const lost = [...sent].filter((id) => !tried.has(id) && !remaining.has(id));
    const resurrected = [...acked].filter((id) => remaining.has(id));
    expect(lost).toEqual([]);
    expect(resurrected).toEqual([]);
  }, 120_000);
});
