/** @module body.test — reading publish and ack documents, and the errors for what is not one. */
import { describe, expect, it } from 'vitest';
import { readHandles, readMessage } from '../src/body.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const code = (fn: () => unknown) => {
  try {
    return fn();
  } catch (error) {
    return (error as { wire: { code: string } }).wire.code;
  }
};

describe('readMessage', () => {
  it('reads the Node SDK (CDATA) and Go SDK (entities) shapes, with or without declaration and namespace', () => {
    expect(
      readMessage(
        bytes(
          '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/"><MessageBody><![CDATA[a <b> & c]]></MessageBody><MessageTag><![CDATA[T]]></MessageTag><Properties><![CDATA[KEYS:k|a:1]]></Properties></Message>',
        ),
      ),
    ).toEqual({ body: 'a <b> & c', tag: 'T', properties: 'KEYS:k|a:1' });
    expect(
      readMessage(bytes('<Message><MessageBody>a &lt;b&gt; &amp; c &#233;</MessageBody></Message>')),
    ).toEqual({
      body: 'a <b> & c é',
      tag: undefined,
      properties: undefined,
    });
    expect(readMessage(bytes('<Message>\n  <MessageBody>  kept  </MessageBody>\n</Message>')).body).toBe(
      '  kept  ',
    );
    expect(readMessage(bytes('<Message><!-- c --><MessageBody>x</MessageBody></Message>')).body).toBe('x');
  });

  it('refuses what is not a well-formed <Message> with MalformedXML', () => {
    for (const doc of [
      '<Message><MessageBody>x</Message>',
      '<Messages><MessageBody>x</MessageBody></Messages>',
      '<Message><MessageBody>a</MessageBody><MessageBody>b</MessageBody></Message>',
      '<Message><MessageBody><b>x</b></MessageBody></Message>',
      '<!DOCTYPE m [<!ENTITY a "x">]><Message><MessageBody>&a;</MessageBody></Message>',
      '',
    ]) {
      expect(
        code(() => readMessage(bytes(doc))),
        doc,
      ).toBe('MalformedXML');
    }
    expect(code(() => readMessage(new Uint8Array([0x3c, 0xff, 0x3e])))).toBe('MalformedXML');
  });
});

describe('readHandles', () => {
  it('reads 1..16 handles, trimmed, in order', () => {
    expect(
      readHandles(
        bytes(
          '<ReceiptHandles><ReceiptHandle> a </ReceiptHandle><ReceiptHandle>b</ReceiptHandle></ReceiptHandles>',
        ),
      ),
    ).toEqual(['a', 'b']);
  });

  it('answers MissingReceiptHandle for none, InvalidArgument for 17, MalformedXML for another root', () => {
    expect(code(() => readHandles(bytes('<ReceiptHandles/>')))).toBe('MissingReceiptHandle');
    expect(code(() => readHandles(bytes('<ReceiptHandles></ReceiptHandles>')))).toBe('MissingReceiptHandle');
    const many = `<ReceiptHandles>${'<ReceiptHandle>h</ReceiptHandle>'.repeat(17)}</ReceiptHandles>`;
    expect(code(() => readHandles(bytes(many)))).toBe('InvalidArgument');
    expect(code(() => readHandles(bytes('<Handles><ReceiptHandle>h</ReceiptHandle></Handles>')))).toBe(
      'MalformedXML',
    );
  });
});
