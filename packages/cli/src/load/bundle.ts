/**
 * Bundling cluster.ts with esbuild, started as early as possible. esbuild bundles in its own
 * process: when the process entry starts the bundle before it loads the CLI's modules (core,
 * zod, the engine), esbuild's start-up and the bundling run on another core meanwhile, and
 * loadProgram later takes the finished result instead of starting it then.
 *
 * Imports node built-ins only, so the entry can use it before anything else is loaded.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { BuildOptions, BuildResult } from 'esbuild';

/** Modules a program gets from the CLI itself (one construct model), never bundled. */
export const BOUND_MODULES = ['@berth/core', '@berth/core/testing', 'constructs'] as const;

export type Bundle = BuildResult<{ write: false; metafile: false }>;

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

/** Bundles `appFile` (rejects with esbuild's error, whose `errors` list the problems). */
export function bundle(appFile: string): Promise<Bundle> {
  // require, not import(): esbuild ships CommonJS, and importing CommonJS from ESM first scans
  // its whole source for export names (a tenth of a second on a busy machine).
  const { build } = cliRequire('esbuild') as typeof import('esbuild');
  return build(options(appFile)) as Promise<Bundle>;
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
