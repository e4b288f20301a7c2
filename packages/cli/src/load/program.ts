/**
 * Loads a user's cluster.ts: esbuild bundles it (npm packages resolved from the user's
 * node_modules, no type-check), then it runs in this process with `@berth/core` and
 * `constructs` bound to the CLI's own copies — one construct model, whatever version a
 * construct library was installed with.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import vm from 'node:vm';
import * as constructs from 'constructs';
import * as core from '@berth/core';
import * as coreTesting from '@berth/core/testing';
import { App, BerthError, setOwnFrameTest, SynthFailure, type Diagnostic } from '@berth/core';
import { BOUND_MODULES, bundleFileOf, takeBundle } from './bundle.ts';
import { BundleMapper } from './source-map.ts';

export interface LoadedProgram {
  readonly appFile: string;
  readonly appDir: string;
  readonly apps: readonly App[];
  readonly mapper: BundleMapper;
}

const BOUND: Record<(typeof BOUND_MODULES)[number], unknown> = {
  '@berth/core': core,
  '@berth/core/testing': coreTesting,
  constructs,
};

/** Finds the program: `--app FILE`, else `cluster.ts` in the working directory. */
export function resolveAppFile(cwd: string, app: string | undefined): string {
  const file = resolve(cwd, app ?? 'cluster.ts');
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new BerthError('load.not-found', `no program at ${file}`, {
      hint: app ? 'check the --app path' : 'run berth where cluster.ts is, or pass --app path/to/cluster.ts',
    });
  }
  return file;
}

export async function loadProgram(appFile: string): Promise<LoadedProgram> {
  const appDir = dirname(appFile);
  // A name beside cluster.ts, so the source map's relative paths resolve against appDir.
  const bundleFile = bundleFileOf(appFile);
  let result;
  try {
    // Usually started by the process entry before the CLI's modules loaded (bundle.ts).
    result = await takeBundle(appFile);
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number; lineText?: string } | null }> }).errors;
    if (!errors) throw new BerthError('load.syntax', `esbuild could not bundle ${appFile}`, { cause: e });
    throw new SynthFailure(
      errors.map((m): Diagnostic => ({
        code: 'load.syntax',
        message: m.text,
        location: m.location ? { file: resolve(appDir, m.location.file), line: m.location.line, column: m.location.column + 1 } : undefined,
        hint: /Could not resolve/.test(m.text) ? 'install the package (npm install) or fix the import path' : 'fix the TypeScript syntax at this position',
      })),
    );
  }
  const js = result.outputFiles.find((f) => f.path.endsWith('.cjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!js || !map) throw new BerthError('internal', 'esbuild returned no bundle');
  const mapper = new BundleMapper(bundleFile, map.text);

  const userRequire = createRequire(appFile);
  const req = (id: string): unknown => (id in BOUND ? BOUND[id as keyof typeof BOUND] : userRequire(id));
  const module = { exports: {} as Record<string, unknown> };
  App.resetCreated();
  // Constructs made by the program's own lines are located by one captured frame.
  setOwnFrameTest((file, line, column) => mapper.isOwn(file, line, column));
  try {
    const fn = vm.compileFunction(js.text, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: bundleFile });
    await fn(module.exports, req, module, appFile, appDir);
    // A program may export a promise (top-level await is not available in CJS; async main() is).
    const def = module.exports['default'];
    if (def && typeof (def as Promise<unknown>).then === 'function') await def;
  } catch (e) {
    if (e instanceof SynthFailure) throw e;
    const err = e instanceof Error ? e : new Error(String(e));
    const location = mapper.locationInStack(err.stack ?? '');
    const be = BerthError.is(e) ? e : undefined;
    throw new SynthFailure([
      {
        code: be ? be.code : 'load.exception',
        message: be ? be.message : `the program threw ${err.name}: ${err.message}`,
        location: be?.location ?? location,
        constructPath: be?.constructPath,
        hint: be?.hint ?? 'fix the error in the program (BERTH_DEBUG=1 prints the whole stack trace)',
      },
    ]);
  } finally {
    setOwnFrameTest(undefined);
  }
  const exported = module.exports['default'];
  const apps = App.isApp(exported) ? [exported] : [...App.created()];
  if (apps.length === 0) {
    throw new SynthFailure([
      { code: 'synth.no-app', message: `${basename(appFile)} creates no App`, location: { file: appFile, line: 1, column: 1 }, hint: "start the program with `const app = new App();` and add a Cluster to it" },
    ]);
  }
  return { appFile, appDir, apps, mapper };
}
