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
import { App, BerthError, Cluster, isResource, setOwnFrameTest, setParamInput, SynthFailure, type Construct, type Diagnostic, type ParamInput, type RawFrames, type SourceLocation } from '@berth/core';
import { BOUND_MODULES, bundleFileOf, takeBundle } from './bundle.ts';
import { CreationLog } from './creation-log.ts';
import { PropertyLocator } from './property-locations.ts';
import { BundleMapper } from './source-map.ts';
import { findThrowSite } from './throw-site.ts';

export interface LoadedProgram {
  readonly appFile: string;
  readonly appDir: string;
  /** The Apps to synthesize: the exported one, or (when the export is wrong) every App created. */
  readonly apps: readonly App[];
  readonly mapper: BundleMapper;
  /**
   * What is wrong with the program's exports. Its Apps are still synthesized, so their own
   * problems are listed too; synth fails when this is not empty.
   */
  readonly problems: readonly Diagnostic[];
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

export async function loadProgram(appFile: string, params?: ParamInput): Promise<LoadedProgram> {
  const appDir = dirname(appFile);
  // A name beside cluster.ts, so the source map's relative paths resolve against appDir.
  const bundleFile = bundleFileOf(appFile);
  let result;
  try {
    // Usually started by the process entry before the CLI's modules loaded (bundle.ts).
    result = await takeBundle(appFile);
  } catch (e) {
    const errors = (e as { errors?: EsbuildMessage[] }).errors;
    if (!errors) throw new BerthError('load.syntax', `esbuild could not bundle ${appFile}`, { cause: e });
    throw new SynthFailure(errors.map((m) => bundleDiagnostic(m, appDir)));
  }
  const js = result.outputFiles.find((f) => f.path.endsWith('.cjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!js || !map) throw new BerthError('internal', 'esbuild returned no bundle');
  const mapper = new BundleMapper(bundleFile, map.text);

  const userRequire = createRequire(appFile);
  const req = (id: string): unknown => (id in BOUND ? BOUND[id as keyof typeof BOUND] : userRequire(id));
  const fn = vm.compileFunction(js.text, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: bundleFile });
  /** Runs the program once; its module's exports, with a promise default export awaited. */
  const run = async (): Promise<{ exports: Record<string, unknown>; def: unknown }> => {
    const module = { exports: {} as Record<string, unknown> };
    App.resetCreated();
    await fn(module.exports, req, module, appFile, appDir);
    // A program may export a promise (top-level await is not available in CJS; async main() is).
    let def = module.exports['default'];
    if (def && typeof (def as Promise<unknown>).then === 'function') def = await def;
    return { exports: module.exports, def };
  };
  const log = new CreationLog();
  let ran: Awaited<ReturnType<typeof run>>;
  // Constructs made by the program's own lines are located by one captured frame.
  setOwnFrameTest((file, line, column) => mapper.isOwn(file, line, column));
  // The program's `new App()` takes the parameters berth was given.
  setParamInput(params);
  log.start();
  try {
    ran = await run();
  } catch (e) {
    log.stop();
    if (e instanceof SynthFailure) throw e;
    throw new SynthFailure([await thrownDiagnostic(e, { mapper, log, appDir, run })]);
  } finally {
    log.stop();
    setOwnFrameTest(undefined);
    setParamInput(undefined);
  }
  const { apps, problems } = checkExports(appFile, ran.exports, ran.def, mapper);
  return { appFile, appDir, apps, mapper, problems };
}

interface EsbuildMessage {
  readonly text: string;
  readonly location?: { readonly file: string; readonly line: number; readonly column: number } | null;
}

/** One problem esbuild found: a missing package or file is not a syntax error. */
function bundleDiagnostic(m: EsbuildMessage, appDir: string): Diagnostic {
  const location = m.location ? { file: resolve(appDir, m.location.file), line: m.location.line, column: m.location.column + 1 } : undefined;
  const unresolved = /^Could not resolve "([^"]+)"/.exec(m.text)?.[1];
  if (unresolved !== undefined) return missingModule(unresolved, location);
  return { code: 'load.syntax', message: m.text, location, hint: 'fix the TypeScript syntax at this position' };
}

/** An import that resolves to nothing: a package to install, or a path to fix. */
function missingModule(spec: string, location: SourceLocation | undefined): Diagnostic {
  if (spec.startsWith('.') || spec.startsWith('/')) {
    return { code: 'load.not-found', message: `cannot find "${spec}", imported here`, location, hint: 'fix the import path: it is relative to the importing file' };
  }
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
  if (spec.startsWith('node:')) return { code: 'load.not-found', message: `"${spec}" is not a Node.js built-in module`, location, hint: 'check the module name' };
  return { code: 'load.missing-package', message: `package "${pkg}" is not installed${pkg === spec ? '' : ` (imported as "${spec}")`}`, location, hint: `install it where cluster.ts is: npm install ${pkg}` };
}

/** What the program threw, located in cluster.ts and named by the construct being built. */
async function thrownDiagnostic(e: unknown, ctx: { mapper: BundleMapper; log: CreationLog; appDir: string; run: () => Promise<unknown> }): Promise<Diagnostic> {
  const { mapper, log } = ctx;
  const be = BerthError.is(e) ? e : undefined;
  if (e instanceof Error && (e as { code?: unknown }).code === 'MODULE_NOT_FOUND') {
    const spec = /Cannot find module '([^']+)'/.exec(e.message)?.[1];
    if (spec !== undefined) return missingModule(spec, mapper.locationInStack(e.stack ?? ''));
  }
  let location: SourceLocation | undefined;
  let construct: Construct | undefined;
  let message: string;
  if (e instanceof Error) {
    location = be?.location ?? mapper.locationInStack(e.stack ?? '');
    construct = log.constructOf(e.stack ?? '');
    message = be ? be.message : `the program threw ${e.name}: ${e.message}`;
  } else {
    // No stack to read: run the program again under the inspector to see where it throws.
    const site = await findThrowSite(e, ctx.run, mapper.bundleFile);
    location = site ? mapper.map1(site) : undefined;
    construct = site ? log.lastOfClass(site.functions.filter((f) => f !== '')) : undefined;
    message = `the program threw ${describeThrown(e)}`;
  }
  const hint = be?.hint ?? (e instanceof Error ? 'fix the error in the program (BERTH_DEBUG=1 prints the whole stack trace)' : 'fix the error in the program; throw an Error rather than a bare value, so it carries a stack trace');
  const path = be?.constructPath ?? (construct?.node.path || undefined);
  return { code: be ? be.code : 'load.exception', message, location, constructPath: path, kind: be?.kind ?? (path !== undefined ? construct?.constructor.name : undefined), hint };
}

function describeThrown(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (v === undefined || v === null) return String(v);
  if (typeof v === 'object') {
    try {
      return `the value ${JSON.stringify(v)}`;
    } catch {
      return 'an object';
    }
  }
  return `the value ${String(v)}`;
}

/**
 * The App the program exports. `export default app` is how a program says what to synthesize:
 * anything else there (a Cluster, an object, nothing) and a second App beside it are errors,
 * never guessed at. The Apps created are still returned, so their own problems are reported
 * beside the export's.
 */
function checkExports(appFile: string, exports: Record<string, unknown>, def: unknown, mapper: BundleMapper): { apps: App[]; problems: Diagnostic[] } {
  const name = basename(appFile);
  const created = [...App.created()];
  const at = (frames: RawFrames): SourceLocation | undefined => mapper.resolve(frames);
  const hasDefault = 'default' in exports || App.isApp(exports);
  const exported = App.isApp(exports) ? exports : def;
  if (!hasDefault) {
    if (created.length === 0) {
      throw new SynthFailure([{ code: 'synth.no-app', message: `${name} creates no App`, location: { file: appFile, line: 1, column: 1 }, hint: "start the program with `const app = new App();`, add a Cluster to it and end with `export default app;`" }]);
    }
    const problems = created.map((a) => ({ code: 'load.bad-export' as const, message: `${name} has no default export, so berth cannot tell which App to synthesize`, location: at(a.frames), hint: 'end the program with `export default app;` (the App created here)' }));
    return { apps: created, problems };
  }
  if (!App.isApp(exported)) {
    const src = new PropertyLocator().source(appFile);
    const offset = src?.exportDefaults()[0];
    const location = src && offset !== undefined ? { file: appFile, ...src.positionOf(offset) } : { file: appFile, line: 1, column: 1 };
    const isCluster = Cluster.isCluster(exported);
    const problem: Diagnostic = {
        code: 'load.bad-export',
        message: `the default export of ${name} is ${describeExport(exported)}, not an App`,
        location,
        constructPath: isCluster ? (exported as Cluster).node.path : undefined,
        kind: isCluster ? 'Cluster' : undefined,
        hint: isCluster ? 'export the App the Cluster belongs to: `export default app;`' : created.length > 0 ? 'export the App itself: `export default app;`' : 'create an App (`const app = new App();`) and `export default app;`',
    };
    return { apps: created, problems: [problem] };
  }
  const others = created.filter((a) => a !== exported);
  return {
    apps: [exported, ...others],
    problems: others.map((a) => ({
        code: 'synth.many-apps',
        message: `a second App is created here, but berth synthesizes only the App ${name} exports${a.node.children.length > 0 ? ` (this one holds ${a.node.children.map((c) => `"${c.node.id}"`).join(', ')})` : ''}`,
        location: at(a.frames),
        hint: 'add its Clusters to the exported App (one App holds many Clusters), or give it a program of its own',
    })),
  };
}

function describeExport(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Cluster.isCluster(v)) return `the Cluster "${v.node.id}"`;
  if (isResource(v)) return `the ${v.kind} ${(v as unknown as Construct).node.path}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v !== 'object') return `${typeof v} ${JSON.stringify(v)}`;
  if (Array.isArray(v)) return 'an array';
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
