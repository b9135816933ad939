/**
 * @module recovery/repair — `repairLog`: what a damaged log still holds, and a log rebuilt from it.
 *
 * A broker refuses to open a damaged log (see `storage/read.ts`): a shortened history served silently is
 * worse than none. Repair is the explicit step that accepts the loss. It reads everything that can still
 * be read (a damaged manifest is stood in for by the newest snapshot whose parts are there; a damaged
 * file is read up to its damage; a missing segment is skipped; records about messages that are gone are
 * dropped), reports the damage and what is left, and only when asked writes that state as a new snapshot
 * in the same directory and moves every file it replaces into `damaged-<time>/`, where it stays until
 * the operator deletes it.
 */
import { createBroker } from '../broker.js';
import { LogStorage } from '../storage/log.js';
import type { Damage } from '../storage/scan.js';
import { type Clock, systemClock } from '../timer/clock.js';

/** Options of {@link repairLog}. */
export interface RepairOptions {
  /** Carry the repair out (default: only report what it would do). */
  apply?: boolean;
  /** The clock the state is read with (default the system clock). */
  clock?: Clock;
}

/** What {@link repairLog} found, and did. */
export interface RepairReport {
  /** Every damage read past, with its file (and offset): what a repair drops. Empty for a sound log. */
  readonly damage: readonly Damage[];
  /** What the readable part of the log holds: queues and topics, and messages stored. */
  readonly kept: { readonly queues: number; readonly topics: number; readonly messages: number };
  /** True when the repair was carried out. */
  readonly applied: boolean;
  /** Where the files the repair replaced were moved (when applied). */
  readonly backup: string | undefined;
}

/**
 * Reads the log in `dir` as far as it can be read and reports its damage; with `apply`, rewrites it from
 * what was read (see the module doc). A sound log is left as it is. Takes the directory's lock: no broker
 * may be using it.
 * @example
 * const report = await repairLog('./data');             // what a repair would drop
 * if (report.damage.length > 0) await repairLog('./data', { apply: true });
 */
export async function repairLog(dir: string, options: RepairOptions = {}): Promise<RepairReport> {
  const storage = new LogStorage({ dir, salvage: true, reserveBytes: 0 });
  const broker = await createBroker({ storage, clock: options.clock ?? systemClock });
  let applied = false;
  try {
    const queues = broker.listQueues();
    const topics = broker.listTopics();
    let messages = 0;
    for (const name of queues) messages += broker.queue(name).topic.stats().messages;
    for (const name of topics) messages += broker.topic(name).stats().messages;
    const damage = storage.salvaged;
    if (damage.length > 0 && options.apply === true) {
      await broker.compact();
      applied = true;
    }
    return {
      damage,
      kept: { queues: queues.length, topics: topics.length, messages },
      applied,
      backup: storage.backup,
    };
  } finally {
    await broker.close();
  }
}
