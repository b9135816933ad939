/**
 * @module crash/compaction-watch — counts the compactions of a data directory from outside: each one that completes
 * leaves a new `snap-<n>.manifest` (written last, after its parts are fsynced and renamed into place).
 */
import { readdirSync } from 'node:fs';

/**
 * Polls `dir` until stopped. `manifests` holds every snapshot manifest seen (a completed compaction); `attempts`
 * every snapshot seen being written (`snap-<n>-<part>.log.tmp`), completed or not, so attempts that vanished without
 * a manifest tell of compactions that failed (or were cut by a kill).
 */
export class CompactionWatch {
  readonly manifests = new Set<string>();
  readonly attempts = new Set<string>();
  /** When each manifest was first seen, ms, in order. */
  readonly seenAt: number[] = [];
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    readonly dir: string,
    everyMs = 20,
  ) {
    this.#timer = setInterval(() => this.poll(), everyMs);
  }

  poll(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const writing = /^snap-(\d+)-\d+\.log\.tmp$/.exec(name);
      if (writing !== null) this.attempts.add(writing[1]!);
      if (/^snap-\d+\.manifest$/.test(name) && !this.manifests.has(name)) {
        this.manifests.add(name);
        this.seenAt.push(Date.now());
      }
    }
  }

  /** Snapshots seen being written that never got their manifest. */
  abandoned(): number {
    let n = 0;
    for (const base of this.attempts) if (!this.manifests.has(`snap-${base}.manifest`)) n++;
    return n;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.poll();
  }
}
