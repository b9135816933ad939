/**
 * @module body-budget — a server-wide budget of body bytes being read and decoded at once.
 *
 * WHY: a large body costs several times its size while it is read, decoded and parsed (bytes, text, decoded text);
 * sixteen 20 MiB bodies at once took 2.7 GB and starved every other request. A body of at least `largeBytes` takes
 * its size from the budget before its first byte is read and gives it back once its answer is ready; when the budget
 * is spent, it waits, unread (the client is held by TCP flow control), in arrival order. Smaller bodies never wait.
 * One body is always let in when nothing else holds the budget, so a budget smaller than a body cannot stall.
 * A body holding the budget must arrive at `minBytesPerSecond` on average (after a second's grace), or its connection
 * is cut: otherwise a few clients trickling large bodies would hold the whole budget and stall every other upload.
 */
import type { IncomingMessage } from 'node:http';

/** Gives back what {@link BodyBudget.acquire} took; calling it again does nothing. */
export type Release = () => void;

/** Options of {@link BodyBudget}. */
export interface BodyBudgetOptions {
  /** Most body bytes held at once (bodies of at least `largeBytes`). Default 64 MiB. */
  readonly maxBytes?: number;
  /** Bodies smaller than this never wait nor count. Default 1 MiB. */
  readonly largeBytes?: number;
  /** Slowest average a body holding the budget may arrive at, bytes per second; 0: no minimum. Default 64 KiB. */
  readonly minBytesPerSecond?: number;
}

/** Default of {@link BodyBudgetOptions.minBytesPerSecond}: 64 KiB/s. */
export const DEFAULT_MIN_BODY_BYTES_PER_SECOND = 64 * 1024;

/** Default of {@link BodyBudgetOptions.maxBytes}: 64 MiB. */
export const DEFAULT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;
/** Default of {@link BodyBudgetOptions.largeBytes}: 1 MiB. */
export const DEFAULT_LARGE_BODY_BYTES = 1024 * 1024;

const NOOP: Release = () => {};

/**
 * A budget of body bytes in flight, shared by every handler given it.
 * @example
 * const bodyBudget = new BodyBudget({ maxBytes: 64 * 1024 * 1024 });
 * createServer(createDialectHandler(wire, { bodyBudget }).node);
 */
export class BodyBudget {
  /** Most bytes held at once. */
  readonly maxBytes: number;
  /** Bodies smaller than this pass freely. */
  readonly largeBytes: number;
  /** Slowest average a body holding the budget may arrive at, bytes per second (0: none). */
  readonly minBytesPerSecond: number;
  #held = 0;
  readonly #waiting: { readonly bytes: number; readonly grant: (release: Release) => void }[] = [];

  constructor(options: BodyBudgetOptions = {}) {
    const {
      maxBytes = DEFAULT_BODY_BUDGET_BYTES,
      largeBytes = DEFAULT_LARGE_BODY_BYTES,
      minBytesPerSecond = DEFAULT_MIN_BODY_BYTES_PER_SECOND,
    } = options;
    if (!(Number.isInteger(minBytesPerSecond) && minBytesPerSecond >= 0))
      throw new TypeError('minBytesPerSecond must be a non-negative integer');
    this.minBytesPerSecond = minBytesPerSecond;
    if (!(Number.isInteger(maxBytes) && maxBytes >= 1))
      throw new TypeError('maxBytes must be a positive integer');
    if (!(Number.isInteger(largeBytes) && largeBytes >= 0))
      throw new TypeError('largeBytes must be a non-negative integer');
    this.maxBytes = maxBytes;
    this.largeBytes = largeBytes;
  }

  /**
   * Cuts `req`'s connection when its body arrives slower than `minBytesPerSecond` on average (checked each second,
   * after the first). Returns the function that stops watching (call it once the body is read).
   */
  watch(req: IncomingMessage): () => void {
    const min = this.minBytesPerSecond;
    if (min === 0 || req.complete) return NOOP;
    const socket = req.socket;
    const start = Date.now();
    const base = socket.bytesRead;
    const timer = setInterval(() => {
      const seconds = (Date.now() - start) / 1000;
      if (req.complete || socket.destroyed) clearInterval(timer);
      else if (seconds >= 1.5 && (socket.bytesRead - base) / seconds < min) {
        clearInterval(timer);
        socket.destroy();
      }
    }, 1000);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Bytes held right now. */
  get held(): number {
    return this.#held;
  }

  /** Bodies waiting for the budget right now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Takes `bytes` from the budget: a release at once when they fit (or are under `largeBytes`), otherwise a promise
   * of one, in arrival order. Give it back with the release once the body's answer is ready.
   */
  acquire(bytes: number): Release | Promise<Release> {
    if (bytes < this.largeBytes) return NOOP;
    if (this.#waiting.length === 0 && this.#fits(bytes)) return this.#take(bytes);
    return new Promise((grant) => this.#waiting.push({ bytes, grant }));
  }

  #fits(bytes: number): boolean {
    return this.#held === 0 || this.#held + bytes <= this.maxBytes;
  }

  #take(bytes: number): Release {
    this.#held += bytes;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#held -= bytes;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0]!.bytes)) {
      const next = this.#waiting.shift()!;
      next.grant(this.#take(next.bytes));
    }
  }
}
