/**
 * Bundling cluster.ts with esbuild, started as early as possible. esbuild bundles in its own
 * process: when the process entry starts the bundle before it loads the CLI's modules (core,
 * zod, the engine), esbuild's start-up and the bundling run on another core meanwhile, and
 * loadProgram later takes the finished result instead of starting it then.
 *
 * Imports node built-ins only, so the entry can use it before anything else is loaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { readCachedBundle, writeCachedBundle } from './bundle-cache.ts';

/** Modules a program gets from the CLI itself (one construct model), never bundled. */
export const BOUND_MODULES = ['@berth/core', '@berth/core/testing', 'constructs'] as const;

/** The bundle and its source map, as esbuild returns them (or as the bundle cache kept them). */
export interface Bundle {
  readonly outputFiles: ReadonlyArray<{ readonly path: string; readonly text: string }>;
}

/** Where the bundle of `appFile` claims to live: beside it, so source-map paths resolve. */
export function bundleFileOf(appFile: string): string {
  return join(dirname(appFile), `.${basename(appFile)}.berth-bundle.cjs`);
}

function options(appFile: string): BuildOptions & { write: false } {
  return {
    entryPoints: [appFile],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    outfile: bundleFileOf(appFile),
    sourcemap: 'external',
    sourcesContent: false,
    external: [...BOUND_MODULES],
    absWorkingDir: dirname(appFile),
    logLevel: 'silent',
    keepNames: true,
  };
}

const cliRequire = createRequire(import.meta.url);

/** What the bundle of `appFile` depends on besides its inputs: esbuild's version and the options. */
export function bundleCacheKey(appFile: string): string {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(cliRequire.resolve('esbuild/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // keyed as unknown
  }
  return createHash('sha256').update(JSON.stringify({ version, options: options(appFile) })).digest('hex');
}

/**
 * Bundles `appFile` (rejects with esbuild's error, whose `errors` list the problems), or
 * takes the bundle the last run stored when nothing it was made from changed (bundle-cache.ts).
 */
export function bundle(appFile: string): Promise<Bundle> {
  const key = bundleCacheKey(appFile);
  const hit = readCachedBundle(process.env, appFile, key);
  const out = bundleFileOf(appFile);
  if (hit) return Promise.resolve({ outputFiles: [{ path: out, text: hit.code }, { path: `${out}.map`, text: hit.map }] });
  const startedAt = Date.now();
  // require, not import(): esbuild ships CommonJS, and importing CommonJS from ESM first scans
  // its whole source for export names (a tenth of a second on a busy machine).
  const { build } = cliRequire('esbuild') as typeof import('esbuild');
  return build({ ...options(appFile), metafile: true }).then((r) => {
    const code = r.outputFiles.find((f) => f.path === out)?.text;
    const map = r.outputFiles.find((f) => f.path === `${out}.map`)?.text;
    if (code !== undefined && map !== undefined) writeCachedBundle(process.env, appFile, key, dirname(appFile), r.metafile.inputs, { code, map }, startedAt);
    return r;
  });
}

let early: { file: string; result: Promise<Bundle> } | undefined;

/**
 * Starts bundling the program a command line will load (`--app FILE`, `-a FILE`, or
 * cluster.ts in `cwd`), if that file exists; does nothing for commands that load none.
 * A wrong guess only costs a bundle nobody takes.
 */
export function startBundle(argv: readonly string[], cwd: string): void {
  const [command, ...args] = argv;
  if (command === undefined || command === 'init' || command.startsWith('-') || args.includes('--help') || args.includes('-h')) return;
  let app: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if ((a === '--app' || a === '-a') && args[i + 1] !== undefined) app = args[i + 1];
    else if (a.startsWith('--app=')) app = a.slice('--app='.length);
  }
  const file = resolve(cwd, app ?? 'cluster.ts');
  if (!existsSync(file)) return;
  const result = bundle(file);
  // Not awaited until loadProgram takes it; a failure is reported there, not as unhandled.
  result.catch(() => undefined);
  early = { file, result };
}

/** The bundle startBundle began for `appFile`, else a new one. */
export function takeBundle(appFile: string): Promise<Bundle> {
  const e = early;
  early = undefined;
  return e && e.file === appFile ? e.result : bundle(appFile);
}
