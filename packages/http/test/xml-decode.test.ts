/** @module xml-decode.test — the linear entity decoder: same answers as the old regex one, limits, and its speed. */
import { describe, expect, it } from 'vitest';
import { decodeText, parseXml, TextTooLongError, XmlError, xmlRoot, xmlText } from '../src/index.js';

// The decoder this one replaced (correct, but seconds on a dense 20 MiB body): the reference for its answers.
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function reference(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*)?;?/g, (match, ref?: string) => {
    if (ref === undefined || !match.endsWith(';')) throw new XmlError('no reference');
    if (!ref.startsWith('#')) {
      const named = PREDEFINED[ref];
      if (named === undefined) throw new XmlError('undeclared');
      return named;
    }
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError('invalid');
    return String.fromCodePoint(code);
  });
}

const outcome = (f: () => string): string => {
  try {
    return `ok:${f()}`;
  } catch (error) {
    return error instanceof XmlError ? 'XmlError' : `other:${String(error)}`;
  }
};

describe('decodeText', () => {
  it('answers as the regex decoder did, on thousands of generated texts', () => {
    const pieces = [
      ...['&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#60;', '&#x41;', '&#X41;', '&#x1F600;', '&#128512;'],
      ...[
        '&#0;',
        '&#xD800;',
        '&#1114112;',
        '&#12345678;',
        '&#x;',
        '&#;',
        '&am;',
        '&ampx;',
        '&nbsp;',
        '&',
        '&amp',
      ],
      ...['a', 'bc', 'é', '😀', ';', '#', 'x', ' ', 'amp;', 'lt', '0', '9', 'A', 'quot'],
      'long run of plain text past the bulk copy threshold',
    ];
    let seed = 13;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      let text = '';
      for (let p = random(8); p >= 0; p--) text += pieces[random(pieces.length)];
      expect(
        outcome(() => decodeText(text)),
        text,
      ).toBe(outcome(() => reference(text)));
    }
  });

  it('refuses text past maxLength as soon as decoding reaches it', () => {
    expect(decodeText('&amp;'.repeat(10), 10)).toBe('&'.repeat(10));
    expect(() => decodeText('&amp;'.repeat(11), 10)).toThrow(TextTooLongError);
    expect(() => decodeText('x'.repeat(11), 10)).toThrow(TextTooLongError);
    // The limit counts what is decoded, not the source: 11 references past 10 units fail before the bad one at the end.
    expect(() => decodeText(`${'&lt;'.repeat(11)}&bad;`, 10)).toThrow(TextTooLongError);
  });

  it('applies maxTextLength to every element, CDATA included, on both parser paths', () => {
    const body = (t: string) => `<Message><MessageBody>${t}</MessageBody></Message>`;
    expect(
      xmlText(xmlRoot(parseXml(body('&amp;'.repeat(8)), { maxTextLength: 8 })).node, 'MessageBody'),
    ).toBe('&'.repeat(8));
    expect(() => parseXml(body('&amp;'.repeat(9)), { maxTextLength: 8 })).toThrow(TextTooLongError);
    expect(() => parseXml(body('<![CDATA[123456789]]>'), { maxTextLength: 8 })).toThrow(TextTooLongError);
    // A comment sends the document to fast-xml-parser; the limit holds there too.
    expect(() => parseXml(`<!-- c -->${body('&amp;'.repeat(9))}`, { maxTextLength: 8 })).toThrow(
      TextTooLongError,
    );
    expect(() => parseXml(`<!-- c -->${body('1234<![CDATA[56789]]>')}`, { maxTextLength: 8 })).toThrow(
      TextTooLongError,
    );
  });

  it('leaves only small documents to fast-xml-parser (seconds per 20 MiB)', () => {
    const doc = (n: number) => `<!-- c --><Message><MessageBody>${'a'.repeat(n)}</MessageBody></Message>`;
    expect(xmlText(xmlRoot(parseXml(doc(1000))).node, 'MessageBody')).toBe('a'.repeat(1000));
    expect(() => parseXml(doc(1024 * 1024))).toThrow(/must hold only elements, text and CDATA/);
    expect(() => parseXml(doc(1000), { maxFullParseLength: 500 })).toThrow(XmlError);
  });

  it('decodes a 4 MiB text written as entities (20 MiB) in one linear pass', () => {
    const text = Buffer.from('&amp;'.repeat(4 * 1024 * 1024)).toString();
    const start = performance.now();
    const decoded = decodeText(text);
    const ms = performance.now() - start;
    console.log(`decodeText: 20 MiB of &amp; in ${ms.toFixed(0)} ms`);
    expect(decoded.length).toBe(4 * 1024 * 1024);
    expect(decoded.charCodeAt(12345)).toBe(0x26);
    // Linear here is tens of ms; the regex decoder took ~3-6 s. Generous for a loaded machine.
    expect(ms).toBeLessThan(2000);
  });
});
