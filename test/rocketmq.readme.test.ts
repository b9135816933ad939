/** @module rocketmq.readme.test — the example in packages/rocketmq/README.md runs as written (against the built packages). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('@sluice/rocketmq README', () => {
  it('example publishes, consumes with a tag filter, and acks through the official SDK', async () => {
    const readme = readFileSync(join(root, 'packages/rocketmq/README.md'), 'utf8');
    const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    // Only the port changes, so parallel runs do not collide on 8080.
    const code = example!.replaceAll('8080', String(await freePort()));
    // Inside test/ so '@sluice/*' and '@aliyunmq/mq-http-sdk' resolve like in an application.
    const dir = mkdtempSync(join(root, 'test/.rocketmq-readme-'));
    try {
      writeFileSync(join(dir, 'server.mjs'), code);
      const out = execFileSync(process.execPath, [join(dir, 'server.mjs')], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(out.trim()).toBe('{"id":42} order-42');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
