/**
 * @module xml-async — `parseXmlAsync`: large documents are parsed on a worker thread.
 *
 * WHY: a RocketMQ message may be 4 MiB, and written as `&amp;` entities it is ~20 MiB on the wire. Decoding that
 * (UTF-8, the DTD check, entities) takes a few hundred ms here, all of it blocking every other client. A worker
 * takes the whole parse off the event loop; what stays is one copy of the bytes out and the decoded tree back
 * (a few ms per MiB). Small documents, the common case, are parsed in place: a thread hop costs more than they do.
 * One worker, created on the first large document and left unreferenced while idle, so it never keeps a process
 * alive; documents wait their turn there, and the body budget bounds how many are read at once.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { TextTooLongError, XmlCharError, XmlError } from './errors.js';
import { type ParseXmlOptions, parseXml, type XmlObject } from './xml.js';
import type { ParseAnswer } from './xml-worker.js';

/** Documents of at least this many bytes are parsed on the worker thread. */
export const OFF_THREAD_XML_BYTES = 1 << 20;

interface Pending {
  resolve(value: XmlObject): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

/** The worker's script: beside this module once built; under dist/ when this module runs from its sources (tests). */
function workerUrl(): URL {
  const built = new URL('./xml-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts') || existsSync(built)) return built;
  return new URL('../dist/xml-worker.js', import.meta.url);
}

function fail(error: Error): void {
  for (const p of pending.values()) p.reject(error);
  pending.clear();
  worker = undefined;
}

function theWorker(): Worker {
  if (worker !== undefined) return worker;
  const w = new Worker(workerUrl());
  w.unref();
  w.on('message', (answer: ParseAnswer) => {
    const p = pending.get(answer.id);
    if (p === undefined) return;
    pending.delete(answer.id);
    if (pending.size === 0) w.unref();
    if (answer.ok) p.resolve(answer.value as XmlObject);
    else if (answer.name === 'TextTooLongError') p.reject(new TextTooLongError(answer.limit ?? 0));
    else if (answer.name === 'XmlCharError') {
      const error = new XmlCharError(answer.character ?? '?', '');
      error.message = answer.message;
      p.reject(error);
    } else if (answer.name === 'XmlError') p.reject(new XmlError(answer.message));
    else p.reject(new Error(`XML worker: ${answer.name}: ${answer.message}`));
  });
  w.on('error', (error) => {
    if (worker === w) fail(error);
  });
  w.on('exit', (code) => {
    if (worker === w) fail(new Error(`XML worker exited with code ${code}`));
  });
  worker = w;
  return w;
}

/**
 * {@link parseXml}, with the same answers and errors, for callers that can wait: a document of
 * {@link OFF_THREAD_XML_BYTES} or more is parsed on a worker thread, so the event loop stays free meanwhile.
 * @example
 * const tree = await parseXmlAsync(request.body, { maxTextLength: 4 * 1024 * 1024 });
 */
export function parseXmlAsync(input: Uint8Array, options?: ParseXmlOptions): Promise<XmlObject> {
  if (input.byteLength < OFF_THREAD_XML_BYTES) {
    try {
      return Promise.resolve(parseXml(input, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const w = theWorker();
    pending.set(id, { resolve, reject });
    w.ref();
    // A copy is transferred: the caller's bytes stay readable (a body read once is kept on the node request for the
    // next handler of a chain), and a memcpy is many times faster than structured-cloning MiBs.
    const copy = new Uint8Array(input.byteLength);
    copy.set(input);
    w.postMessage({ id, input: copy, options }, [copy.buffer]);
  });
}
