/**
 * What a crash image may hold. During a step, the harness writes down what each call did (as
 * observed), as records with absolute values, like the broker's own log: a message appended, a
 * delivery made (with its receive count and deadline), an ack, a delivery ended, an admin change.
 * When the image was taken in the middle of the step, each record of a call that had not resolved by
 * then may or may not be in it; time-driven changes are recomputed from the clock. {@link replayStep}
 * rebuilds, from the world as it was when the step began, every world the image may hold.
 */
import {
  advanceTo,
  appendMessage,
  type Ctx,
  dropWaiters,
  dueOf,
  finish,
  type SendInputModel,
} from './rules.js';
import { findGroup, type GroupRef, msgById, refName, showBody, type World } from './world.js';

interface Base {
  /** The call it belongs to (its answer tells it reached the disk). */
  readonly op: number;
  /** Wall time it happened. */
  readonly time: number;
}

export type Rec = Base &
  (
    | { readonly kind: 'append'; readonly topic: string; readonly input: SendInputModel; readonly id: string }
    | {
        readonly kind: 'deliver';
        readonly ref: GroupRef;
        readonly id: string;
        readonly receiveCount: number;
        readonly firstReceivedAt: number;
        readonly visibleAt: number;
        readonly handle: string;
      }
    | { readonly kind: 'ack'; readonly ref: GroupRef; readonly id: string }
    /** nack (visibleAt = time, no handle), changeVisibility (visibleAt = time + ms, the new handle) */
    | {
        readonly kind: 'deadline';
        readonly ref: GroupRef;
        readonly id: string;
        readonly visibleAt: number;
        readonly handle: string | null;
      }
    | { readonly kind: 'admin'; readonly what: string; readonly apply: (w: World, ctx: Ctx) => void }
  );

export function describeRec(rec: Rec): string {
  switch (rec.kind) {
    case 'append':
      return `append ${rec.id.slice(16)} (${showBody(rec.input.content.body)}) to ${rec.topic}`;
    case 'deliver':
      return `deliver ${rec.id.slice(16)} in ${refName(rec.ref)} (receiveCount ${rec.receiveCount}, visible at ${rec.visibleAt})`;
    case 'ack':
      return `ack ${rec.id.slice(16)} in ${refName(rec.ref)}`;
    case 'deadline':
      return `deadline of ${rec.id.slice(16)} in ${refName(rec.ref)} set to ${rec.visibleAt}`;
    case 'admin':
      return rec.what;
  }
}

/** Applies a record as the broker replays one: only where it still makes sense. */
function apply(w: World, rec: Rec, certain: boolean, ctx: Ctx): void {
  if (rec.kind === 'admin') {
    rec.apply(w, ctx);
    return;
  }
  if (rec.kind === 'append') {
    const t = w.topics.get(rec.topic);
    if (t === undefined || w.usedIds.has(rec.id)) return;
    appendMessage(
      w,
      t,
      rec.input.content,
      rec.id,
      rec.time,
      dueOf(t, rec.input, rec.time),
      `${ctx.label}, recovered`,
    );
    return;
  }
  const found = findGroup(w, rec.ref);
  if (found === undefined) return;
  const [t, g] = found;
  const m = msgById(t, rec.id);
  const s = m === undefined ? undefined : g.states.get(m.order);
  if (m === undefined || s === undefined) return;
  switch (rec.kind) {
    case 'deliver':
      s.state = 'inflight';
      s.receiveCount = rec.receiveCount;
      if (rec.firstReceivedAt > 0) s.firstReceivedAt = rec.firstReceivedAt;
      s.due = rec.visibleAt;
      // The caller has the handle only when the call answered before the crash.
      s.handle = certain ? rec.handle : null;
      return;
    case 'ack':
      finish(t, g, m.order, 'acked', ctx);
      return;
    case 'deadline':
      if (s.state !== 'inflight') return;
      s.due = rec.visibleAt;
      s.handle = certain ? rec.handle : null;
      s.returnCertain = certain && rec.visibleAt <= rec.time ? true : undefined;
      return;
  }
}

/**
 * Rebuilds in `w` (the world when the step began) what the image may hold: `certain` names the calls
 * that had resolved before the image; `choose` decides for the others, record by record.
 */
export function replayStep(
  w: World,
  recs: readonly Rec[],
  certain: ReadonlySet<number>,
  imageTime: number,
  ctx: Ctx,
): void {
  dropWaiters(w);
  const ordered = [...recs].sort((a, b) => a.time - b.time);
  for (const rec of ordered) {
    advanceTo(w, rec.time, ctx);
    const sure = certain.has(rec.op);
    if (!sure && ctx.choose(2) === 0) continue;
    apply(w, rec, sure, ctx);
  }
  advanceTo(w, imageTime, ctx);
}
