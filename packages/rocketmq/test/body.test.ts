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
const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error) => (error as { wire: { code: string } }).wire.code,
  );

describe('readMessage', () => {
  it('reads the Node SDK (CDATA) and Go SDK (entities) shapes, with or without declaration and namespace', async () => {
    expect(
      await readMessage(
        bytes(
          '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/"><MessageBody><![CDATA[a <b> & c]]></MessageBody><MessageTag><![CDATA[T]]></MessageTag><Properties><![CDATA[KEYS:k|a:1]]></Properties></Message>',
        ),
      ),
    ).toEqual({ body: 'a <b> & c', tag: 'T', properties: 'KEYS:k|a:1' });
    expect(
      await readMessage(bytes('<Message><MessageBody>a &lt;b&gt; &amp; c &#233;</MessageBody></Message>')),
    ).toEqual({
      body: 'a <b> & c é',
      tag: undefined,
      properties: undefined,
    });
    expect(
      (await readMessage(bytes('<Message>\n  <MessageBody>  kept  </MessageBody>\n</Message>'))).body,
    ).toBe('  kept  ');
    expect((await readMessage(bytes('<Message><!-- c --><MessageBody>x</MessageBody></Message>'))).body).toBe(
      'x',
    );
  });

  it('refuses what is not a well-formed <Message> with MalformedXML', async () => {
    for (const doc of [
      '<Message><MessageBody>x</Message>',
      '<Messages><MessageBody>x</MessageBody></Messages>',
      '<Message><MessageBody>a</MessageBody><MessageBody>b</MessageBody></Message>',
      '<Message><MessageBody><b>x</b></MessageBody></Message>',
      '<!DOCTYPE m [<!ENTITY a "x">]><Message><MessageBody>&a;</MessageBody></Message>',
      '',
    ]) {
      expect(await codeOf(readMessage(bytes(doc))), doc).toBe('MalformedXML');
    }
    expect(await codeOf(readMessage(new Uint8Array([0x3c, 0xff, 0x3e])))).toBe('MalformedXML');
  });

  it('gives the same answers for documents large enough to be parsed on the worker thread', async () => {
    const big = 'x&amp;'.repeat(300_000); // 1.8 MB on the wire, 600,000 characters decoded
    const message = await readMessage(
      bytes(`<Message><MessageBody>${big}</MessageBody><MessageTag>T</MessageTag></Message>`),
    );
    expect(message.body).toBe('x&'.repeat(300_000));
    expect(message.tag).toBe('T');
    // Past the size while decoding: InvalidArgument; broken, a DTD or bad UTF-8: MalformedXML.
    expect(
      await codeOf(readMessage(bytes(`<Message><MessageBody>${big}</MessageBody></Message>`), 599_999)),
    ).toBe('InvalidArgument');
    expect(await codeOf(readMessage(bytes(`<Message><MessageBody>${big}</Message>`)))).toBe('MalformedXML');
    expect(
      await codeOf(
        readMessage(
          bytes(`<!DOCTYPE m [<!ENTITY a "x">]><Message><MessageBody>${big}</MessageBody></Message>`),
        ),
      ),
    ).toBe('MalformedXML');
    // A character XML 1.0 does not allow is a bad value, found on the worker thread too.
    expect(await codeOf(readMessage(bytes(`<Message><MessageBody>${big}&#1;</MessageBody></Message>`)))).toBe(
      'InvalidArgument',
    );
    const badUtf8 = new Uint8Array(bytes(`<Message><MessageBody>${big}</MessageBody></Message>`));
    badUtf8[100] = 0xff;
    expect(await codeOf(readMessage(badUtf8))).toBe('MalformedXML');
    expect(await codeOf(readMessage(bytes(`<Messages><MessageBody>${big}</MessageBody></Messages>`)))).toBe(
      'MalformedXML',
    );
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
