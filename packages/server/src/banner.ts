/** @module banner — the lines `sluice serve` prints once it listens: the endpoint, and how to point each SDK at it. */
import { resolve } from 'node:path';
import type { SluiceServer } from './server.js';

/**
 * The ready report. The first line is always `sluice listening on http://HOST:PORT` (scripts wait for it); then one
 * line per dialect, then health, storage and auth.
 */
export function bannerLines(server: SluiceServer, warnings: readonly string[] = []): string[] {
  const { url, options } = server;
  const keys = options.accessKeys.length;
  const tokens = options.tokens.length;
  const id = keys > 0 ? options.accessKeys[0]!.accessKeyId : 'any-id';
  const secret = keys > 0 ? '<secret>' : 'any-secret';
  const lines = [
    `sluice listening on ${url}`,
    `  rocketmq  ${url}  @aliyunmq/mq-http-sdk: new MQClient('${url}', '${id}', '${secret}'), instance id '' or any`,
    `  mns       ${url}  @alicloud/mns: new MNSClient('<account id>', { endpoint: '${url}', accessKeyId: '${id}', accessKeySecret: '${secret}' })`,
    `  dms       ${url}/v1.0/{project_id}/queues  huaweicloud-sdk-core: ClientBuilder().withEndpoint('${url}') with AK/SK${tokens > 0 ? ', or header X-Auth-Token' : ''}`,
    `  health    ${url}/healthz   metrics ${url}/metrics`,
    options.memory
      ? '  storage   memory (lost on exit)'
      : `  storage   ${resolve(options.dataDir)} (fsync ${options.fsync})`,
    keys + tokens === 0
      ? '  auth      off: signatures are not checked, any key works (add --access-key ID:SECRET to check them)'
      : `  auth      ${keys} access key${keys === 1 ? '' : 's'} checked in every dialect${tokens > 0 ? `, ${tokens} DMS token${tokens === 1 ? '' : 's'}` : ''}`,
  ];
  for (const d of server.declared) lines.push(`  created   ${d.dialect} ${d.text}`);
  for (const w of warnings) lines.push(`  repaired  ${w}`);
  return lines;
}
