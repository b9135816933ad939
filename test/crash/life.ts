/** @module crash/life — one run of the server between a start and its SIGKILL, as the load workers see it. */

/** One server life. Workers stop once `stopped` is set (the kill came). */
export interface Life {
  /** 1 for the first start. */
  readonly index: number;
  readonly url: string;
  stopped: boolean;
}

/** Waits `ms`. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
