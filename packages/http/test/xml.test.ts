/** @module xml.test — safe parsing (DTDs refused, malformed refused, text kept verbatim) and the escaping writer. */
import { describe, expect, it } from 'vitest';
import {
  escapeXml,
  illegalXmlCharIndex,
  parseXml,
  replaceIllegalXmlChars,
  XmlCharError,
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

  it.each([
    ['a NUL in CDATA', '<M><B><![CDATA[a\u0000b]]></B></M>', 'U+0000'],
    ['a raw control character in text', '<M><B>a\u0001b</B></M>', 'U+0001'],
    ['a control character between elements', '<M>\u001F<B>x</B></M>', 'U+001F'],
    ['a control character in an attribute', '<M a="\u0008"><B>x</B></M>', 'U+0008'],
    ['U+FFFE', '<M><B>\uFFFE</B></M>', 'U+FFFE'],
    ['a lone high surrogate', '<M><B>\uD800x</B></M>', 'U+D800'],
    ['a lone low surrogate', '<M><B>x\uDC00</B></M>', 'U+DC00'],
    ['a reference to U+0001', '<M><B>&#1;</B></M>', 'U+0001'],
    ['a hex reference to U+001F', '<M><B>&#x1f;</B></M>', 'U+001F'],
    ['a reference to U+FFFF', '<M><B>&#xFFFF;</B></M>', 'U+FFFF'],
    ['a reference to a surrogate', '<M><B>&#xD800;</B></M>', 'U+D800'],
    ['a reference to NUL', '<M><B>&#0;</B></M>', 'U+0000'],
    ['a control character the full parser would read', '<!-- c --><M><B>\u0002</B></M>', 'U+0002'],
  ])('refuses %s (XML 1.0 Char) with XmlCharError naming it', (_name, text, character) => {
    let caught: unknown;
    try {
      parseXml(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(XmlCharError);
    expect(caught).toBeInstanceOf(XmlError);
    expect((caught as XmlCharError).character).toBe(character);
    // The message names the character, never holds it (it is echoed into error answers).
    expect(illegalXmlCharIndex((caught as Error).message)).toBe(-1);
  });

  it('accepts every character XML 1.0 allows, raw and as references', () => {
    const allowed = '\t\n\r \u007F\u0085\uD7FF\uE000\uFFFD\u{10000}\u{1F600}\u{10FFFF}';
    const raw = xmlRoot(parseXml(new TextEncoder().encode(`<M><B>${allowed}</B></M>`)));
    expect(xmlText(raw.node, 'B')).toBe(allowed);
    const refs = xmlRoot(
      parseXml('<M><B>&#9;&#xA;&#x7F;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;</B></M>'),
    );
    expect(xmlText(refs.node, 'B')).toBe('\t\n\u007F\uD7FF\uE000\uFFFD\u{10000}\u{10FFFF}');
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

  it('writes CR as a reference, so a conformant reader does not turn it into LF', () => {
    expect(escapeXml('a\r\nb\rc\nd')).toBe('a&#13;\nb&#13;c\nd');
    expect(xmlText(xmlRoot(parseXml(xmlDocument('M', xmlElement('B', 'a\r\nb')))).node, 'B')).toBe('a\r\nb');
  });

  it('replaces every character XML 1.0 does not allow with U+FFFD, keeping surrogate pairs', () => {
    expect(escapeXml('a\u0000b\u0001<\u001F\uFFFE\uFFFF')).toBe('a\uFFFDb\uFFFD&lt;\uFFFD\uFFFD\uFFFD');
    expect(escapeXml('\uD800 \uDC00 \uDBFF\uDFFF \uDC00\uD800')).toBe(
      '\uFFFD \uFFFD \uDBFF\uDFFF \uFFFD\uFFFD',
    );
    expect(escapeXml('tab\tLF\nCR\r \u{1F600}')).toBe('tab\tLF\nCR&#13; \u{1F600}');
    expect(replaceIllegalXmlChars('ok \u{1F600}')).toBe('ok \u{1F600}');
    expect(xmlElement('Message', 'queue \u0000q does not exist')).toBe(
      '<Message>queue \uFFFDq does not exist</Message>',
    );
  });

  it('never writes a document a strict parser refuses, whatever the text (all of the BMP and lone surrogates)', () => {
    // Every UTF-16 code unit once, plus pairs and halves at the edges: the writer's output must parse again
    // (parseXml refuses any character XML 1.0 does not allow, raw or referenced).
    let all = '';
    for (let c = 0; c <= 0xffff; c++) all += String.fromCharCode(c);
    for (const text of [all, `${all}\uD83D`, `\uDE00${all}`, '\uD83D\uDE00\uD83D']) {
      const doc = xmlDocument('M', xmlElement('B', text));
      expect(illegalXmlCharIndex(doc)).toBe(-1);
      const read = xmlText(xmlRoot(parseXml(doc)).node, 'B')!;
      expect(read).toBe(replaceIllegalXmlChars(text));
    }
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
