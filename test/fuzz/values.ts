/**
 * @module fuzz/values — the raw material of fuzz cases: nasty strings, numeric extremes, names, forged handles,
 * and the encodings that put them on the wire (percent-encoding for targets, XML text three ways, header-safe text).
 */
import fc from 'fast-check';

/** Any single UTF-16 code unit, lone surrogates included. */
export const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Strings that broke parsers somewhere once. */
export const NASTY: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\u0001',
  '\t',
  '\r\n',
  '\u0085',
  '.',
  '..',
  '../../etc/passwd',
  '%',
  '%00',
  '%ZZ',
  '%E0%A4',
  '%ED%A0%80',
  '%FF',
  '%C0%80',
  '\uD800',
  '\uDFFF',
  '\uFFFE',
  '\uFFFF',
  '\u202E',
  '\u{1F642}',
  '<',
  '>',
  '&',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '&lol;',
  ']]>',
  '<![CDATA[',
  '"',
  "'",
  '\\',
  '|',
  ':',
  '||',
  '*',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(121),
  'a'.repeat(257),
  'b'.repeat(5000),
  '-',
  '_',
  'GID_',
  'MQ_INST_1',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, literally
  '${jndi:ldap://x}',
  '%s%s%s%n',
];

/** Text of every kind: plain, any code point, any code unit (lone surrogates), and the nasty list. */
export const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 12 }) },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
);

/** Numeric edge cases as text: limits of every range in the specs and of every number type. */
export const NUMBERS: readonly string[] = [
  '0',
  '-0',
  '-1',
  '1',
  '2',
  '3',
  '10',
  '15',
  '16',
  '17',
  '29',
  '30',
  '31',
  '59',
  '60',
  '61',
  '100',
  '101',
  '300',
  '301',
  '1023',
  '1024',
  '65536',
  '65537',
  '4194304',
  '43200',
  '43201',
  '345600',
  '604800',
  '604801',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967296',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '18446744073709551616',
  '1e3',
  '1e309',
  '-1e309',
  '1.5',
  '0.0',
  '.5',
  '5.',
  '0x10',
  '0o7',
  '0b1',
  '+1',
  ' 1',
  '1 ',
  ' ',
  '',
  'NaN',
  'Infinity',
  '-Infinity',
  '00000000000000000001',
  '9'.repeat(400),
  '\u0661\u0662',
  '1_000',
  '1,000',
  '1e-400',
  '\u{1D7D9}',
];

/** A numeric parameter's value: the edges above, or any integer, big integer or double. */
export const number = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 2, arbitrary: fc.nat({ max: 70 }).map(String) },
);

/** A JSON number token with the same edges (what DMS bodies carry). */
export const jsonNumber = fc.oneof(
  fc.constantFrom(
    '0',
    '-0',
    '1',
    '-1',
    '1e309',
    '-1e309',
    '1e-400',
    '1.0',
    '100',
    '101',
    '72',
    '73',
    '9007199254740993',
    '18446744073709551616',
    '0.5',
    '1E2',
    '123456789012345678901234567890',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);

/** Percent-encodes the UTF-8 of `s` except unreserved characters (a lone surrogate becomes U+FFFD's bytes). */
export function percent(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A path segment or query value on the wire: encoded text, or raw percent garbage (sendable by node:http). */
export const segment = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: valid.map((v) => v.replace(/[^\x21-\x7e]/gu, (c) => percent(c))) },
    { weight: 3, arbitrary: text.map(percent) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%ZZ',
        '%E0%A4',
        '%ED%A0%80',
        '%FF',
        '%00',
        '%2F',
        '..',
        '.',
        '%2e%2e',
        '+',
        '%20',
      ),
    },
  );

/** Text usable as a header value by node:http (tab, printable ASCII, Latin-1). */
export function headerSafe(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c === 9 || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) ? ch : '?';
  }
  return out.trim();
}

/** Element text three ways: entity-escaped (Go SDK), CDATA (Node SDK), or raw and unescaped (@alicloud/mns). */
export const xmlText = (value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(value, fc.constantFrom('escape', 'cdata', 'raw'))
    .map(([v, how]) =>
      how === 'escape'
        ? v.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
        : how === 'cdata'
          ? `<![CDATA[${v.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
          : v,
    );

/**
 * Receipt handles: the real ones given, each mutated (a character flipped, cut, extended, its id prefix swapped
 * with another's, doubled), and made-up ones.
 */
export function forgedHandle(real: readonly string[]): fc.Arbitrary<string> {
  const pick = real.length === 0 ? fc.constant('1-AAAA') : fc.constantFrom(...real);
  return fc.oneof(
    { weight: 2, arbitrary: pick },
    {
      weight: 4,
      arbitrary: fc.tuple(pick, fc.nat(), fc.constantFrom(...'AZaz09-_+/=.%')).map(([h, i, c]) => {
        const at = i % Math.max(1, h.length);
        return h.slice(0, at) + c + h.slice(at + 1);
      }),
    },
    { weight: 1, arbitrary: fc.tuple(pick, fc.nat()).map(([h, i]) => h.slice(0, i % Math.max(1, h.length))) },
    { weight: 1, arbitrary: fc.tuple(pick, text).map(([h, t]) => h + t) },
    {
      weight: 2,
      arbitrary: fc.tuple(pick, pick).map(([a, b]) => {
        const dash = a.indexOf('-');
        const other = b.indexOf('-');
        return dash === -1 || other === -1 ? a + b : b.slice(0, other) + a.slice(dash);
      }),
    },
    { weight: 1, arbitrary: pick.map((h) => h + h) },
    { weight: 2, arbitrary: fc.base64String({ maxLength: 80 }) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,120}$/) },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: fc.constant('x'.repeat(10_000)) },
  );
}
