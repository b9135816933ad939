/** @module fault — a protocol failure carrying its wire status and code, thrown inside an operation and rendered once. */

/**
 * The base of each dialect's own failure class (MNS `MnsFault`, DMS `DmsError`): the HTTP status and the service's
 * error code travel with the message, and the dialect's handler renders them in its own body shape.
 */
export class WireFault extends Error {
  override name = 'WireFault';
  /** HTTP status. */
  readonly status: number;
  /** The service's error code. */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
