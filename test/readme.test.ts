/** The examples of the root README and the core README run as written (against the built packages). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('embedding example runs and prints the first job', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = /## Embedding[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    // Inside packages/core so that '@sluice/core' resolves to the built package itself.
    const dir = mkdtempSync(join(root, 'packages/core/.readme-'));
    try {
      writeFileSync(join(dir, 'example.mjs'), example!);
      const out = execFileSync(process.execPath, [join(dir, 'example.mjs')], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(out).toMatch(/^[0-9A-F]{32} resize 1 1$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('core README examples run and print what their comments say', () => {
    const readme = readFileSync(join(root, 'packages/core/README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const expected = [
      ['2', 'MessageNotExist'],
      ['order 1, order 2', 'order 2', '2'],
      ['survives a restart', "{ state: 'ok' }", '[]'],
    ];
    expect(blocks).toHaveLength(expected.length);
    const dir = mkdtempSync(join(root, 'packages/core/.readme-'));
    try {
      blocks.forEach((block, i) => {
        writeFileSync(join(dir, `example${i}.mjs`), block);
        const out = execFileSync(process.execPath, [join(dir, `example${i}.mjs`)], {
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect(out.trim().split('\n')).toEqual(expected[i]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
