/** @module mns-server — an MNS handler over a fresh broker on 127.0.0.1:0, torn down for sure (for test/mns*.test.ts). */
import { type Broker, createBroker, type ManualClock, manualClock } from '@sluice/core';
import { createMnsHandler, type MnsHandlerOptions } from '@sluice/mns';
import { type Listening, listen } from './listen.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET } from './mns-clients.js';

/** A running MNS server. */
export interface MnsServer extends Listening {
  readonly broker: Broker;
  /** Set when started with `{ manual: true }`. */
  readonly clock: ManualClock | undefined;
  /** Closes the server, then the broker. */
  stop(): Promise<void>;
}

/**
 * Starts an MNS server with the test credentials (`open: true`: none, nothing authenticated). `manual: true` gives the broker a manual clock (visibility,
 * delay and expiry then move only with `clock.advance`; long polls too, so use the system clock for those).
 */
export async function startMns(
  options: MnsHandlerOptions & { manual?: boolean; open?: boolean } = {},
): Promise<MnsServer> {
  const { manual, open, ...handlerOptions } = options;
  const clock = manual ? manualClock(Date.now()) : undefined;
  const broker = await createBroker(clock === undefined ? {} : { clock });
  const handler = createMnsHandler(
    broker,
    open
      ? handlerOptions
      : {
          credentials: [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }],
          ...handlerOptions,
        },
  );
  const srv = await listen(handler.node);
  return {
    ...srv,
    broker,
    clock,
    async stop() {
      await srv.close();
      await broker.close();
    },
  };
}
