/** @module banner — the lines `sluice serve` prints once it listens: the endpoint, and how to point each SDK at it. */
import { resolve } from 'node:path';
import { isLoopback } from './options.js';
import {
  DIALECTS,
  type DialectAuth,
  type DialectName,
  dialectAuth,
  dialectTitle,
  type MetricsAccess,
} from './security.js';
import type { SluiceServer } from './server.js';

/**
 * The ready report. The first line is always `sluice listening on http://HOST:PORT` (scripts wait for it); then one
 * line per dialect, then health, storage, and how each dialect and `/metrics` authenticate.
 */
export function bannerLines(server: SluiceServer, warnings: readonly string[] = []): string[] {
  const { url, options } = server;
  const keys = options.accessKeys.length;
  const tokens = options.tokens.length;
  const id = keys > 0 ? options.accessKeys[0]!.accessKeyId : 'any-id';
  const secret = keys > 0 ? '<secret>' : 'any-secret';
  const served = (d: DialectName, line: string) =>
    options.dialects.includes(d)
      ? line
      : `${d.padEnd(9)} not served (--dialects ${options.dialects.join(',')})`;
  const lines = [
    `sluice listening on ${url}`,
    `  ${served('rocketmq', `rocketmq  ${url}  @aliyunmq/mq-http-sdk: new MQClient('${url}', '${id}', '${secret}'), instance id '' or any`)}`,
    `  ${served('mns', `mns       ${url}  @alicloud/mns: new MNSClient('<account id>', { endpoint: '${url}', accessKeyId: '${id}', accessKeySecret: '${secret}' })`)}`,
    `  ${served('dms', `dms       ${url}/v1.0/{project_id}/queues  huaweicloud-sdk-core: ClientBuilder().withEndpoint('${url}') with AK/SK${tokens > 0 ? ', or header X-Auth-Token' : ''}`)}`,
    `  health    ${url}/healthz   metrics ${url}/metrics`,
    options.memory
      ? '  storage   memory (lost on exit)'
      : `  storage   ${resolve(options.dataDir)} (fsync ${options.fsync})`,
    ...authLines(server),
  ];
  for (const d of server.declared) lines.push(`  created   ${d.dialect} ${d.text}`);
  for (const w of warnings) lines.push(`  repaired  ${w}`);
  return lines;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One `auth` line per dialect and one for `/metrics`, saying who may call; a warning line for `--insecure`. */
function authLines(server: SluiceServer): string[] {
  const { options } = server;
  const loopback = isLoopback(server.host);
  const keys = plural(options.accessKeys.length, 'access key');
  const tokens = plural(options.tokens.length, 'token');
  const open = loopback ? 'NOT authenticated (loopback only)' : 'NOT authenticated (--insecure)';
  const how: Record<DialectAuth, string> = {
    'not-served': 'not served',
    signatures: `signatures checked (${keys})`,
    tokens: `tokens (${tokens}), no AK/SK`,
    'tokens+signatures': `tokens + AK/SK (${tokens}, ${keys})`,
    none: open,
  };
  const lines = DIALECTS.map((d) => `  auth      ${dialectTitle(d)}: ${how[dialectAuth(options, d)]}`);
  const metrics: Record<MetricsAccess, string> = {
    'admin-token': 'admin token required (Authorization: Bearer)',
    refused: 'refused: no --admin-token (needed off loopback or with any credential)',
    open: loopback ? 'open (loopback, no credentials)' : 'open (--insecure)',
  };
  lines.push(`  auth      /metrics: ${metrics[options.metricsAccess]}`);
  const unauthenticated = options.dialects.filter((d) => dialectAuth(options, d) === 'none');
  if (!loopback && options.insecure && (unauthenticated.length > 0 || options.metricsAccess === 'open')) {
    const what = [
      ...unauthenticated.map(dialectTitle),
      ...(options.metricsAccess === 'open' ? ['/metrics'] : []),
    ];
    lines.push(`  WARNING   --insecure: ${what.join(', ')} open to anyone who can reach ${server.host}`);
  }
  return lines;
}
