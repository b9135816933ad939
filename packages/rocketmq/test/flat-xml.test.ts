/**
 * @module flat-xml.test — the fast reader agrees with the shared parser on every document it accepts, and
 * declines (leaving the decision to the shared parser) everything outside the SDKs' flat shape.
 */
import { parseXml, xmlChildren, xmlRoot } from '@sluice/http';
import { describe, expect, it } from 'vitest';
import { readHandles, readMessage } from '../src/body.js';
import { readFlatDocument } from '../src/flat-xml.js';

const NAMES = ['MessageBody', 'MessageTag', 'Properties'];
const bytes = (s: string) => new TextEncoder().encode(s);
const DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const NS = ' xmlns="http://mq.aliyuncs.com/doc/v1/"';

/** The shared parser's reading of the same document, in the reader's shape. */
function reference(doc: string): Map<string, string[]> {
  const { node } = xmlRoot(parseXml(doc));
  const out = new Map<string, string[]>();
  for (const name of NAMES) {
    const children = xmlChildren(node, name);
    if (children.length > 0)
      out.set(
        name,
        children.map((c) => (typeof c === 'string' ? c : '')),
      );
  }
  return out;
}

const accepted = [
  `${DECL}<Message${NS}><MessageBody><![CDATA[hello]]></MessageBody></Message>`,
  `<Message><MessageBody>plain</MessageBody><MessageTag>T</MessageTag><Properties>a:1|b:2</Properties></Message>`,
  `${DECL}\n<Message${NS}>\n  <MessageBody>a &amp; b &lt;c&gt; &quot;q&quot; &apos;s&apos; &#233; &#x1F600;</MessageBody>\n</Message>\n`,
  `<Message><MessageBody><![CDATA[<not a tag> & ]]]]><![CDATA[> split]]></MessageBody></Message>`,
  `<Message><MessageBody>text then <![CDATA[cdata]]> then text</MessageBody></Message>`,
  `<Message><MessageBody></MessageBody><MessageTag/></Message>`,
  `<Message><MessageBody>  spaces kept  </MessageBody></Message>`,
  `<Message a='1' b = "2"><MessageBody>x</MessageBody></Message>`,
  `<Message><MessageBody>héllo 世界</MessageBody></Message>`,
];

const declined = [
  `<Message><!-- c --><MessageBody>x</MessageBody></Message>`,
  `<mq:Message xmlns:mq="x"><mq:MessageBody>x</mq:MessageBody></mq:Message>`,
  `<Message><MessageBody a="1">x</MessageBody></Message>`,
  `<Message><Other>x</Other></Message>`,
  `<Message><MessageBody>&nbsp;</MessageBody></Message>`,
  `<Message><MessageBody>a & b</MessageBody></Message>`,
  `<Message><MessageBody>&#0;</MessageBody></Message>`,
  `<Message><MessageBody>x]]>y</MessageBody></Message>`,
  `<Message><MessageBody><b>x</b></MessageBody></Message>`,
  `<Message><MessageBody>x</MessageBody>`,
  `<Message><MessageBody>x</MessageBody></Message><Message/>`,
  `<Message><MessageBody>x</MessageBody></Message>trailing`,
  `<Message/>`,
  `<!DOCTYPE m [<!ENTITY a "x">]><Message><MessageBody>&a;</MessageBody></Message>`,
  `<Messages><MessageBody>x</MessageBody></Messages>`,
  `<Message x="<"><MessageBody>x</MessageBody></Message>`,
  `<Message><MessageBody><![CDATA[x</MessageBody></Message>`,
  '',
];

describe('readFlatDocument', () => {
  it('reads the SDK shapes exactly as the shared parser does', () => {
    for (const doc of accepted) {
      const flat = readFlatDocument(bytes(doc), 'Message', NAMES);
      expect(flat, doc).toBeDefined();
      expect(flat, doc).toEqual(reference(doc));
    }
  });

  it('declines everything else', () => {
    for (const doc of declined) expect(readFlatDocument(bytes(doc), 'Message', NAMES), doc).toBeUndefined();
  });

  it('declines invalid UTF-8', () => {
    const doc = new Uint8Array([
      ...bytes('<Message><MessageBody>'),
      0xff,
      ...bytes('</MessageBody></Message>'),
    ]);
    expect(readFlatDocument(doc, 'Message', NAMES)).toBeUndefined();
  });
});

describe('readMessage / readHandles fall back to the shared parser', () => {
  const code = (fn: () => unknown) => {
    try {
      return fn();
    } catch (error) {
      return (error as { wire: { code: string } }).wire.code;
    }
  };

  it('reads documents outside the flat shape', () => {
    expect(readMessage(bytes('<Message><!-- c --><MessageBody>x</MessageBody></Message>'))).toEqual({
      body: 'x',
      tag: undefined,
      properties: undefined,
    });
    expect(
      readHandles(bytes('<ReceiptHandles><!-- c --><ReceiptHandle> h </ReceiptHandle></ReceiptHandles>')),
    ).toEqual(['h']);
  });

  it('lets the shared parser refuse what is malformed', () => {
    expect(code(() => readMessage(bytes('<Message><MessageBody>x</Message>')))).toBe('MalformedXML');
    expect(
      code(() =>
        readMessage(bytes('<Message><MessageBody>a</MessageBody><MessageBody>b</MessageBody></Message>')),
      ),
    ).toBe('MalformedXML');
    expect(code(() => readHandles(bytes('<Handles><ReceiptHandle>h</ReceiptHandle></Handles>')))).toBe(
      'MalformedXML',
    );
    expect(code(() => readHandles(bytes('<ReceiptHandles/>')))).toBe('MissingReceiptHandle');
  });
});
