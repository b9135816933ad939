/**
 * @module storage/scan — what a data directory holds, before anything of it is read as records: which
 * manifest the log starts from, which files to replay in which order, which files a committed snapshot
 * made redundant, and the damage that can be seen from names, sizes and headers alone.
 *
 * Nothing here changes the directory. What is redundant is only listed: the caller deletes it once the
 * whole log has been read without damage.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_HEADER_BYTES, FileKind, FORMAT_VERSION, readFileHeader } from './codec.js';
import {
  decodeManifest,
  isManifestProblem,
  type LegacyManifest,
  type Manifest,
  manifestName,
  parseName,
  partName,
  segmentName,
} from './layout.js';

/** A log file to read. */
export interface PlannedFile {
  readonly name: string;
  readonly path: string;
  readonly kind: 'segment' | 'part';
  /** Segment number, or the snapshot's base segment for a part. */
  readonly index: number;
  /** Format version of the file (1 or 2); 0 when its header is missing (a file created just before a crash). */
  readonly version: number;
  /** Where its first frame starts. */
  readonly headerBytes: number;
  readonly size: number;
  /** The size and CRC-32 its manifest lists, for a snapshot part of format 2. */
  readonly expected?: { readonly bytes: number; readonly crc32: number };
}

/** Something wrong with the log, with where it is. */
export interface Damage {
  readonly file: string;
  /** Byte offset in `file`, when the damage is at a place in it. */
  readonly offset?: number;
  readonly problem: string;
}

/** What {@link scanDirectory} found. */
export interface LogPlan {
  /** `fresh`: no log yet. `current`: format 2. `legacy`: format 1 (rewritten once opened). */
  readonly mode: 'fresh' | 'current' | 'legacy';
  readonly manifest: Manifest | undefined;
  readonly legacyManifest: LegacyManifest | undefined;
  /** Snapshot parts, in order. */
  readonly parts: readonly PlannedFile[];
  /** Segments after the snapshot, by number: the chain of the log (and leftovers the reader tells apart). */
  readonly segments: readonly PlannedFile[];
  /** Files a committed snapshot made redundant: deleted once the log has been read. */
  readonly superseded: readonly string[];
  /** Parts of snapshots whose manifest was never committed, by base: redundant when the log covers base + 1. */
  readonly uncommitted: ReadonlyMap<number, readonly string[]>;
  /** The highest segment number the directory has used (so a new segment never reuses a name). */
  readonly lastIndex: number;
  /** Damage seen without reading records. */
  readonly damage: readonly Damage[];
  /** A file written by a newer Sluice: nothing may be changed. */
  readonly newer: { readonly file: string; readonly version: number } | undefined;
}

interface Seen {
  readonly name: string;
  readonly version: number;
  readonly headerBytes: number;
  readonly size: number;
  readonly headerProblem: string | undefined;
}

/**
 * Reads the names, sizes, headers and manifests of `dir`. With `salvage` (a repair), a manifest that is
 * damaged or missing is reported and stood in for by the best snapshot still there (the newest whose
 * parts are present), or none, so that whatever can be read is read.
 */
export function scanDirectory(dir: string, salvage = false): LogPlan {
  const damage: Damage[] = [];
  let newer: LogPlan['newer'];
  const segments = new Map<number, Seen>();
  const parts = new Map<number, Map<number, Seen>>();
  const manifests: { base: number; name: string; value: ReturnType<typeof decodeManifest> }[] = [];
  let lastIndex = 0;
  for (const name of readdirSync(dir).sort()) {
    const named = parseName(name);
    if (named === undefined || named.kind === 'tmp') continue;
    if (named.kind === 'manifest') {
      const value = decodeManifest(readFileSync(join(dir, name)), named.base);
      if (isManifestProblem(value) && value.newerFormat !== undefined) {
        newer ??= { file: name, version: value.newerFormat };
      }
      manifests.push({ base: named.base, name, value });
      lastIndex = Math.max(lastIndex, named.base);
      continue;
    }
    const seen = readHeader(
      dir,
      name,
      named.kind === 'segment' ? FileKind.Segment : FileKind.SnapshotPart,
      named,
    );
    if (seen.version > FORMAT_VERSION) newer ??= { file: name, version: seen.version };
    if (named.kind === 'segment') {
      segments.set(named.index, seen);
      lastIndex = Math.max(lastIndex, named.index);
    } else {
      const byPart = parts.get(named.base) ?? new Map<number, Seen>();
      parts.set(named.base, byPart);
      byPart.set(named.part, seen);
      lastIndex = Math.max(lastIndex, named.base);
    }
  }

  manifests.sort((a, b) => b.base - a.base);
  const newest = manifests[0];
  const superseded: string[] = [];
  const uncommitted = new Map<number, string[]>();
  const planned = (seen: Seen, kind: 'segment' | 'part', index: number): PlannedFile => ({
    name: seen.name,
    path: join(dir, seen.name),
    kind,
    index,
    version: seen.version,
    headerBytes: seen.headerBytes,
    size: seen.size,
  });
  const sortedSegments = [...segments.entries()].sort((a, b) => a[0] - b[0]);
  const plan = (
    mode: LogPlan['mode'],
    manifest: Manifest | undefined,
    legacyManifest: LegacyManifest | undefined,
    plannedParts: PlannedFile[],
    chain: PlannedFile[],
  ): LogPlan => ({
    mode,
    manifest,
    legacyManifest,
    parts: plannedParts,
    segments: chain,
    superseded,
    uncommitted,
    lastIndex,
    damage,
    newer,
  });
  /** The segments from `first` on (those before it are superseded by the snapshot). */
  const chainFrom = (first: number): PlannedFile[] => {
    const chain: PlannedFile[] = [];
    for (const [index, seen] of sortedSegments) {
      if (index < first) superseded.push(seen.name);
      else {
        if (seen.headerProblem !== undefined) damage.push({ file: seen.name, problem: seen.headerProblem });
        chain.push(planned(seen, 'segment', index));
      }
    }
    return chain;
  };
  const hasV1 =
    sortedSegments.some(([, s]) => s.version === 1) ||
    [...parts.values()].some((byPart) => [...byPart.values()].some((s) => s.version === 1));

  // Format 2: the newest manifest names the snapshot and the first segment after it.
  let manifest: Manifest | undefined;
  let manifestName_ = newest?.name ?? '';
  const newestValue = newest?.value;
  if (newestValue !== undefined && isManifestProblem(newestValue)) {
    damage.push({ file: newest!.name, problem: `the manifest cannot be read (${newestValue.problem})` });
  } else if (newestValue !== undefined && newestValue.format === 2) {
    manifest = newestValue;
  }
  const holdsRecords = [
    ...sortedSegments.map(([, s]) => s),
    ...[...parts.values()].flatMap((p) => [...p.values()]),
  ].some((s) => s.size > s.headerBytes && s.headerBytes > 0);
  if (newest === undefined && !hasV1 && (holdsRecords || parts.size > 0)) {
    damage.push({
      file: manifestName(0),
      problem: 'the log files have no manifest (it was deleted or never written)',
    });
  }
  if (manifest === undefined && damage.length > 0) {
    if (!salvage) {
      const chain = sortedSegments.map(([index, seen]) => planned(seen, 'segment', index));
      return plan('current', undefined, undefined, [], chain);
    }
    manifest = standIn(manifests, parts, sortedSegments);
    manifestName_ = manifestName(manifest.base);
  }
  if (manifest !== undefined) {
    const plannedParts: PlannedFile[] = [];
    const own = parts.get(manifest.base) ?? new Map<number, Seen>();
    manifest.parts.forEach((listed, i) => {
      const seen = own.get(i);
      if (seen === undefined) {
        damage.push({ file: listed.name, problem: `snapshot part listed by ${manifestName_} is missing` });
        return;
      }
      if (seen.headerProblem !== undefined) damage.push({ file: seen.name, problem: seen.headerProblem });
      else if (seen.size !== listed.bytes) {
        damage.push({
          file: seen.name,
          problem: `snapshot part has ${seen.size} bytes, ${manifestName_} lists ${listed.bytes}`,
        });
      }
      plannedParts.push(
        listed.crc32 < 0
          ? planned(seen, 'part', manifest!.base)
          : { ...planned(seen, 'part', manifest!.base), expected: listed },
      );
    });
    for (const [part, seen] of own) if (part >= manifest.parts.length) superseded.push(seen.name);
    sortParts(parts, manifest.base, superseded, uncommitted);
    for (const m of manifests) if (m.base < manifest.base) superseded.push(m.name);
    const chain = chainFrom(manifest.next);
    return plan('current', manifest, undefined, plannedParts, chain);
  }

  // Format 1 (Sluice 0.1): replayed as it was written, then rewritten in format 2.
  if (hasV1) {
    const legacy = newest?.value as LegacyManifest | undefined;
    const base = legacy?.base ?? -1;
    const plannedParts: PlannedFile[] = [];
    const own = parts.get(base) ?? new Map<number, Seen>();
    for (let i = 0; i < (legacy?.partCount ?? 0); i++) {
      const seen = own.get(i);
      if (seen === undefined) damage.push({ file: partName(base, i), problem: 'snapshot part is missing' });
      else plannedParts.push(planned(seen, 'part', base));
    }
    sortParts(parts, base, superseded, uncommitted);
    for (const m of manifests) if (m !== newest) superseded.push(m.name);
    const chain = chainFrom(base + 1);
    return plan('legacy', undefined, legacy, plannedParts, chain);
  }

  // No manifest and no record anywhere: a new directory, or one that crashed while it was being created.
  const files = [...sortedSegments.map(([, s]) => s), ...[...parts.values()].flatMap((p) => [...p.values()])];
  superseded.push(...files.map((s) => s.name));
  return plan('fresh', undefined, undefined, [], []);
}

/**
 * Salvage: a manifest to read the log by when the real one is damaged or missing. The newest valid older
 * manifest; else the newest snapshot whose parts start at part 0 (checked by the read, not by a list);
 * else no snapshot, with the log starting at the first segment there is.
 */
function standIn(
  manifests: readonly { base: number; value: ReturnType<typeof decodeManifest> }[],
  parts: ReadonlyMap<number, ReadonlyMap<number, Seen>>,
  segments: readonly (readonly [number, Seen])[],
): Manifest {
  for (const m of manifests) if (!isManifestProblem(m.value) && m.value.format === 2) return m.value;
  const bases = [...parts.keys()].filter((b) => parts.get(b)!.has(0)).sort((a, b) => b - a);
  const base = bases[0];
  if (base !== undefined) {
    const own = parts.get(base)!;
    const listed = [];
    for (let i = 0; own.has(i); i++)
      listed.push({ name: partName(base, i), bytes: own.get(i)!.size, crc32: -1 });
    return { format: 2, base, next: base + 1, parts: listed };
  }
  return { format: 2, base: 0, next: segments[0]?.[0] ?? 1, parts: [] };
}

/** Parts of snapshots other than the one at `base`: older ones are superseded, newer ones never committed. */
function sortParts(
  parts: ReadonlyMap<number, ReadonlyMap<number, Seen>>,
  base: number,
  superseded: string[],
  uncommitted: Map<number, string[]>,
): void {
  for (const [b, byPart] of parts) {
    if (b === base) continue;
    const names = [...byPart.values()].map((s) => s.name);
    if (b < base) superseded.push(...names);
    else uncommitted.set(b, names);
  }
}

/** Reads the header of a log file and checks that it names the file. */
function readHeader(
  dir: string,
  name: string,
  kind: number,
  named: { kind: 'segment'; index: number } | { kind: 'part'; base: number; part: number },
): Seen {
  const fd = openSync(join(dir, name), 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.alloc(Math.min(size, FILE_HEADER_BYTES));
    readSync(fd, bytes, 0, bytes.length, 0);
    const header = readFileHeader(bytes);
    if (header === 'short') return { name, version: 0, headerBytes: 0, size, headerProblem: undefined };
    if (header === 'foreign') {
      return { name, version: 0, headerBytes: 0, size, headerProblem: 'not a Sluice log file (bad header)' };
    }
    if (header.version !== FORMAT_VERSION) {
      return { name, version: header.version, headerBytes: header.bytes, size, headerProblem: undefined };
    }
    const index = named.kind === 'segment' ? named.index : named.base;
    const part = named.kind === 'segment' ? 0 : named.part;
    const expected = named.kind === 'segment' ? segmentName(index) : partName(index, part);
    const problem =
      header.kind !== kind || header.index !== index || header.part !== part
        ? `its header says it is another file than ${expected} (copied or renamed?)`
        : undefined;
    return { name, version: header.version, headerBytes: header.bytes, size, headerProblem: problem };
  } finally {
    closeSync(fd);
  }
}
