/** @module properties.test — parsing and rendering `k:v|k:v` properties, and their limits. */
import { describe, expect, it } from 'vitest';
import { RocketMqError } from '../src/errors.js';
import { integerProperty, parseProperties, renderProperties } from '../src/properties.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as RocketMqError).wire.code;
  }
};

describe('parseProperties', () => {
  it('reads the SDK form, skipping empty segments', () => {
    expect({ ...parseProperties('KEYS:k1|a:1|__SHARDINGKEY:s|') }).toEqual({
      KEYS: 'k1',
      a: '1',
      __SHARDINGKEY: 's',
    });
    expect({ ...parseProperties('') }).toEqual({});
    expect({ ...parseProperties('||a:1||') }).toEqual({ a: '1' });
  });

  it('refuses what MessageProperties.check refuses, empty keys or values, and internal keys', () => {
    for (const bad of ['a', 'a:', ':1', 'a:1:2', 'a:"x"', "a:'x'", 'a:x&y', 'a:<', 'a>:1', '__SLUICE_X:1']) {
      expect(
        code(() => parseProperties(bad)),
        bad,
      ).toBe('InvalidArgument');
    }
  });

  it('limits all properties to 16 KB', () => {
    expect(code(() => parseProperties(`k:${'v'.repeat(16 * 1024 - 2)}`))).toBe('ok');
    expect(code(() => parseProperties(`k:${'v'.repeat(16 * 1024 - 1)}`))).toBe('InvalidArgument');
  });

  it('keeps a prototype-named key as data', () => {
    expect(parseProperties('__proto__:x')['__proto__']).toBe('x');
  });
});

describe('renderProperties', () => {
  it('writes k:v| pairs and hides internal keys', () => {
    expect(renderProperties({ KEYS: 'k', a: '1', __SLUICE_MSGID: 'X', __SLUICE_PUBLISHTIME: '1' })).toBe(
      'KEYS:k|a:1|',
    );
    expect(renderProperties(undefined)).toBe('');
  });
});

describe('integerProperty', () => {
  it('accepts digits only', () => {
    expect(integerProperty('k', '1700000000000')).toBe(1_700_000_000_000);
    for (const bad of ['', '-1', '1.5', '1e3', ' 1', 'x']) {
      expect(
        code(() => integerProperty('k', bad)),
        bad,
      ).toBe('InvalidArgument');
    }
  });

  it('throws RocketMqError, never a plain Error', () => {
    expect(() => integerProperty('k', 'x')).toThrow(RocketMqError);
  });
});
