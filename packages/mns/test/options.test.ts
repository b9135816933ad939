/** @module options.test — option validation, names, parameters, paging, request ids. */
import { splitTarget, type WireRequest } from '@sluice/http';
import { describe, expect, it } from 'vitest';
import { MnsFault } from '../src/fault.js';
import { page } from '../src/list.js';
import { checkName } from '../src/names.js';
import { resolveMnsOptions } from '../src/options.js';
import { booleanValue, integerIn, queryParam } from '../src/params.js';
import { requestIds } from '../src/request-id.js';

const req = (target: string, headers: Record<string, string> = {}): WireRequest => {
  const { path, query } = splitTarget(target);
  return { method: 'GET', target, path, query, headers, body: new Uint8Array() };
};

describe('options', () => {
  it('refuses bad options with a TypeError naming them', () => {
    expect(() => resolveMnsOptions({ maxWaitSeconds: 31 })).toThrow(/maxWaitSeconds/);
    expect(() => resolveMnsOptions({ mountPath: 'mns' })).toThrow(/mountPath/);
    expect(() => resolveMnsOptions({ mountPath: '/mns/' })).toThrow(/mountPath/);
    expect(() => resolveMnsOptions({ credentials: [{ accessKeyId: '', accessKeySecret: 'x' }] })).toThrow(
      /credentials/,
    );
    expect(() => resolveMnsOptions({ maxBodyBytes: 10 })).toThrow(/maxBodyBytes/);
    expect(resolveMnsOptions().maxWaitSeconds).toBe(30);
  });
});

describe('names and parameters', () => {
  it('names: alphanumeric first, then alphanumerics and dashes, 1..256', () => {
    expect(() => checkName('Queue', 'a-1')).not.toThrow();
    expect(() => checkName('Queue', 'a'.repeat(256))).not.toThrow();
    const code = (n: string) => {
      try {
        checkName('Topic', n);
      } catch (e) {
        return (e as MnsFault).code;
      }
      return 'ok';
    };
    expect(code('')).toBe('TopicNameLengthError');
    expect(code('a'.repeat(257))).toBe('TopicNameLengthError');
    expect(code('-a')).toBe('InvalidTopicName');
    expect(code('a.b')).toBe('InvalidTopicName');
  });

  it('integers and booleans', () => {
    expect(integerIn(' 5 ', 'X', 1, 10)).toBe(5);
    for (const bad of ['0', '11', '-1', '1.0', '1e1', '', 'x', '99999999999999999999']) {
      expect(() => integerIn(bad, 'X', 1, 10, 'seconds')).toThrow(
        'The value of X should between 1 and 10 seconds.',
      );
    }
    expect(booleanValue('True', 'L')).toBe(true);
    expect(booleanValue('false', 'L')).toBe(false);
    expect(() => booleanValue('yes', 'L')).toThrow(MnsFault);
  });

  it('query names are case-insensitive', () => {
    expect(queryParam(req('/x?receiptHandle=a'), 'receipthandle')).toBe('a');
    expect(queryParam(req('/x?ReceiptHandle=b'), 'receipthandle')).toBe('b');
    expect(queryParam(req('/x?other=c'), 'receipthandle')).toBeUndefined();
  });
});

describe('paging', () => {
  const names = ['a1', 'a2', 'a3', 'b1'];
  it('prefix, marker, ret-number and NextMarker', () => {
    expect(page(req('/'), names)).toEqual({ names, nextMarker: undefined, withMeta: false });
    expect(page(req('/', { 'x-mns-prefix': 'a', 'x-mns-ret-number': '2' }), names)).toMatchObject({
      names: ['a1', 'a2'],
      nextMarker: 'a3',
    });
    expect(page(req('/', { 'x-mns-prefix': 'a', 'x-mns-marker': 'a3' }), names)).toMatchObject({
      names: ['a3'],
      nextMarker: undefined,
    });
    expect(page(req('/', { 'x-mns-with-meta': 'TRUE' }), names).withMeta).toBe(true);
    expect(() => page(req('/', { 'x-mns-ret-number': '1001' }), names)).toThrow(MnsFault);
  });
});

describe('request ids', () => {
  it('are 24 upper-case hex characters and unique', () => {
    const next = requestIds();
    const ids = new Set(Array.from({ length: 1000 }, next));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-F]{24}$/);
  });
});
