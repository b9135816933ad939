/**
 * @module storage/layout — the files of a data directory: their names, and the manifest that says which
 * snapshot the log starts from.
 *
 *   seg-<16 digits>.log              a segment: records appended in order; the last record of a finished
 *                                    segment is `Sealed`, naming the segment that follows it
 *   snap-<base>-<4 digits>.log       a part of the snapshot of everything in segments <= base
 *   snap-<base>.manifest             the snapshot's manifest: its parts (name, bytes, CRC-32) and the first
 *                                    segment after it; committed by an atomic rename, and self-checked
 *   LOCK                             the lock held by the broker using the directory
 *   RESERVE                          space held back for a full disk (see log.ts)
 *
 * A directory always has a committed manifest once it was opened (a new one gets `snap-0` with no parts),
 * so a missing first segment, a missing part or a missing manifest is told apart from a new directory.
 */
import { crc32 } from 'node:zlib';

/** The name of segment `index`. */
export function segmentName(index: number): string {
  return `seg-${pad(index, 16)}.log`;
}

/** The name of part `part` of the snapshot based on segment `base`. */
export function partName(base: number, part: number): string {
  return `snap-${pad(base, 16)}-${pad(part, 4)}.log`;
}

/** The name of the manifest of the snapshot based on segment `base`. */
export function manifestName(base: number): string {
  return `snap-${pad(base, 16)}.manifest`;
}

/** File names of a data directory that are not log files but belong to it. */
export const LOCK_FILE = 'LOCK';
export const RESERVE_FILE = 'RESERVE';
/** Suffix of a file being written, before its rename: never part of the log. */
export const TMP_SUFFIX = '.tmp';

/** What a file name says a file is. */
export type NamedFile =
  | { readonly kind: 'segment'; readonly index: number }
  | { readonly kind: 'part'; readonly base: number; readonly part: number }
  | { readonly kind: 'manifest'; readonly base: number }
  | { readonly kind: 'tmp' };

const SEGMENT = /^seg-(\d{16})\.log$/;
const PART = /^snap-(\d{16})-(\d{4})\.log$/;
const MANIFEST = /^snap-(\d{16})\.manifest$/;
const TMP = /^(seg-\d{16}\.log|snap-\d{16}(-\d{4}\.log|\.manifest)|RESERVE)\.tmp$/;

/** What `name` is in a data directory, or undefined for a file that is not the log's. */
export function parseName(name: string): NamedFile | undefined {
  let m = SEGMENT.exec(name);
  if (m !== null) return { kind: 'segment', index: Number(m[1]) };
  m = PART.exec(name);
  if (m !== null) return { kind: 'part', base: Number(m[1]), part: Number(m[2]) };
  m = MANIFEST.exec(name);
  if (m !== null) return { kind: 'manifest', base: Number(m[1]) };
  if (TMP.test(name)) return { kind: 'tmp' };
  return undefined;
}

/** One part of a snapshot, as its manifest lists it. */
export interface ManifestPart {
  readonly name: string;
  readonly bytes: number;
  readonly crc32: number;
}

/** A committed snapshot: everything in segments <= `base` is in `parts`; the log goes on at segment `next`. */
export interface Manifest {
  readonly format: 2;
  readonly base: number;
  readonly next: number;
  readonly parts: readonly ManifestPart[];
}

/** A format-1 manifest: only the number of parts (named by position), nothing to check them by. */
export interface LegacyManifest {
  readonly format: 1;
  readonly base: number;
  readonly partCount: number;
}

/**
 * The bytes of a manifest: its JSON on one line, then the CRC-32 of that line in hex, so a damaged
 * manifest is never mistaken for a snapshot with other parts.
 */
export function encodeManifest(manifest: Manifest): Buffer {
  const json = JSON.stringify(manifest);
  return Buffer.from(`${json}\n${crc32(json).toString(16).padStart(8, '0')}\n`, 'utf8');
}

/** Why a manifest cannot be used: damaged, or written by a newer Sluice (`newerFormat`). */
export interface ManifestProblem {
  readonly problem: string;
  readonly newerFormat?: number;
}

/** Reads a manifest whose name says `base`; answers a {@link ManifestProblem} when it cannot be trusted. */
export function decodeManifest(bytes: Buffer, base: number): Manifest | LegacyManifest | ManifestProblem {
  const text = bytes.toString('utf8');
  const lines = text.split('\n');
  if (lines.length === 1 || (lines.length === 2 && lines[1] === '')) return decodeLegacy(lines[0]!, base);
  if (lines.length !== 3 || lines[2] !== '' || !/^[0-9a-f]{8}$/.test(lines[1]!))
    return damaged('not a manifest');
  if (crc32(lines[0]!) !== Number.parseInt(lines[1]!, 16)) return damaged('its checksum does not match');
  let value: unknown;
  try {
    value = JSON.parse(lines[0]!);
  } catch {
    return damaged('not a manifest');
  }
  const m = value as Partial<Manifest> | null;
  if (m === null || typeof m !== 'object') return damaged('not a manifest');
  if (typeof m.format === 'number' && m.format > 2)
    return { problem: `format ${m.format}`, newerFormat: m.format };
  if (
    m.format !== 2 ||
    m.base !== base ||
    !Number.isSafeInteger(m.next) ||
    !Array.isArray(m.parts) ||
    !m.parts.every(
      (p, i) =>
        p !== null &&
        typeof p === 'object' &&
        p.name === partName(base, i) &&
        Number.isSafeInteger(p.bytes) &&
        Number.isInteger(p.crc32),
    )
  ) {
    return damaged('its fields are not those of a manifest');
  }
  return m as Manifest;
}

/** True when `value` is a {@link ManifestProblem}. */
export function isManifestProblem(value: object): value is ManifestProblem {
  return 'problem' in value;
}

function decodeLegacy(line: string, base: number): LegacyManifest | ManifestProblem {
  try {
    const m = JSON.parse(line) as { version?: unknown; parts?: unknown };
    if (typeof m.version === 'number' && m.version > 1)
      return { problem: `format ${m.version}`, newerFormat: m.version };
    if (m.version === 1 && Number.isInteger(m.parts))
      return { format: 1, base, partCount: m.parts as number };
  } catch {
    // not JSON: damaged
  }
  return damaged('not a manifest');
}

function damaged(problem: string): ManifestProblem {
  return { problem };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
