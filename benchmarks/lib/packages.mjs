/** @module benchmarks/lib/packages — which build of the Sluice packages a suite measures: a frozen snapshot, or the live dist/ */
/*
 * The packages are rebuilt by other work while benchmarks run (a rebuild half-written under a running suite
 * fails it with a SyntaxError, and a finished one mixes two builds into one report). `pnpm bench` therefore
 * copies every package's dist/ into a snapshot right after building, and points each suite at it through
 * SLUICE_PACKAGES (a directory holding core/, http/, mns/, rocketmq/, dms/, each with package.json and dist/).
 * Without SLUICE_PACKAGES a suite imports the live packages/<name>/dist, as when it is run on its own.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const LIVE = fileURLToPath(new URL('../../packages/', import.meta.url));
/** The packages the suites load (all of them are built by `pnpm build`). */
export const SNAPSHOT_PACKAGES = ['core', 'http', 'mns', 'rocketmq', 'dms'];

/** The directory holding the packages a suite should load (the snapshot when SLUICE_PACKAGES is set). */
export function packagesDir() {
  const dir = process.env.SLUICE_PACKAGES;
  return dir ? resolve(dir) : LIVE;
}

/**
 * URL of a built package's entry point, e.g. `packageEntry('core')` -> file:///…/core/dist/index.js.
 * @param {string} name
 */
export function packageEntry(name) {
  return pathToFileURL(join(packagesDir(), name, 'dist', 'index.js')).href;
}

/** Imports the built @sluice/core this run measures. */
export function importCore() {
  return import(packageEntry('core'));
}

/** Newest modification time under a package's dist/ (when it was built), or undefined when not built. */
export function builtAt(name, dir = packagesDir()) {
  let newest = 0;
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else newest = Math.max(newest, statSync(child).mtimeMs);
    }
  };
  try {
    walk(join(dir, name, 'dist'));
  } catch {
    return undefined;
  }
  return new Date(newest).toISOString();
}

/**
 * Copies every package's package.json and dist/ into `target` and links each one's dependencies: third-party
 * ones to the installed copies, `@sluice/*` ones to the snapshot's own packages (so the HTTP dialects load
 * the snapshot's core, not the live one). Answers the build time of each package copied.
 * @param {string} target an empty or absent directory
 */
export function snapshotPackages(target) {
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const built = {};
  for (const name of SNAPSHOT_PACKAGES) {
    const from = join(LIVE, name);
    if (!existsSync(join(from, 'dist', 'index.js'))) continue;
    const to = join(target, name);
    mkdirSync(to, { recursive: true });
    cpSync(join(from, 'package.json'), join(to, 'package.json'));
    // Timestamps kept: the snapshot's mtimes say when the build was made, not when it was copied.
    cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true, preserveTimestamps: true });
    built[name] = builtAt(name, target);
    const modules = join(to, 'node_modules');
    mkdirSync(join(modules, '@sluice'), { recursive: true });
    const deps = Object.keys(JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')).dependencies ?? {});
    for (const dep of deps) {
      if (dep.startsWith('@sluice/')) {
        symlinkSync(join(target, dep.slice('@sluice/'.length)), join(modules, dep), 'dir');
        continue;
      }
      const installed = join(from, 'node_modules', dep);
      if (!existsSync(installed)) continue;
      if (dep.includes('/')) mkdirSync(join(modules, dep.split('/')[0]), { recursive: true });
      symlinkSync(installed, join(modules, dep), 'dir');
    }
  }
  return built;
}
