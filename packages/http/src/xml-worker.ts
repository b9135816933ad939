/**
 * @module xml-worker — the worker thread behind {@link parseXmlAsync}: parses the documents it is sent, one at a
 * time, and answers each with its tree or the error, by name (errors do not cross threads as their classes).
 */
import { parentPort } from 'node:worker_threads';
import { TextTooLongError, XmlCharError } from './errors.js';
import { type ParseXmlOptions, parseXml } from './xml.js';

/** A document to parse. */
export interface ParseRequest {
  readonly id: number;
  readonly input: Uint8Array;
  readonly options: ParseXmlOptions | undefined;
}

/** What the worker answers. */
export type ParseAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly name: string;
      readonly message: string;
      readonly limit?: number;
      readonly character?: string;
    };

parentPort?.on('message', ({ id, input, options }: ParseRequest) => {
  let answer: ParseAnswer;
  try {
    answer = { id, ok: true, value: parseXml(input, options) };
  } catch (error) {
    const e = error as Error;
    answer = {
      id,
      ok: false,
      name: e.name,
      message: e.message,
      ...(e instanceof TextTooLongError ? { limit: e.limit } : {}),
      ...(e instanceof XmlCharError ? { character: e.character } : {}),
    };
  }
  parentPort?.postMessage(answer);
});
