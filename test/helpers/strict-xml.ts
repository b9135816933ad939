/**
 * @module strict-xml — is this answer a well-formed XML 1.0 document? Checked the way expat or libxml2 would: the
 * bytes must be UTF-8, and saxes (a conformant XML 1.0 parser) must accept every character, reference and tag.
 * fast-xml-parser's validator is lenient about control characters, so it cannot be the judge here.
 */
import { SaxesParser } from 'saxes';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What a strict parser read: the root element's local name, or why the document is not well-formed. */
export type StrictXml = { ok: true; root: string } | { ok: false; error: string };

/** Parses `body` (bytes or text) strictly; never throws. */
export function strictXml(body: Uint8Array | string): StrictXml {
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    try {
      text = utf8.decode(body);
    } catch {
      return { ok: false, error: 'not UTF-8' };
    }
  }
  const parser = new SaxesParser({ xmlns: true });
  let error: string | undefined;
  let root: string | undefined;
  parser.on('error', (e) => {
    error ??= e.message;
  });
  parser.on('opentag', (tag) => {
    root ??= tag.local;
  });
  try {
    parser.write(text).close();
  } catch (e) {
    error ??= (e as Error).message;
  }
  if (error !== undefined) return { ok: false, error };
  if (root === undefined) return { ok: false, error: 'no root element' };
  return { ok: true, root };
}

/**
 * The text of every element named `name` (local name, character data and CDATA joined), read by the strict
 * parser; `undefined` when the document is not well-formed.
 */
export function strictXmlValues(body: Uint8Array | string, name: string): string[] | undefined {
  if (!strictXml(body).ok) return undefined;
  const text = typeof body === 'string' ? body : utf8.decode(body);
  const parser = new SaxesParser({ xmlns: true });
  const values: string[] = [];
  let inside = 0;
  let current = '';
  parser.on('opentag', (tag) => {
    if (tag.local === name && inside++ === 0) current = '';
  });
  parser.on('text', (t) => {
    if (inside > 0) current += t;
  });
  parser.on('cdata', (t) => {
    if (inside > 0) current += t;
  });
  parser.on('closetag', (tag) => {
    if (tag.local === name && --inside === 0) values.push(current);
  });
  parser.write(text).close();
  return values;
}

/**
 * One strict pass over `body`: the root's local name and the text of every element that holds only text (by local
 * name, in document order); `undefined` when the document is not well-formed.
 */
export function strictXmlLeaves(
  body: Uint8Array | string,
): { root: string; leaves: Map<string, string[]> } | undefined {
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch {
    return undefined;
  }
  const parser = new SaxesParser({ xmlns: true });
  const leaves = new Map<string, string[]>();
  const stack: { name: string; text: string; leaf: boolean }[] = [];
  let root: string | undefined;
  let failed = false;
  parser.on('error', () => {
    failed = true;
  });
  parser.on('opentag', (tag) => {
    root ??= tag.local;
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.leaf = false;
    stack.push({ name: tag.local, text: '', leaf: true });
  });
  const onText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const top = stack.pop();
    if (top === undefined || !top.leaf) return;
    const list = leaves.get(top.name);
    if (list === undefined) leaves.set(top.name, [top.text]);
    else list.push(top.text);
  });
  try {
    parser.write(text).close();
  } catch {
    failed = true;
  }
  return failed || root === undefined ? undefined : { root, leaves };
}
