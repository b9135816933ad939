/**
 * @module crash/workers — the load of one server life (producers and consumers per dialect) and the final drain.
 *
 * A consumer acks most deliveries at once, some after a delay of up to 1.5 s (so acks cross kills: what is still
 * waiting at the kill is acked first thing in the next life, with the handle of the previous one), and leaves some
 * to time out and come back.
 */
import type { Driver } from './driver.js';
import type { AckItem, Ledger } from './ledger.js';
import { type Life, pause } from './life.js';
import type { Rng } from './rng.js';

/** Handles waiting to be acked when their life ended, by group: the next life acks them first. */
export type CarryOver = Map<string, AckItem[]>;

async function ackAll(driver: Driver, life: Life, items: readonly AckItem[]): Promise<AckItem[]> {
  const failed: AckItem[] = [];
  for (let i = 0; i < items.length; i += driver.maxAck) {
    failed.push(...(await driver.ack(life, items.slice(i, i + driver.maxAck))));
  }
  return failed;
}

/** Messages of a dialect sent and not yet acked above which its producers slow down. */
const MAX_BACKLOG = 300;

async function producer(driver: Driver, life: Life, ledger: Ledger): Promise<void> {
  while (!life.stopped) {
    // Slowed, never stopped: messages storage lost are never acked, and the load must go on regardless.
    if (ledger.backlog(driver.dialect) > MAX_BACKLOG) await pause(100);
    if (!life.stopped) await driver.send(life);
  }
}

/** Acks what the previous life left waiting, with that life's handles: a restart must not break them. */
export async function ackCarried(driver: Driver, life: Life, group: string, carry: CarryOver): Promise<void> {
  const carried = carry.get(group) ?? [];
  carry.delete(group);
  if (carried.length > 0) await ackAll(driver, life, carried);
}

async function consumer(
  driver: Driver,
  life: Life,
  group: string,
  rng: Rng,
  carry: CarryOver,
): Promise<void> {
  let later: { item: AckItem; due: number }[] = [];
  try {
    await ackCarried(driver, life, group, carry);
    while (!life.stopped) {
      const got = await driver.receive(life, group, false);
      const now: AckItem[] = [];
      for (const item of got) {
        const r = rng.next();
        if (r < 0.65) now.push(item);
        else if (r < 0.9) later.push({ item, due: Date.now() + rng.int(0, 1500) });
        // else: never acked here; it comes back after its visibility timeout.
      }
      const t = Date.now();
      now.push(...later.filter((l) => l.due <= t).map((l) => l.item));
      later = later.filter((l) => l.due > t);
      if (now.length > 0) await ackAll(driver, life, now);
    }
  } finally {
    // The kill came first: these were never tried; the next life acks them with this life's handles.
    if (later.length > 0) carry.set(group, [...(carry.get(group) ?? []), ...later.map((l) => l.item)]);
  }
}

/** Runs the load of one life until `life.stopped`; resolves once every worker has noticed. */
export async function runLoad(
  drivers: readonly Driver[],
  life: Life,
  ledger: Ledger,
  rng: Rng,
  carry: CarryOver,
  { producers = 3, consumers = 2 } = {},
): Promise<void> {
  const workers: Promise<void>[] = [];
  for (const driver of drivers) {
    for (let i = 0; i < producers; i++) workers.push(producer(driver, life, ledger));
    for (const group of driver.groups) {
      for (let i = 0; i < consumers; i++) workers.push(consumer(driver, life, group, rng, carry));
    }
  }
  await Promise.all(workers);
}

/**
 * Receives and acks everything of one group until nothing is left: it stops at the first empty receive begun after
 * `quietFrom` (by then every delivery made before the last kill has timed out), or at `deadline`.
 */
export async function drainGroup(
  driver: Driver,
  life: Life,
  group: string,
  ledger: Ledger,
  quietFrom: number,
  deadline: number,
): Promise<void> {
  let quiet = quietFrom;
  for (;;) {
    const start = Date.now();
    const got = await driver.receive(life, group, true);
    if (got.length > 0) {
      const failed = await ackAll(driver, life, got);
      // A drain ack that failed leaves its message to come back after the visibility timeout: wait for it.
      if (failed.length > 0) quiet = Math.max(quiet, Date.now() + driver.visibilityMs(group) + 1000);
    } else if (start >= quiet) {
      return;
    }
    if (Date.now() > deadline) {
      ledger.serverError(group, `drain still receiving messages at its deadline`);
      return;
    }
    if (got.length === 0) await pause(50);
  }
}
