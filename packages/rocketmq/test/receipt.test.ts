/** @module receipt.test — handle format: kinds, tokens, and what is refused. */
import { describe, expect, it } from 'vitest';
import { formatHandle, HandleKind, parseHandle } from '../src/receipt.js';

const ID = '0123456789ABCDEF0123456789ABCDEF';
const CORE = 'AbCdEfGhIjKlMnOpQrStUvWxYz012-_9';

describe('receipt handles', () => {
  it('round-trips every kind', () => {
    for (const kind of [HandleKind.Normal, HandleKind.Ordered, HandleKind.Check]) {
      expect(parseHandle(formatHandle(ID, kind, CORE))).toEqual({ messageId: ID, kind, token: CORE });
    }
    const nonce = 'A'.repeat(22);
    expect(parseHandle(formatHandle(ID, HandleKind.Publish, nonce))).toEqual({
      messageId: ID,
      kind: HandleKind.Publish,
      token: nonce,
    });
  });

  it('uses only URL-safe characters', () => {
    expect(formatHandle(ID, HandleKind.Normal, CORE)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      'junk',
      `${ID}-X${CORE}`,
      `${ID.toLowerCase()}-N${CORE}`,
      `${ID}N${CORE}`,
      `${ID}-N${CORE.slice(0, 10)}`,
      `${ID}-N${CORE}!`,
      `${ID}-P${'A'.repeat(21)}`,
      `${ID}-P${'A'.repeat(23)}`,
    ]) {
      expect(parseHandle(bad), bad).toBeUndefined();
    }
  });
});
