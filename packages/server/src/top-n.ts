/**
 * @module top-n — keeps the `n` best items of a stream in O(log n) per item (a binary heap with the worst kept
 * item on top). With a total order the result does not depend on the order items arrive in.
 */

/** The `n` best items seen, by `better`. */
export class TopN<T> {
  readonly #heap: T[] = [];
  readonly #n: number;
  readonly #better: (a: T, b: T) => boolean;

  /** `better(a, b)`: true when `a` ranks before `b` (must be a strict total order for a deterministic result). */
  constructor(n: number, better: (a: T, b: T) => boolean) {
    this.#n = n;
    this.#better = better;
  }

  /** Items kept, in no order. */
  get items(): readonly T[] {
    return this.#heap;
  }

  /** Offers `item`: answers the item that is no longer kept (`item` itself, or the one it displaced), if any. */
  offer(item: T): T | undefined {
    const heap = this.#heap;
    if (heap.length < this.#n) {
      heap.push(item);
      this.#up(heap.length - 1);
      return undefined;
    }
    const worst = heap[0];
    if (worst === undefined || !this.#better(item, worst)) return item;
    heap[0] = item;
    this.#down(0);
    return worst;
  }

  /** True when `a` belongs nearer the top of the heap than `b` (it is worse). */
  #worse(a: T, b: T): boolean {
    return this.#better(b, a);
  }

  #up(at: number): void {
    const heap = this.#heap;
    const item = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#worse(item, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = item;
  }

  #down(at: number): void {
    const heap = this.#heap;
    const item = heap[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && this.#worse(heap[right]!, heap[left]!) ? right : left;
      if (!this.#worse(heap[child]!, item)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = item;
  }
}
