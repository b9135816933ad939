/** @module xml.test — safe parsing (DTDs refused, malformed refused, text kept verbatim) and the escaping writer. */
import { describe, expect, it } from 'vitest';
import {
  escapeXml,
  parseXml,
  XmlError,
  xmlChildren,
  xmlContainer,
  xmlDocument,
  xmlElement,
  xmlRoot,
  xmlText,
} from '../src/index.js';

describe('parseXml', () => {
  it('reads namespaced and bare documents alike, keeping text verbatim', () => {
    const ns = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Message xmlns="http://mns.aliyuncs.com/doc/v1/">\n  <MessageBody> 007 &lt;b&gt; &#60;&#x41; </MessageBody>\n  <Priority>8</Priority>\n</Message>',
    );
    const bare = parseXml(
      new TextEncoder().encode(
        '<Message><MessageBody> 007 &lt;b&gt; &#60;&#x41; </MessageBody><Priority>8</Priority></Message>',
      ),
    );
    for (const doc of [ns, bare]) {
      const root = xmlRoot(doc);
      expect(root.name).toBe('Message');
      expect(xmlText(root.node, 'MessageBody')).toBe(' 007 <b> <A ');
      expect(xmlText(root.node, 'Priority')).toBe('8');
      expect(xmlText(root.node, 'DelaySeconds')).toBeUndefined();
    }
  });

  it('keeps CDATA content as text without decoding entities in it', () => {
    const root = xmlRoot(parseXml('<Message><MessageBody><![CDATA[<x>&lt;]]></MessageBody></Message>'));
    expect(xmlText(root.node, 'MessageBody')).toBe('<x>&lt;');
  });

  it('lists repeated children and reads empty roots as empty objects', () => {
    const root = xmlRoot(
      parseXml(
        '<ReceiptHandles><ReceiptHandle>a</ReceiptHandle><ReceiptHandle>b</ReceiptHandle></ReceiptHandles>',
      ),
    );
    expect(xmlChildren(root.node, 'ReceiptHandle')).toEqual(['a', 'b']);
    expect(xmlChildren(root.node, 'Missing')).toEqual([]);
    expect(() => xmlText(root.node, 'ReceiptHandle')).toThrow(XmlError);
    expect(xmlRoot(parseXml('<Queue/>'))).toEqual({ name: 'Queue', node: {} });
    expect(xmlRoot(parseXml('<Queue xmlns="x"></Queue>'))).toEqual({ name: 'Queue', node: {} });
  });

  it.each([
    ['empty', ''],
    ['plain text', 'hello'],
    ['unclosed', '<a><b>1</a>'],
    ['no end tag', '<a>'],
    ['two roots', '<a></a><b></b>'],
    ['doctype', '<!DOCTYPE a><a/>'],
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><a>&lol2;</a>',
    ],
    ['external entity', '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>'],
    ['lower-case doctype', '<!doctype a><a/>'],
  ])('refuses %s with XmlError', (_name, text) => {
    expect(() => parseXml(text)).toThrow(XmlError);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => parseXml(new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))).toThrow(
      XmlError,
    );
  });

  it('refuses an undeclared entity and a lone ampersand, never double-decodes', () => {
    expect(() => parseXml('<a><b>&foo;</b></a>')).toThrow(XmlError);
    expect(() => parseXml('<a><b>&#xD800;</b></a>')).toThrow(XmlError);
    expect(() => parseXml('<a><b>x & y</b></a>')).toThrow(XmlError);
    expect(xmlText(xmlRoot(parseXml('<a><b>&amp;lt; &amp;#60; &#34;q&#x27;</b></a>')).node, 'b')).toBe(
      '&lt; &#60; "q\'',
    );
  });

  it('merges CDATA with surrounding layout whitespace and keeps CDATA text raw', () => {
    const root = xmlRoot(
      parseXml(
        '<M><B>\n  <![CDATA[a &amp; <b>]]>\n</B><C>x<![CDATA[y]]></C><D><![CDATA[1]]><![CDATA[2]]></D></M>',
      ),
    );
    expect(xmlText(root.node, 'B')).toBe('a &amp; <b>');
    expect(xmlText(root.node, 'C')).toBe('xy');
    expect(xmlText(root.node, 'D')).toBe('12');
  });
});

describe('xml writer', () => {
  it('escapes the five special characters and returns clean text unchanged', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    const clean = 'plain text';
    expect(escapeXml(clean)).toBe(clean);
  });

  it('writes elements, containers and documents in the given order', () => {
    expect(xmlElement('Code', 'A<B')).toBe('<Code>A&lt;B</Code>');
    expect(xmlElement('Count', 12)).toBe('<Count>12</Count>');
    expect(xmlContainer('Queue', xmlElement('QueueURL', 'u'))).toBe('<Queue><QueueURL>u</QueueURL></Queue>');
    expect(xmlDocument('Queues', '', 'ns')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Queues xmlns="ns"/>',
    );
    expect(xmlDocument('Error', xmlElement('Code', 'X'))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>X</Code></Error>',
    );
  });

  it('round-trips through the parser', () => {
    const text = ' <tricky> & "quotes" \'apos\' ';
    const doc = xmlDocument('Message', xmlElement('MessageBody', text), 'http://mns.aliyuncs.com/doc/v1/');
    expect(xmlText(xmlRoot(parseXml(doc)).node, 'MessageBody')).toBe(text);
  });
});

describe('fast reader vs fast-xml-parser', () => {
  const NS = 'http://mns.aliyuncs.com/doc/v1/';
  const docs = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<Messages xmlns="${NS}">\n  <Message>\n    <MessageBody>a &lt;b&gt; &#34;c&#x27;</MessageBody>\n    <Priority>3</Priority>\n  </Message>\n  <Message><MessageBody>x</MessageBody></Message>\n</Messages>\n`,
    '<Message><MessageBody><![CDATA[<raw> &amp;]]></MessageBody><MessageTag><![CDATA[t]]></MessageTag></Message>',
    `<mns:Queue xmlns:mns="${NS}"><mns:VisibilityTimeout>30</mns:VisibilityTimeout></mns:Queue>`,
    '<Queue/>',
    `<Queue xmlns="${NS}"></Queue>`,
    '<ReceiptHandles><ReceiptHandle>a</ReceiptHandle><ReceiptHandle>b</ReceiptHandle><ReceiptHandle>c</ReceiptHandle></ReceiptHandles>',
    '<a><b/><b>1</b><c x="1" y=\'2\'>t</c></a>',
    '<a>\n  <b>1</b>\n</a>',
  ];
  it.each(docs.map((d, i) => [i, d]))('document %i reads the same on both paths', async (_i, doc) => {
    const { fastParseXml } = await import('../src/xml-fast.js');
    const { parseWithFastXmlParser } = await import('../src/xml.js');
    const fast = fastParseXml(doc as string);
    expect(fast).toBeDefined();
    expect(fast).toEqual(parseWithFastXmlParser(doc as string));
  });

  it('leaves comments, processing instructions and DTD-like input to the full parser', async () => {
    const { fastParseXml } = await import('../src/xml-fast.js');
    expect(fastParseXml('<a><!-- c --><b>1</b></a>')).toBeUndefined();
    expect(fastParseXml('<a><?pi x?></a>')).toBeUndefined();
    expect(fastParseXml('<!DOCTYPE a><a/>')).toBeUndefined();
    expect(xmlText(xmlRoot(parseXml('<a><!-- c --><b>1</b></a>')).node, 'b')).toBe('1');
  });

  it.each([
    ['<a><b>1</a>'],
    ['<a>'],
    ['<a></a><b/>'],
    ['<a></a>text'],
    ['<a>x & y</a>'],
    ['<a>&bogus;</a>'],
    ['<a><![CDATA[x</a>'],
    ['text<a/>'],
  ])('%s is malformed on the fast path too', (doc) => {
    expect(() => parseXml(doc)).toThrow(XmlError);
  });
});
