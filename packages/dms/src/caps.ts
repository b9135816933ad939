/**
 * @module caps — the quotas of DMS objects: queues per project, projects, groups per queue, and the server-wide
 * budget. The registry asks here before it creates anything; the counts themselves are the registry's maps (what
 * exists, rebuilt from the broker at start), so nothing has to be kept in step but the server-wide budget.
 *
 * Project ids are free: without a cap on projects, 200 ids would make 200 queue quotas. A project counts while it
 * has at least one queue.
 */
import type { ObjectBudget } from '@sluice/http';
import { DmsCode, dmsError } from './errors.js';

/** The limits one DMS handler enforces. */
export interface DmsLimits {
  readonly maxQueuesPerProject: number;
  readonly maxGroupsPerQueue: number;
  readonly maxProjects: number;
  /** The server-wide budget shared with other dialects, if any. */
  readonly objects: ObjectBudget | undefined;
}

/** No limits at all (a registry used on its own). */
const UNLIMITED: DmsLimits = {
  maxQueuesPerProject: Number.POSITIVE_INFINITY,
  maxGroupsPerQueue: Number.POSITIVE_INFINITY,
  maxProjects: Number.POSITIVE_INFINITY,
  objects: undefined,
};

/** Checks every creation against the limits, and keeps the server-wide budget. */
export class DmsCaps {
  readonly #limits: DmsLimits;

  constructor(limits: DmsLimits = UNLIMITED) {
    this.#limits = limits;
  }

  /** Counts objects found in the broker at start. */
  adopt(objects: number): void {
    this.#limits.objects?.adopt(objects);
  }

  /**
   * Runs `create` (a queue in a project that has `queues` of them, while `projects` projects have any) if every
   * limit leaves room; else 400 `10240020`, the quota error.
   */
  queue<T>(queues: number, projects: number, create: () => T): T {
    const { maxQueuesPerProject, maxProjects } = this.#limits;
    if (queues >= maxQueuesPerProject) {
      throw dmsError(DmsCode.QueueQuota, `The queue quota (${maxQueuesPerProject}) has been used up.`);
    }
    if (queues === 0 && projects >= maxProjects) {
      throw dmsError(
        DmsCode.QueueQuota,
        `The queue quota has been used up: the server holds queues of its limit of ${maxProjects} projects.`,
      );
    }
    return this.#admit(1, DmsCode.QueueQuota, 'queue', create);
  }

  /** Runs `create` (`n` more groups on a queue that has `groups`) if there is room; else 400 `10240019`. */
  groups<T>(groups: number, n: number, create: () => T): T {
    const max = this.#limits.maxGroupsPerQueue;
    if (groups + n > max) {
      throw dmsError(DmsCode.TooManyGroups, `A queue can have at most ${max} consumer groups.`);
    }
    return this.#admit(n, DmsCode.TooManyGroups, 'consumer group', create);
  }

  /** `n` objects were deleted. */
  release(n: number): void {
    this.#limits.objects?.release(n);
  }

  /** Takes `n` server-wide places for `create`, and gives them back if `create` throws. */
  #admit<T>(n: number, code: DmsCode, what: string, create: () => T): T {
    const objects = this.#limits.objects;
    if (objects !== undefined && !objects.take(n)) {
      throw dmsError(
        code,
        `The ${what} quota has been used up: the server holds its limit of ${objects.limit} objects.`,
      );
    }
    try {
      return create();
    } catch (error) {
      objects?.release(n);
      throw error;
    }
  }
}
