/**
 * @module object-budget — the server-wide cap on objects (queues, topics, consumer groups, subscriptions), shared by
 * the dialect handlers of one server.
 *
 * Data flows one way: the server makes the budget and hands it to each dialect; each dialect adds the objects it
 * finds in the broker when its handler is made (so the count after a restart is what exists, not what this process
 * created), takes a place before it creates an object and gives it back when the object is deleted. Creation in the
 * broker is synchronous, so a check and the creation it allows run in one turn of the event loop: concurrent
 * requests cannot overshoot the cap.
 */

/** A count of objects with a ceiling. */
export interface ObjectBudget {
  /** Most objects allowed; `Infinity` for no cap. */
  readonly limit: number;
  /** Objects that exist now (across the dialects that share the budget). */
  readonly used: number;
  /** Takes `n` places; `false` (and nothing taken) when fewer than `n` are free. */
  take(n?: number): boolean;
  /** Gives back `n` places (objects deleted, or a creation that failed after {@link ObjectBudget.take}). */
  release(n?: number): void;
  /**
   * Counts `n` objects that already exist (found in the broker at start), whatever the limit: objects made before
   * the cap was lowered stay, and only new ones are refused until enough are deleted.
   */
  adopt(n: number): void;
}

/**
 * A budget of `limit` objects (an integer ≥ 0, or `Infinity`). Throws a `TypeError` for anything else.
 * @example
 * const objects = createObjectBudget(100_000);
 * createMnsHandler(broker, { objects });
 * createDmsHandler(broker, { objects }); // both count against the same 100,000
 */
export function createObjectBudget(limit = Number.POSITIVE_INFINITY): ObjectBudget {
  if (!(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 0))) {
    throw new TypeError('the object limit must be a non-negative integer or Infinity');
  }
  let used = 0;
  return {
    limit,
    get used() {
      return used;
    },
    take(n = 1) {
      if (used + n > limit) return false;
      used += n;
      return true;
    },
    release(n = 1) {
      used = Math.max(0, used - n);
    },
    adopt(n) {
      used += n;
    },
  };
}
