/**
 * @module fuzz/documents — request bodies that are not what a parser hopes for: truncated, flipped, duplicated,
 * deeply nested, huge, entity and DTD shapes (billion laughs, external entities), other encodings, invalid UTF-8.
 */
import fc from 'fast-check';
import { text } from './values.js';

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');

/** Mutations of a valid body: bytes flipped, cut short, a span duplicated, nasty text inserted. */
export function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = Math.max(1, valid.length);
  return fc.oneof(
    fc
      .array(fc.tuple(fc.nat(n - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
      .map((flips) => {
        const out = Buffer.from(valid);
        for (const [i, b] of flips) if (i < out.length) out[i] = b;
        return out;
      }),
    fc.nat(n).map((i) => valid.subarray(0, i)),
    fc.tuple(fc.nat(n), fc.nat(n)).map(([a, b]) => {
      const [from, to] = a < b ? [a, b] : [b, a];
      return Buffer.concat([valid.subarray(0, to), valid.subarray(from, to), valid.subarray(to)]);
    }),
    fc
      .tuple(fc.nat(n), text)
      .map(([i, t]) => Buffer.concat([valid.subarray(0, i), enc(t), valid.subarray(i)])),
  );
}

/** One hostile document, built only when drawn (some are megabytes). */
type Builder = readonly [label: string, build: () => string | Uint8Array];

function xmlBuilders(root: string, child: string): Builder[] {
  const doc = (inner: string) => `<${root}><${child}>${inner}</${child}></${root}>`;
  const builders: Builder[] = [];
  for (const depth of [10, 1000, 50_000, 300_000]) {
    builders.push([
      `nested ${depth}`,
      () => `<${root}>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</${root}>`,
    ]);
  }
  for (const depth of [1000, 50_000]) {
    // A comment sends the document past the fast reader to fast-xml-parser.
    builders.push([
      `nested ${depth} with a comment`,
      () => `<!--c--><${root}>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</${root}>`,
    ]);
  }
  for (const depth of [10_000, 100_000])
    builders.push([`unclosed nesting ${depth}`, () => `<${root}>${'<a>'.repeat(depth)}`]);
  builders.push(
    [
      'billion laughs',
      () =>
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>${doc('&lol3;')}`,
    ],
    ['external entity', () => `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${doc('&x;')}`],
    ['parameter entity', () => `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x"> %p;]><${root}/>`],
    ['doctype after comment', () => `<!-- x --><!DOCTYPE r><${root}/>`],
    ['undeclared entity', () => doc('&lol;')],
  );
  for (const ref of [
    '&#0;',
    '&#x110000;',
    '&#99999999;',
    '&#xFFFFFFFFF;',
    '&#;',
    '&#x;',
    '&#-1;',
    '&#x1F600;',
    '&#55296;',
  ]) {
    builders.push([`reference ${ref}`, () => doc(ref)]);
  }
  for (const size of [1_000_000, 5_000_000])
    builders.push([`huge text ${size}`, () => doc('A'.repeat(size))]);
  builders.push(['huge entity text', () => doc('&amp;'.repeat(200_000))]);
  for (const count of [100, 20_000])
    builders.push([
      `${count} children`,
      () => `<${root}>${`<${child}>h</${child}>`.repeat(count)}</${root}>`,
    ]);
  for (const count of [1000, 100_000]) {
    builders.push([
      `${count} attributes`,
      () => `<${root} ${Array.from({ length: count }, (_, i) => `a${i}="v"`).join(' ')}/>`,
    ]);
  }
  builders.push(
    ['utf-16 with BOM', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc('x'), 'utf16le')])],
    ['utf-8 BOM', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), enc(doc('x'))])],
    [
      'latin-1 declared',
      () =>
        Buffer.concat([
          enc(`<?xml version="1.0" encoding="ISO-8859-1"?><${root}><${child}>`),
          Buffer.from([0xe9]),
          enc(`</${child}></${root}>`),
        ]),
    ],
  );
  for (const bytes of [
    [0xff],
    [0xc0, 0x80],
    [0xed, 0xa0, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0xe2, 0x82],
    [0x80],
  ]) {
    builders.push([
      `invalid UTF-8 ${bytes.join(',')}`,
      () => Buffer.concat([enc(`<${root}><${child}>`), Buffer.from(bytes), enc(`</${child}></${root}>`)]),
    ]);
  }
  builders.push(
    ['xml 1.1 declaration', () => `<?xml version="1.1"?>${doc('&#1;')}`],
    ['processing instruction', () => `<?xml version="1.0"?><?php echo 1; ?>${doc('x')}`],
    ['prefixes', () => `<a:b:${root} xmlns:a="x"><a:${child}>x</a:${child}></a:b:${root}>`],
    ['CDATA end in text', () => doc('x]]>y')],
    ['nested CDATA', () => doc('<![CDATA[<![CDATA[x]]>]]>')],
    ['two roots', () => `<${root}/><${root}/>`],
    ['text after root', () => `<${root}/>junk`],
    ['json', () => '{"a":1}'],
    ['empty', () => ''],
    ['whitespace', () => ' \r\n\t'],
    ['bare declaration', () => '<?xml version="1.0"?>'],
    ['element as child text', () => doc('<x>1</x>')],
    ['repeated child', () => `<${root}><${child}>1</${child}><${child}>2</${child}></${root}>`],
    ['attribute with entity', () => `<${root} a="&lt;&#1;"><${child}>x</${child}></${root}>`],
    ['unquoted attribute', () => `<${root} a=b><${child}>x</${child}></${root}>`],
    ['long tag name', () => `<${root}><${'t'.repeat(100_000)}>x</${'t'.repeat(100_000)}></${root}>`],
  );
  return builders;
}

const built = new Map<string, fc.Arbitrary<{ body: Uint8Array; label: string }>>();

/** XML bodies that are hostile as a whole (the root is `root`, so they reach the dialect's parser). */
export function hostileXml(root: string, child: string): fc.Arbitrary<{ body: Uint8Array; label: string }> {
  const key = `${root}/${child}`;
  let arbitrary = built.get(key);
  if (arbitrary === undefined) {
    arbitrary = fc.constantFrom(...xmlBuilders(root, child)).map(([label, build]) => {
      const body = build();
      return { label, body: typeof body === 'string' ? enc(body) : body };
    });
    built.set(key, arbitrary);
  }
  return arbitrary;
}

const JSON_SHAPES: readonly string[] = [
  '{"messages":[{"body":1e999}]}',
  '{"messages":[{"body":-0,"attributes":{"a":1e-400}}]}',
  '{"messages":[{"body":"\\ud800"}]}',
  '{"messages":[{"body":"\\u0000\\u0001"}]}',
  '{"messages":[{"body":"x","attributes":{"__proto__":{"polluted":"yes"}}}]}',
  '{"__proto__":{"messages":[{"body":1}]}}',
  '{"messages":[{"body":1}],"messages":"dup"}',
  '{"messages":[{"body":1,"body":2}]}',
  '{"messages":null}',
  '{"messages":{}}',
  '{"messages":[null,1,"x",[]]}',
  '{"message":[{"handler":null,"status":"success"}]}',
  '{"message":[{"handler":"x","status":{}}]}',
  '{"groups":[{"name":null}]}',
  '{"groups":"x"}',
  '{"name":"q","max_consume_count":1e999}',
  '[]',
  'null',
  'true',
  '"string"',
  '1',
  '',
  ' ',
  '{',
  '{"a":}',
  '{"a":1,}',
  "{'a':1}",
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":0x10}',
  '{"a":01}',
  '{"a":"\\x41"}',
  '/* c */{}',
  '<Message/>',
];

function jsonBuilders(): (Builder & { depth?: number })[] {
  const builders: [string, () => string | Uint8Array, number?][] = [];
  for (const depth of [100, 1000, 4000, 4200, 10_000, 200_000]) {
    builders.push(
      [
        `array nesting ${depth}`,
        () => `{"messages":[{"body":${'['.repeat(depth)}${']'.repeat(depth)}}]}`,
        depth,
      ],
      [
        `object nesting ${depth}`,
        () => `{"messages":[{"body":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}]}`,
        depth,
      ],
      [`unclosed nesting ${depth}`, () => '['.repeat(depth), depth],
    );
  }
  for (const shape of JSON_SHAPES) builders.push([`json ${shape.slice(0, 40)}`, () => shape]);
  builders.push([
    'json with BOM',
    () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), enc('{"messages":[{"body":1}]}')]),
  ]);
  for (const bytes of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
    builders.push([
      `json invalid UTF-8 ${bytes.join(',')}`,
      () => Buffer.concat([enc('{"messages":[{"body":"'), Buffer.from(bytes), enc('"}]}')]),
    ]);
  }
  for (const size of [600_000, 3_000_000])
    builders.push([`json huge ${size}`, () => `{"messages":[{"body":"${'A'.repeat(size)}"}]}`]);
  builders.push(
    [
      'json many keys',
      () => `{"messages":[{"body":{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',')}}}]}`,
    ],
    ['json long number', () => `{"messages":[{"body":${'9'.repeat(100_000)}}]}`],
    ['json escapes', () => `{"messages":[{"body":"${'\\u0041'.repeat(100_000)}"}]}`],
  );
  return builders.map(([label, build, depth]) =>
    Object.assign([label, build] as const, depth === undefined ? {} : { depth }),
  );
}

/** Deeply nested produce bodies only (item 8's shape), drawn more often than the rest. */
export const deepJson: fc.Arbitrary<{ body: Uint8Array; label: string; depth: number }> = fc
  .tuple(fc.constantFrom(1000, 4000, 4100, 4200, 10_000, 200_000), fc.constantFrom('[', '{"a":', '{"b":['))
  .map(([depth, open]) => {
    const close = open === '[' ? ']' : open === '{"a":' ? '}' : ']}';
    const inner = open === '{"a":' ? '1' : '';
    return {
      label: `nesting ${open} ${depth}`,
      body: enc(`{"messages":[{"body":${open.repeat(depth)}${inner}${close.repeat(depth)}}]}`),
      depth,
    };
  });

/** JSON bodies that are hostile as a whole; `depth` is set for the deeply nested ones (item 8's shape). */
export const hostileJson: fc.Arbitrary<{ body: Uint8Array; label: string; depth?: number }> = fc
  .constantFrom(...jsonBuilders())
  .map((b) => {
    const body = b[1]();
    return {
      label: b[0],
      body: typeof body === 'string' ? enc(body) : body,
      ...(b.depth === undefined ? {} : { depth: b.depth }),
    };
  });
