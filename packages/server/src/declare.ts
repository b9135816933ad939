/**
 * @module declare — queues, topics and groups a config file asks for, created at start in each dialect's own terms.
 *
 * HOW: MNS and DMS objects are created through their own wire API (the same requests an SDK sends), on handlers
 * that are never exposed and check no signature, so every attribute means exactly what the service documents and
 * lands in the same core metadata as when a client creates it. RocketMQ has no management API: its topics and
 * consumer groups are declared through `declareTopic` / `declareConsumer`. Everything is idempotent, so the same
 * config can start the server again on the same data directory: an existing MNS queue or topic gets its
 * attributes set, an existing DMS queue (matched by name) gets only its missing groups.
 *
 * This runs before the serving handler is created: the DMS dialect loads its registry from the broker then.
 */
import type { Broker } from '@sluice/core';
import { createDmsHandler, type DmsOptions } from '@sluice/dms';
import {
  type DialectHandler,
  escapeXml,
  splitTarget,
  type WireRequest,
  type WireResponse,
} from '@sluice/http';
import { createMnsHandler, type MnsHandlerOptions } from '@sluice/mns';
import { createRocketMqHandler, type RocketMqOptions } from '@sluice/rocketmq';
import type { RocketMqLevelSettings } from './rocketmq-settings.js';

/** Attributes of an MNS queue or topic, by their XML element names (e.g. `VisibilityTimeout: 60`). */
export type MnsAttributes = Readonly<Record<string, string | number | boolean>>;

/** An MNS queue to create: its name and `<Queue>` attributes (DelaySeconds, VisibilityTimeout, ...). */
export interface MnsQueueDeclaration {
  readonly name: string;
  readonly attributes?: MnsAttributes;
}

/** An MNS topic to create, with its `<Topic>` attributes and queue subscriptions. */
export interface MnsTopicDeclaration {
  readonly name: string;
  readonly attributes?: MnsAttributes;
  readonly subscriptions?: readonly {
    readonly name: string;
    /** The MNS queue the subscription pushes to (it should be declared too). */
    readonly queue: string;
    readonly filterTag?: string;
    /** `XML`, `JSON` or `SIMPLIFIED`. Default `XML`. */
    readonly notifyContentFormat?: string;
  }[];
}

/**
 * A consumer group to create: its id (GID), `ordered: true` for a group consumed with `consumeMessageOrderly`, and
 * its own settings on this topic (`invisibility` for a normal group, `orderedInvisibility` for an ordered one).
 */
export interface RocketMqConsumerDeclaration extends Omit<RocketMqLevelSettings, 'retention'> {
  readonly name: string;
  readonly ordered?: boolean;
}

/**
 * A RocketMQ topic to create, in an instance (`ns`, default the default instance), with consumer groups, and the
 * settings of the topic (`retention`) and of every group on it, declared or not (see rocketmq-settings.ts).
 */
export interface RocketMqTopicDeclaration extends RocketMqLevelSettings {
  readonly name: string;
  readonly instance?: string;
  /** Consumer group ids (GID), or {@link RocketMqConsumerDeclaration}s. */
  readonly consumers?: readonly (string | RocketMqConsumerDeclaration)[];
}

/**
 * A DMS queue to create in a project: the `POST /v1.0/{project_id}/queues` body fields (`name`, `description`,
 * `queue_mode`, `redrive_policy`, `max_consume_count`, `retention_hours`) plus the names of its consumer groups.
 */
export interface DmsQueueDeclaration {
  readonly project: string;
  readonly name: string;
  readonly groups?: readonly string[];
  readonly [field: string]: unknown;
}

/** What to create at start, per dialect. */
export interface Declarations {
  readonly mns?: {
    readonly queues?: readonly MnsQueueDeclaration[];
    readonly topics?: readonly MnsTopicDeclaration[];
  };
  readonly rocketmq?: { readonly topics?: readonly RocketMqTopicDeclaration[] };
  readonly dms?: { readonly queues?: readonly DmsQueueDeclaration[] };
}

/** One created (or found) object, for the start-up report. */
export interface Declared {
  readonly dialect: 'mns' | 'rocketmq' | 'dms';
  /** A one-line description, e.g. `queue orders (project p): id 0f…, groups g1=g-…`. */
  readonly text: string;
}

const MNS_NS = 'http://mns.aliyuncs.com/doc/v1/';

function request(method: string, target: string, headers: Record<string, string>, body = ''): WireRequest {
  const { path, query } = splitTarget(target);
  return {
    method,
    target,
    path,
    query,
    headers: { host: 'localhost', ...headers },
    body: new TextEncoder().encode(body),
  };
}

async function call(handler: DialectHandler, req: WireRequest): Promise<WireResponse> {
  const response = await handler.wire(req, new AbortController().signal);
  if (response === undefined) throw new Error(`${req.method} ${req.target}: not answered`);
  return response;
}

const text = (r: WireResponse) => (typeof r.body === 'string' ? r.body : new TextDecoder().decode(r.body));

/** The `<Code>` and `<Message>` of an MNS error, for one-line reports. */
function mnsError(r: WireResponse): { code: string; message: string } {
  const body = text(r);
  return {
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? String(r.status),
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '',
  };
}

function xmlOf(root: string, attributes: MnsAttributes | undefined): string {
  let children = '';
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (!/^[A-Za-z]+$/.test(name)) throw new TypeError(`MNS attribute name "${name}" is not an element name`);
    children += `<${name}>${escapeXml(String(value))}</${name}>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${MNS_NS}">${children}</${root}>`;
}

const MNS_HEADERS = { 'x-mns-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };

/** Creates an MNS queue or topic; when it exists with other attributes, sets them instead. */
async function mnsPut(
  mns: DialectHandler,
  kind: 'queues' | 'topics',
  name: string,
  attributes?: MnsAttributes,
) {
  const root = kind === 'queues' ? 'Queue' : 'Topic';
  const target = `/${kind}/${encodeURIComponent(name)}`;
  const body = xmlOf(root, attributes);
  let r = await call(mns, request('PUT', target, MNS_HEADERS, body));
  if (r.status === 409) r = await call(mns, request('PUT', `${target}?metaoverride=true`, MNS_HEADERS, body));
  if (r.status >= 300) {
    const e = mnsError(r);
    throw new Error(`mns ${root.toLowerCase()} "${name}": ${e.code}: ${e.message}`);
  }
}

async function declareMns(
  broker: Broker,
  mnsDecl: NonNullable<Declarations['mns']>,
  options: MnsHandlerOptions,
  out: Declared[],
) {
  const mns = createMnsHandler(broker, options);
  for (const q of mnsDecl.queues ?? []) {
    await mnsPut(mns, 'queues', q.name, q.attributes);
    out.push({ dialect: 'mns', text: `queue ${q.name}` });
  }
  for (const t of mnsDecl.topics ?? []) {
    await mnsPut(mns, 'topics', t.name, t.attributes);
    const subs: string[] = [];
    for (const s of t.subscriptions ?? []) {
      const body = xmlOf('Subscription', {
        Endpoint: `acs:mns:local:1000000000000000:queues/${s.queue}`,
        ...(s.filterTag === undefined ? {} : { FilterTag: s.filterTag }),
        ...(s.notifyContentFormat === undefined ? {} : { NotifyContentFormat: s.notifyContentFormat }),
      });
      const target = `/topics/${encodeURIComponent(t.name)}/subscriptions/${encodeURIComponent(s.name)}`;
      const r = await call(mns, request('PUT', target, MNS_HEADERS, body));
      // 409: it exists with other attributes; a subscription's attributes are kept as they are.
      if (r.status >= 300 && r.status !== 409) {
        const e = mnsError(r);
        throw new Error(`mns subscription "${t.name}/${s.name}": ${e.code}: ${e.message}`);
      }
      subs.push(`${s.name} -> ${s.queue}`);
    }
    out.push({ dialect: 'mns', text: `topic ${t.name}${subs.length > 0 ? ` (${subs.join(', ')})` : ''}` });
  }
}

function declareRocketMq(
  broker: Broker,
  decl: NonNullable<Declarations['rocketmq']>,
  options: RocketMqOptions,
  out: Declared[],
) {
  // The serving handler's options: a declared topic or group gets the settings an auto-created one would.
  const mq = createRocketMqHandler(broker, options);
  for (const t of decl.topics ?? []) {
    const ns = t.instance ?? '';
    try {
      mq.declareTopic(t.name, ns);
      for (const c of t.consumers ?? []) {
        const { name, ordered = false } = typeof c === 'string' ? { name: c } : c;
        mq.declareConsumer(t.name, name, { ns, ordered });
      }
    } catch (error) {
      throw new Error(`rocketmq topic "${t.name}": ${(error as Error).message}`);
    }
    const consumers = (t.consumers ?? []).map((c) => (typeof c === 'string' ? c : c.name));
    out.push({
      dialect: 'rocketmq',
      text: `topic ${t.name}${ns === '' ? '' : ` (instance ${ns})`}${consumers.length > 0 ? `, consumers ${consumers.join(', ')}` : ''}`,
    });
  }
}

async function dmsJson(dms: DialectHandler, method: string, target: string, body?: unknown) {
  const r = await call(
    dms,
    request(
      method,
      target,
      { 'content-type': 'application/json' },
      body === undefined ? '' : JSON.stringify(body),
    ),
  );
  const json = JSON.parse(text(r) || 'null') as Record<string, unknown> | null;
  if (r.status >= 300) {
    const msg = (json?.['error_msg'] as string | undefined) ?? String(r.status);
    throw new Error(`${json?.['error_code'] ?? r.status}: ${msg}`);
  }
  return json ?? {};
}

async function declareDms(
  broker: Broker,
  decl: NonNullable<Declarations['dms']>,
  options: DmsOptions,
  out: Declared[],
) {
  const dms = createDmsHandler(broker, options);
  for (const { project, groups = [], ...fields } of decl.queues ?? []) {
    const where = `dms queue "${String(fields['name'])}" (project ${project})`;
    try {
      const base = `/v1.0/${encodeURIComponent(project)}/queues`;
      const list = (await dmsJson(dms, 'GET', base)) as { queues?: { id: string; name: string }[] };
      let id = list.queues?.find((q) => q.name === fields['name'])?.id;
      id ??= ((await dmsJson(dms, 'POST', base, fields)) as { id: string }).id;
      const groupsAt = `${base}/${id}/groups`;
      const have = (await dmsJson(dms, 'GET', groupsAt)) as { groups?: { id: string; name: string }[] };
      const ids = new Map((have.groups ?? []).map((g) => [g.name, g.id]));
      for (const name of groups) {
        if (ids.has(name)) continue;
        const made = (await dmsJson(dms, 'POST', groupsAt, { groups: [{ name }] })) as {
          groups: { id: string; name: string }[];
        };
        ids.set(name, made.groups[0]!.id);
      }
      const shown = groups.map((g) => `${g}=${ids.get(g)}`).join(', ');
      out.push({
        dialect: 'dms',
        text: `queue ${String(fields['name'])} (project ${project}): id ${id}${shown === '' ? '' : `, groups ${shown}`}`,
      });
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  }
}

/** The dialect options the objects are created with (those of the handler that will serve them). */
export interface DeclareOptions {
  readonly rocketmq?: RocketMqOptions;
  /** The MNS caps (queues, topics, subscriptions) the serving handler enforces. */
  readonly mns?: MnsHandlerOptions;
  /** The DMS quotas (queues, groups, projects) the serving handler enforces. */
  readonly dms?: DmsOptions;
}

/**
 * Creates everything `declarations` names on `broker` (see the module doc); throws an `Error` whose message names
 * the object and the service's error code when the service would refuse it.
 */
export async function declare(
  broker: Broker,
  declarations: Declarations,
  options: DeclareOptions = {},
): Promise<Declared[]> {
  const out: Declared[] = [];
  if (declarations.mns !== undefined) await declareMns(broker, declarations.mns, options.mns ?? {}, out);
  if (declarations.rocketmq !== undefined) {
    declareRocketMq(broker, declarations.rocketmq, options.rocketmq ?? {}, out);
  }
  if (declarations.dms !== undefined) await declareDms(broker, declarations.dms, options.dms ?? {}, out);
  return out;
}
