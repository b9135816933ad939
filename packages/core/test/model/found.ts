/**
 * Regression cases: the failures the model test found against the core of commit c2e37f0 (before the
 * storage was made trustworthy), each as the short command sequence it shrank to (after the usual setup,
 * see `setupCommands`), run on the same harness and checked by the same model. Each is named for the
 * behaviour it checks and the invariant it broke; `known` marks the bugs already reported when the test
 * was written (the others the model found). Random seeds may find them too; these keep each one checked.
 * The last ones (`RETENTION`) were written with retention for late groups (`keepConsumed`, `startAt`): they
 * pin its durable cases, which random runs reach only rarely.
 */

import {
  Advance,
  Compact,
  CompactDuring,
  Crash,
  CrashDuring,
  CreateGroup,
  CreateQueue,
  CreateTopic,
  DeleteGroup,
  DeleteTopic,
  type Pick,
  Receive,
  Reopen,
  Send,
  SetOptions,
  Settle,
  StepBack,
} from './commands.js';
import { appendedFrame, type GenInput } from './gen.js';
import type { StepCommand } from './harness.js';

export interface Found {
  readonly name: string;
  readonly invariant: string;
  readonly known: boolean;
  readonly commands: () => StepCommand[];
}

const msg = (text: string, extra: Partial<GenInput> = {}): GenInput => ({
  body: { bytes: Buffer.from(text) },
  ...extra,
});
const q1 = { topic: 'q1', group: '' };
const q2 = { topic: 'q2', group: '' };
const o1 = { topic: 'o1', group: '' };
const live0: Pick = { from: 'live', index: 0 };
const noGroupOptions = {
  vt: undefined,
  maxReceiveCount: 0,
  deadLetterQueue: undefined,
  ordered: false,
  tags: undefined,
};
const queueDefaults = {
  maxReceiveCount: 0,
  deadLetterQueue: undefined,
  retention: undefined,
  delay: 0,
  maxMessageSize: undefined,
  tags: undefined,
};

export const FOUND: readonly Found[] = [
  {
    name: 'a dead-letter queue naming the queue itself, or a topic, is refused by setOptions and createQueue',
    invariant: 'options',
    known: true,
    commands: () => [
      new SetOptions(q1, { deadLetterQueue: 'q1' }),
      new CreateQueue('q3', { ...queueDefaults, vt: 500, deadLetterQueue: 't1' }),
    ],
  },
  {
    name: 'a visibility timeout that passed while the broker was down is applied on open',
    invariant: 'I6 due work applied on open',
    known: true,
    commands: () => [new Send('q1', [msg('x')], false), new Receive(q1, 1, undefined, 0), new Reopen(3000)],
  },
  {
    name: 'a message past its retention is expired on open (never delivered), and counted',
    invariant: 'I6 due work applied on open / I2 nothing comes back',
    known: true,
    commands: () => [
      new Send('t1', [msg('old')], false),
      new Crash(25_000),
      new Receive({ topic: 't1', group: 'g1' }, 1, undefined, 0),
    ],
  },
  {
    name: 'acked, dead-lettered and expired counters survive compaction + restart (dead letters stay dead letters)',
    invariant: 'I5 stats',
    known: true,
    commands: () => [
      new Send('q1', [msg('acked')], false),
      new Receive(q1, 1, undefined, 0),
      new Settle('ack', live0, undefined),
      new Send('q2', [msg('poison')], false),
      new Receive(q2, 1, undefined, 0),
      new Advance(500),
      new Send('t1', [msg('expires', { tag: 'a' })], false),
      new Advance(20_000),
      new Compact('await'),
      new Reopen(0),
    ],
  },
  {
    name: 'receipt handles survive compaction + restart',
    invariant: 'I3 handles',
    known: true,
    // The first message's slot is freed without touching a counter (its only group is deleted).
    commands: () => [
      new CreateGroup('t2', 'g1', noGroupOptions),
      new Send('t2', [msg('freed'), msg('kept', { tag: 'b' })], true),
      new CreateGroup('t2', 'g2', { ...noGroupOptions, tags: ['b'] }),
      new DeleteGroup('t2', 'g1'),
      new Receive({ topic: 't2', group: 'g2' }, 1, undefined, 0),
      new Compact('await'),
      new Reopen(0),
      new Settle('ack', live0, undefined),
    ],
  },
  {
    name: 'a message kept for groups to come survives a snapshot',
    invariant: 'I1 acknowledged is durable',
    known: true,
    commands: () => [
      new Send('t2', [msg('waiting', { tag: 'c' })], false),
      new CreateGroup('t2', 'g1', { ...noGroupOptions, tags: ['a'] }),
      new Compact('await'),
      new Reopen(0),
    ],
  },
  {
    name: 'close during a compaction loses nothing (queues, groups, messages)',
    invariant: 'I1 acknowledged is durable',
    known: true,
    commands: () => [new Send('q1', [msg('kept')], false), new CompactDuring(new Reopen(0))],
  },
  {
    name: 'message bodies stay their own across compactions (no file id is reused)',
    invariant: 'I1 acknowledged is durable',
    known: true,
    commands: () => [
      new Send(
        't1',
        [
          msg('\0\0\0\0\0\0', { tag: 'a', keys: [] }),
          msg('', { tag: 'a', groupKey: 'k1' }),
          msg('', { groupKey: 'k1' }),
        ],
        true,
      ),
      new Compact('await'),
      new Compact('await'),
      new Compact('await'),
      new Send('q1', [msg('\0', { tag: 'a' })], true),
      new Compact('await'),
    ],
  },
  {
    name: 'an ordered long poll is woken when an ack frees its key',
    invariant: 'I4 answers',
    known: true,
    commands: () => [
      new Send('o1', [msg('1', { groupKey: 'k1' }), msg('2', { groupKey: 'k1' })], true),
      new Receive(o1, 1, undefined, 0),
      new Receive(o1, 1, undefined, 5000),
      new Settle('ack', live0, undefined),
    ],
  },
  {
    name: 'after the clock steps back, a visibility timeout set afterwards fires on time',
    invariant: 'I5 stats / I4 answers',
    known: true,
    commands: () => [
      new StepBack(3000),
      new Send('q1', [msg('x')], false),
      new Receive(q1, 1, 500, 0),
      new Advance(500),
    ],
  },
  {
    name: 'after the clock steps back, a first receive of a message published "later" is dated when it was published',
    invariant: 'I4 answers',
    known: false,
    commands: () => [new Send('q1', [msg('x')], false), new StepBack(2), new Receive(q1, 1, undefined, 0)],
  },
  {
    name: 'a dead-letter queue set back to none stays none after a reopen',
    invariant: 'options',
    known: false,
    commands: () => [new SetOptions(q1, { deadLetterQueue: null }), new Reopen(0)],
  },
  {
    name: 'a crash tearing createQueue leaves no half-created queue: it can be created again, and dead letters go into it',
    invariant: 'I1 acknowledged is durable (atomicity)',
    known: false,
    commands: () => [
      new CrashDuring(
        { nth: 1, target: 'any', torn: 539 },
        new CreateQueue('q3', { ...queueDefaults, vt: 500 }),
        0,
      ),
      new CreateQueue('q3', { ...queueDefaults, vt: 500, deadLetterQueue: 'q1' }),
    ],
  },
  {
    name: 'a torn write cut inside a body that holds a log frame is cut: no phantom message appears',
    invariant: 'I2 nothing comes back',
    known: false,
    commands: () => [
      new CrashDuring(
        { nth: 1, target: 'any', torn: 850 },
        new Send('q1', [{ body: { bytes: Buffer.concat([appendedFrame(1, 6), Buffer.alloc(60)]) } }], false),
        0,
      ),
    ],
  },
  {
    name: 'what fell due while the broker was down is applied in due order: a message whose deadline passed before its retention is dead-lettered, not expired',
    invariant: 'I6 due work applied on open (semantics chosen by the model)',
    known: false,
    commands: () => [
      new Send('q2', [msg('poison')], false),
      new Receive(q2, 1, undefined, 0),
      new Send('q2', [msg('other')], false),
      new Reopen(25_000),
    ],
  },
  // Found by `pnpm soak` once the cases above passed.
  {
    name: 'a deadline at the same instant as its message’s retention: retention comes first, the message expires',
    invariant: 'I5 stats',
    known: false,
    commands: () => [
      new Send('q2', [msg('x', { tag: 'a' })], false),
      new Advance(5000),
      new Receive(q2, 1, 1000, 500),
      new Advance(1000),
    ],
  },
  {
    name: 'after the clock stepped back and a crash, a delay set then ends on time',
    invariant: 'I5 stats',
    known: false,
    commands: () => [
      new StepBack(2),
      new Crash(0),
      new Send('q1', [msg('', { tag: 'a', delay: 1 })], true),
      new Advance(1),
    ],
  },
  {
    name: 'a delayed message seen visible stays visible after a restart with the clock stepped back',
    invariant: 'I6 due work applied on open',
    known: false,
    commands: () => [
      new Send('q1', [msg('', { delay: 1 })], true),
      new Reopen(1),
      new StepBack(1),
      new Reopen(0),
    ],
  },
  {
    name: 'after the clock stepped back, a deadline that passed before retention while down dead-letters the message',
    invariant: 'I5 stats / I1 acknowledged is durable',
    known: false,
    commands: () => [
      new StepBack(2565),
      new StepBack(3436),
      new Send('q2', [msg('', { tag: 'a', groupKey: 'k1' })], false),
      new Receive(q2, 1, undefined, 0),
      new Reopen(25_000),
    ],
  },
  ...RETENTION(),
];

/** Late groups and retention, across compaction, restart and crash (see the module doc). */
function RETENTION(): Found[] {
  const t2g1 = { topic: 't2', group: 'g1' };
  const t2g2 = { topic: 't2', group: 'g2' };
  return [
    {
      name: 'a group created after another acked a message, or filtered it out, receives both, after compaction + restart',
      invariant: 'I1 acknowledged is durable',
      known: false,
      commands: () => [
        new CreateGroup('t2', 'g1', { ...noGroupOptions, tags: ['a'] }),
        new Send('t2', [msg('acked', { tag: 'a' }), msg('filtered', { tag: 'c' })], true),
        new Receive(t2g1, 1, undefined, 0),
        new Settle('ack', live0, undefined),
        new Compact('await'),
        new Reopen(0),
        new CreateGroup('t2', 'g2', noGroupOptions),
        new Receive(t2g2, 2, undefined, 0),
        new Crash(0),
        new CreateGroup('t2', 'g3', noGroupOptions),
      ],
    },
    {
      name: "a 'latest' group is never backfilled: not when created, not after compaction + restart or a crash",
      invariant: 'I2 nothing comes back',
      known: false,
      commands: () => [
        new Send('t2', [msg('before')], false),
        new CreateGroup('t2', 'g1', { ...noGroupOptions, startAt: 'latest' }),
        new Send('t2', [msg('after')], false),
        new Compact('await'),
        new Reopen(0),
        new Crash(0),
        new CreateGroup('t2', 'g2', { ...noGroupOptions, startAt: 'latest' }),
        new Compact('await'),
        new Crash(0),
        new Send('t2', [msg('later')], false),
        new Receive(t2g2, 2, undefined, 0),
      ],
    },
    {
      name: 'a message every group acked, past its retention, never comes back (after compaction, restart, a new group)',
      invariant: 'I2 nothing comes back',
      known: false,
      commands: () => [
        new Send('t1', [msg('old')], false),
        new Receive({ topic: 't1', group: 'g1' }, 1, undefined, 0),
        new Settle('ack', live0, undefined),
        new Compact('await'),
        new Advance(21_000),
        new Crash(0),
        new DeleteGroup('t1', 'g2'),
        new CreateGroup('t1', 'g2', noGroupOptions),
        new Compact('await'),
        new Reopen(0),
      ],
    },
    {
      name: 'a topic without keepConsumed frees a message once its groups are done: a later group does not get it',
      invariant: 'I2 nothing comes back',
      known: false,
      commands: () => [
        new DeleteTopic('t2'),
        new CreateTopic('t2', undefined, false),
        new CreateGroup('t2', 'g1', { ...noGroupOptions, tags: ['a'] }),
        new Send('t2', [msg('done', { tag: 'a' }), msg('nobody', { tag: 'c' })], true),
        new Receive(t2g1, 1, undefined, 0),
        new Settle('ack', live0, undefined),
        new Compact('await'),
        new Reopen(0),
        new CreateGroup('t2', 'g2', noGroupOptions),
      ],
    },
  ];
}
