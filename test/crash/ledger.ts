/**
 * @module crash/ledger — what the crash test knows for sure: every send tried and confirmed, every delivery, every
 * ack tried, confirmed or refused; and the invariants judged from them.
 *
 * Invariants (per consumer group):
 * - lost: a confirmed send that no ack was even tried for must be delivered in the final drain;
 * - resurrected: a message must never be delivered by a receive that began after an ack of it was confirmed;
 * - changed: a delivered body must match its own checksum, the body sent under its id, its MessageBodyMD5, and its
 *   message id must be the one its send was answered with (else bodies were swapped between messages);
 * - handle refused: an ack of a handle the server gave out, sent well before that delivery's visibility ends, must
 *   succeed — also across a restart, since deliveries are durable;
 * - server errors: a healthy server never answers 5xx, and never refuses a well-formed request of this test.
 */

/** The dialect of a message. */
export type DialectName = 'mns' | 'rocketmq' | 'dms';

/** One broken invariant, with what shows it. */
export interface Violation {
  readonly kind: 'lost' | 'resurrected' | 'changed' | 'handle refused' | 'server error';
  readonly group: string;
  readonly uid: string | undefined;
  readonly detail: string;
}

/** A delivery as a driver parsed it. */
export interface Delivered {
  readonly group: string;
  readonly uid: string | undefined;
  /** Content matches its own checksum. */
  readonly intact: boolean;
  /** Digest of the whole body. */
  readonly hash: string;
  /** The message id the server gave it (MNS, RocketMQ; DMS consume answers carry none). */
  readonly messageId: string | undefined;
  /** False when the answer's MessageBodyMD5 is not the MD5 of the body delivered. */
  readonly md5Ok: boolean;
  /** When the receive request that delivered it began, ms. */
  readonly receiveStart: number;
  /** In the final drain. */
  readonly drain: boolean;
  /** The start of the body as delivered, for the report. */
  readonly sample: string;
}

/** A handle to ack, and what decides whether the server must still honour it. */
export interface AckItem {
  readonly group: string;
  readonly uid: string;
  readonly handle: string;
  /** When the receive that gave the handle began, ms: the delivery's deadline is at least this + visibility. */
  readonly receiveStart: number;
  /** The group's visibility timeout, ms. */
  readonly visibilityMs: number;
  /** The server life that gave the handle out. */
  readonly life: number;
}

/** How close to a delivery's deadline an ack may be sent and still be judged (request transit, timer slack). */
const DEADLINE_MARGIN_MS = 500;

/** A body for the report: its length, head and tail (a body cut short or read from the wrong place shows there). */
const show = (text: string): string =>
  `${text.length} chars, ${JSON.stringify(text.slice(0, 60))}${text.length > 100 ? ` … ${JSON.stringify(text.slice(-40))}` : ''}`;

/** The test's knowledge; see the module doc. */
export class Ledger {
  /** Digest of every body a send was tried with, by uid. */
  readonly triedSends = new Map<string, { dialect: DialectName; hash: string }>();
  /** Confirmed sends by dialect: uid -> the message id the server answered (DMS: its id, unused). */
  readonly confirmedSends = new Map<DialectName, Map<string, string>>();
  readonly groups = new Map<DialectName, readonly string[]>();
  readonly ackTried = new Map<string, Set<string>>();
  /** When an ack was confirmed, by group and uid. */
  readonly ackConfirmed = new Map<string, Map<string, number>>();
  readonly drained = new Map<string, Set<string>>();
  readonly violations: Violation[] = [];
  /** Counters for the report. */
  readonly counts = new Map<string, number>();
  /** Message id <-> uid, as first learned (a confirmed send, or the first delivery of an unconfirmed one). */
  readonly #idOf = new Map<string, string>();
  readonly #uidOf = new Map<string, string>();

  constructor(groups: Readonly<Record<DialectName, readonly string[]>>) {
    for (const [dialect, names] of Object.entries(groups) as [DialectName, readonly string[]][]) {
      this.groups.set(dialect, names);
      this.confirmedSends.set(dialect, new Map());
      for (const g of names) {
        this.ackTried.set(g, new Set());
        this.ackConfirmed.set(g, new Map());
        this.drained.set(g, new Set());
      }
    }
  }

  /**
   * Messages of a dialect confirmed sent and not yet acked (tried) in its slowest group. Producers slow down while it
   * is high: a backlog that only grows would make the log mostly live data, and compaction wants dead data.
   */
  backlog(dialect: DialectName): number {
    const acked = Math.min(...this.groups.get(dialect)!.map((g) => this.ackTried.get(g)!.size));
    return this.confirmedSends.get(dialect)!.size - acked;
  }

  count(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }

  violate(v: Violation): void {
    this.violations.push(v);
  }

  /** Before a send goes out: it may be stored even if no answer comes. */
  sendTried(dialect: DialectName, uid: string, hash: string): void {
    this.triedSends.set(uid, { dialect, hash });
    this.count(`${dialect} sends tried`);
  }

  /** A send answered 2xx with this message id. */
  sendConfirmed(dialect: DialectName, uid: string, messageId: string): void {
    this.confirmedSends.get(dialect)!.set(uid, messageId);
    this.count(`${dialect} sends confirmed`);
    if (dialect !== 'dms') this.#bind(dialect, uid, messageId, 'send');
  }

  /** Binds a message id to a uid; a second, different binding means two messages' bodies were swapped. */
  #bind(group: string, uid: string, messageId: string, how: string): void {
    const id = this.#idOf.get(uid);
    const owner = this.#uidOf.get(messageId);
    if (id !== undefined && id !== messageId) {
      this.violate({
        kind: 'changed',
        group,
        uid,
        detail: `${how}: body of ${uid} under message id ${messageId}, sent as ${id}`,
      });
    } else if (owner !== undefined && owner !== uid) {
      this.violate({
        kind: 'changed',
        group,
        uid,
        detail: `${how}: message id ${messageId} (sent with ${owner}) now carries ${uid}`,
      });
    }
    if (id === undefined) this.#idOf.set(uid, messageId);
    if (owner === undefined) this.#uidOf.set(messageId, uid);
  }

  /** A delivery: judged for changed bodies and resurrection, and counted for the drain. */
  delivered(d: Delivered): void {
    this.count(d.drain ? `${d.group} drained` : `${d.group} delivered`);
    if (d.uid === undefined || !d.intact) {
      this.violate({
        kind: 'changed',
        group: d.group,
        uid: d.uid,
        detail: `body fails its own checksum (id ${d.messageId ?? '-'}): ${show(d.sample)}`,
      });
      return;
    }
    const sent = this.triedSends.get(d.uid);
    if (sent === undefined) {
      this.violate({
        kind: 'changed',
        group: d.group,
        uid: d.uid,
        detail: 'delivered an id this test never sent',
      });
    } else if (!this.groups.get(sent.dialect)!.includes(d.group)) {
      this.violate({
        kind: 'changed',
        group: d.group,
        uid: d.uid,
        detail: `delivered the body of a ${sent.dialect} message`,
      });
    } else if (sent.hash !== d.hash) {
      this.violate({
        kind: 'changed',
        group: d.group,
        uid: d.uid,
        detail: 'body differs from the one sent under this id',
      });
    }
    if (!d.md5Ok) {
      this.violate({
        kind: 'changed',
        group: d.group,
        uid: d.uid,
        detail: `MessageBodyMD5 does not match the body (id ${d.messageId})`,
      });
    }
    if (d.messageId !== undefined) this.#bind(d.group, d.uid, d.messageId, 'delivery');
    const ackedAt = this.ackConfirmed.get(d.group)!.get(d.uid);
    if (ackedAt !== undefined && d.receiveStart > ackedAt) {
      this.violate({
        kind: 'resurrected',
        group: d.group,
        uid: d.uid,
        detail: `delivered by a receive begun ${d.receiveStart - ackedAt} ms after its ack was confirmed${d.drain ? ' (final drain)' : ''}`,
      });
    }
    if (d.drain) this.drained.get(d.group)!.add(d.uid);
  }

  /** Before an ack goes out (in server life `life`): it may take effect even if no answer comes. */
  ackTriedFor(items: readonly AckItem[], life: number): void {
    for (const item of items) {
      this.ackTried.get(item.group)!.add(item.uid);
      if (item.life !== life) this.count('acks tried with the handle of an earlier life');
    }
    this.count('acks tried', items.length);
  }

  /** The server said this ack succeeded. */
  ackOk(item: AckItem, at: number): void {
    const map = this.ackConfirmed.get(item.group)!;
    if (!map.has(item.uid)) map.set(item.uid, at);
    this.count('acks confirmed');
  }

  /**
   * The server refused this ack: a violation when the handle was sent well within its delivery's visibility, or
   * when `invalid` (the server called a handle it gave out malformed or foreign, whatever its age).
   */
  ackRefused(item: AckItem, sentAt: number, code: string, life: number, invalid = false): void {
    this.count('acks refused');
    const slack = item.receiveStart + item.visibilityMs - DEADLINE_MARGIN_MS - sentAt;
    if (slack > 0 || invalid) {
      this.violate({
        kind: 'handle refused',
        group: item.group,
        uid: item.uid,
        detail: `${code} for a handle ${sentAt - item.receiveStart} ms old (visibility ${item.visibilityMs} ms), given in life ${item.life}, acked in life ${life}`,
      });
    }
  }

  /** A status this test must never get. */
  serverError(group: string, what: string, life?: number): void {
    this.violate({
      kind: 'server error',
      group,
      uid: undefined,
      detail: life === undefined ? what : `life ${life}: ${what}`,
    });
  }

  /** Judges the lost invariant once the drain is over. */
  judgeLost(): void {
    for (const [dialect, groups] of this.groups) {
      for (const group of groups) {
        const tried = this.ackTried.get(group)!;
        const drained = this.drained.get(group)!;
        for (const [uid, id] of this.confirmedSends.get(dialect)!) {
          if (tried.has(uid) || drained.has(uid)) continue;
          this.violate({
            kind: 'lost',
            group,
            uid,
            detail: `confirmed send (message id ${id}) never delivered in the drain, no ack tried`,
          });
        }
      }
    }
  }
}
