/**
 * The bundle of cluster.ts, kept between runs: when every file the last bundle read is
 * byte-identical and nothing esbuild resolved through could resolve differently now, the
 * stored bundle is the bundle, and esbuild (its JS API and its Go process) is not started.
 * That is a fifth of the CPU of a no-op `berth deploy`, and on a machine whose cores are
 * busy (a health check per container per second) CPU is what a command waits for.
 *
 * "Could resolve differently" is judged conservatively, from what a resolver looks at:
 *  - every folder holding an input (a new file beside it may shadow an import: `x.tsx` beside
 *    `x.ts`, or a folder `x/`), by its modification time;
 *  - for every folder above an input, its `node_modules` (a package installed nearer), by
 *    modification time or absence, and for every package an input imports by name, where
 *    `node_modules/<name>` leads from each folder above the importer (a workspace symlink
 *    pointed elsewhere, a package installed nearer);
 *  - for every folder above an input, `package.json`, `tsconfig.json` and `jsconfig.json`
 *    (exports, main, paths, jsx…), by content or absence.
 * Another esbuild version or other bundling options give another key. A cache that
 * cannot be read or written is simply not used; BERTH_NO_BUNDLE_CACHE=1 turns it off.
 *
 * Imports node built-ins only (and the cache-folder rule beside the entry), like bundle.ts,
 * which uses it before the CLI's modules load.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { berthCacheDir } from '../../bin/cache-dir.mjs';

const FORMAT = 1;
const PROBED_FILES = ['package.json', 'tsconfig.json', 'jsconfig.json'];
/**
 * Linux stamps file times from a clock that advances once per tick (1–10 ms): a write after
 * esbuild started may carry a time up to a tick before it.
 */
const CHANGE_MARGIN_MS = 20;

export interface CachedBundle {
  readonly code: string;
  readonly map: string;
}

interface Entry {
  readonly format: number;
  readonly key: string;
  /** Absolute path → sha256 of its content. */
  readonly inputs: Record<string, string>;
  /** Absolute path → sha256 of its content, or null when absent. */
  readonly files: Record<string, string | null>;
  /** Absolute folder path → modification time in ms, or null when absent. */
  readonly dirs: Record<string, number | null>;
  /** Absolute `…/node_modules/<package>` path → its real path, or null when absent. */
  readonly packages: Record<string, string | null>;
  readonly code: string;
  readonly map: string;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function entryFile(env: NodeJS.ProcessEnv, appFile: string): string {
  return join(berthCacheDir(env), 'bundles', `${sha256(appFile).slice(0, 24)}.json`);
}

function contentOf(path: string): string | null {
  try {
    return sha256(readFileSync(path));
  } catch {
    return null;
  }
}

function realOf(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** `@scope/name` or `name` of a bare import specifier; undefined for a relative or absolute path. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function mtimeOf(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The folders above `dir`, itself first, up to the root. */
function foldersUp(dir: string): string[] {
  const out = [dir];
  for (let a = dir; dirname(a) !== a; a = dirname(a)) out.push(dirname(a));
  return out;
}

/** What a resolver looked at for these inputs and the package names each imported (see the header). */
function probesFor(inputs: ReadonlyMap<string, readonly string[]>): Pick<Entry, 'files' | 'dirs' | 'packages'> {
  const dirs: Record<string, number | null> = {};
  const files: Record<string, string | null> = {};
  const packages: Record<string, string | null> = {};
  const above = new Set<string>();
  for (const [input, imported] of inputs) {
    const d = dirname(input);
    dirs[d] ??= mtimeOf(d);
    const up = foldersUp(d);
    for (const a of up) above.add(a);
    for (const name of imported) for (const a of up) packages[join(a, 'node_modules', name)] ??= realOf(join(a, 'node_modules', name));
  }
  for (const a of above) {
    const nm = join(a, 'node_modules');
    dirs[nm] ??= mtimeOf(nm);
    for (const f of PROBED_FILES) files[join(a, f)] = contentOf(join(a, f));
  }
  return { files, dirs, packages };
}

/** The stored bundle of `appFile` made under `key`, when it still holds. */
export function readCachedBundle(env: NodeJS.ProcessEnv, appFile: string, key: string): CachedBundle | undefined {
  if (env['BERTH_NO_BUNDLE_CACHE']) return undefined;
  let e: Entry;
  try {
    e = JSON.parse(readFileSync(entryFile(env, appFile), 'utf8')) as Entry;
  } catch {
    return undefined;
  }
  if (e.format !== FORMAT || e.key !== key) return undefined;
  for (const [p, h] of Object.entries(e.inputs)) if (contentOf(p) !== h) return undefined;
  for (const [p, h] of Object.entries(e.files)) if (contentOf(p) !== h) return undefined;
  for (const [p, t] of Object.entries(e.dirs)) if (mtimeOf(p) !== t) return undefined;
  for (const [p, r] of Object.entries(e.packages)) if (realOf(p) !== r) return undefined;
  return { code: e.code, map: e.map };
}

/** The part of esbuild's metafile the cache reads: inputs relative to the working folder, and what each imported. */
export type MetafileInputs = Readonly<Record<string, { readonly imports: ReadonlyArray<{ readonly path: string; readonly original?: string }> }>>;

/**
 * Stores a bundle made under `key` from `inputs` (esbuild's metafile, paths relative to
 * `workingDir`), by an esbuild started at `startedAt` (ms since the epoch).
 */
export function writeCachedBundle(env: NodeJS.ProcessEnv, appFile: string, key: string, workingDir: string, inputs: MetafileInputs, bundle: CachedBundle, startedAt: number): void {
  if (env['BERTH_NO_BUNDLE_CACHE']) return;
  try {
    const byFile = new Map<string, string[]>();
    for (const [rel, info] of Object.entries(inputs)) {
      const names = info.imports.flatMap((i) => {
        const name = packageOf(i.original ?? i.path);
        return name === undefined ? [] : [name];
      });
      byFile.set(resolve(workingDir, rel), [...new Set(names)]);
    }
    const abs = [...byFile.keys()];
    const { files, dirs, packages } = probesFor(byFile);
    // What changed after esbuild started may differ from what it read: then store nothing
    // (the next run bundles and stores).
    const since = startedAt - CHANGE_MARGIN_MS;
    for (const t of Object.values(dirs)) if (t !== null && t >= since) return;
    const hashed: Record<string, string> = {};
    for (const p of abs) {
      const t = mtimeOf(p);
      if (t === null || t >= since) return;
      const h = contentOf(p);
      if (h === null) return; // an input vanished meanwhile
      hashed[p] = h;
    }
    const entry: Entry = { format: FORMAT, key, inputs: hashed, files, dirs, packages, code: bundle.code, map: bundle.map };
    const file = entryFile(env, appFile);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, file);
    prune(dirname(file));
  } catch {
    // no cache this time
  }
}

/** Entries kept: one per program path, so a machine that runs many throwaway apps (tests) stays bounded. */
export const MAX_ENTRIES = 256;

/** Past MAX_ENTRIES, removes the least recently written entries down to three quarters of it. */
function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  if (names.length <= MAX_ENTRIES) return;
  const aged = names.map((n) => ({ n, t: mtimeOf(join(dir, n)) ?? 0 })).sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - Math.floor((MAX_ENTRIES * 3) / 4))) rmSync(join(dir, n), { force: true });
}
