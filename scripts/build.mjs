// Builds the three packages into what they publish (`npm run build`; each package's `prepack`
// runs it too, so a packed or published package always carries a fresh build):
//   @berth/core, @berth/engine, @berth/target-kubernetes  tsc -b: per-module JavaScript (ESM) and .d.ts in dist/ (and so
//                               examples/construct-library, built as a published library is)
//   @berth/cli                  dist/berth.cjs (below: what `berth` runs), dist/index.js (the
//                               ESM library entry: main, registerCommand), .d.ts in dist/types,
//                               and dist/proxy: the engine's proxy sources, which the bundled
//                               engine builds its image from (found beside the bundle)
//
// The CLI is bundled into one CommonJS file, dist/berth.cjs, which bin/berth.mjs runs through V8's
// code cache (see there): a cached run skips parsing and compiling the CLI, and one file is
// one cache. Modules still initialise lazily — esbuild wraps each module that is imported
// with import() — so `berth synth` of a program without an ImageBuild never runs the engine's
// module code, and a command's module runs only for that command.
//
// dockerode and docker-modem are bundled, with the parts berth rarely needs replaced by lazy
// shims (see LAZY below): required as published, `require('dockerode')` cost ~220 ms per
// process, most of it ssh2 (docker-modem's lib/ssh.js requires it at load for ssh:// hosts)
// and @grpc/grpc-js + @grpc/proto-loader (dockerode's lib/session.js, used only for BuildKit
// sessions) — paid by every deploy, status and destroy talking to a local socket. A shim
// requires the real module from node_modules on first use, so an ssh:// host still works;
// ssh2 and its native add-on cpu-features are never bundled.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// --- core and engine (JavaScript and types), the CLI's types: one incremental tsc build.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', 'packages/cli/tsconfig.build.json', 'packages/target-kubernetes/tsconfig.build.json', 'examples/construct-library/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
// tsc rewrites `./x.ts` to `./x.js` in JavaScript but keeps it in .d.ts, which a user's tsc
// (without allowImportingTsExtensions) would reject: the types name the .js files too.
for (const pkg of ['packages/core', 'packages/engine', 'packages/cli', 'packages/target-kubernetes', 'examples/construct-library']) rewriteDeclarations(join(root, pkg, 'dist'));

function rewriteDeclarations(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const f = join(dir, e.name);
    if (e.isDirectory()) rewriteDeclarations(f);
    else if (e.name.endsWith('.d.ts')) {
      const text = readFileSync(f, 'utf8');
      const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
      if (fixed !== text) writeIfChanged(f, fixed);
    }
  }
}

/**
 * Modules replaced by a lazy shim, by who requires them (a package under node_modules, or
 * `berth` for our own sources) and the specifier used. A shim requires the real module on
 * first call or property access: for dockerode and docker-modem, from the installed dockerode
 * (so node resolves it as it would from there: dockerode's own docker-modem and tar-fs 2); for
 * berth, from the bundle, as an external import would. session.js and buildkit.js also read
 * proto files beside themselves (`__dirname`), which only works from their own folder.
 */
const LAZY = {
  'docker-modem': {
    // requires ssh2 (and through it the optional native add-on cpu-features): ssh:// hosts only
    './ssh': 'docker-modem/lib/ssh.js',
  },
  dockerode: {
    // requires @grpc/grpc-js and @grpc/proto-loader: BuildKit sessions (build version "2") only
    './session': './session.js',
    // requires protobufjs: BuildKit progress only
    './buildkit': './buildkit.js',
    // tar-fs 2: packing a build context given as a folder only (berth streams its own tar)
    'tar-fs': 'tar-fs',
  },
  berth: {
    // building images only (build contexts, the proxy's base image): not a deploy of built images
    'tar-fs': 'tar-fs',
    '@balena/dockerignore': '@balena/dockerignore',
  },
};

/** Who requires from a folder: the innermost package under node_modules, else berth itself. */
function ownerOf(dir) {
  const parts = dir.split(/[\\/]/);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) return 'berth';
  return parts[i + 1]?.startsWith('@') ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1];
}

const lazyShims = {
  name: 'berth-lazy-shims',
  setup(b) {
    b.onResolve({ filter: /^(\.\/(ssh|session|buildkit)|tar-fs|@balena\/dockerignore)$/ }, (args) => {
      // The shim's own require of the real module stays a run-time require.
      if (args.namespace === 'berth-lazy') return { path: args.path, external: true };
      const owner = ownerOf(args.resolveDir);
      const spec = LAZY[owner]?.[args.path];
      return spec ? { path: `${owner}:${spec}`, namespace: 'berth-lazy', pluginData: { owner, spec } } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'berth-lazy' }, ({ pluginData: { owner, spec } }) => ({
      loader: 'js',
      contents: `// ${spec} for ${owner}, loaded on first use (scripts/build.mjs, LAZY)
const { createRequire } = require('node:module');
let real;
const load = () => (real ??= (${owner === 'berth' ? 'require' : "createRequire(require.resolve('dockerode'))"})(${JSON.stringify(spec)}));
module.exports = new Proxy(function () {}, {
  apply: (_, self, args) => Reflect.apply(load(), self, args),
  construct: (_, args, target) => Reflect.construct(load(), args, target),
  // The bundle's CommonJS interop asks for __esModule when the module is imported: not a use.
  get: (_, key) => (key === '__esModule' && real === undefined ? undefined : load()[key]),
  has: (_, key) => key in load(),
});
`,
    }));
  },
};

const outdir = join(root, 'packages/cli/dist');
await emit({
  absWorkingDir: root,
  entryPoints: ['packages/cli/src/bin.ts'],
  outfile: 'packages/cli/dist/berth.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  external: ['esbuild', 'tar-fs', '@balena/dockerignore'],
  plugins: [lazyShims],
  alias: {
    '@berth/core/testing': './packages/core/src/testing.ts',
    '@berth/core': './packages/core/src/index.ts',
    '@berth/engine': './packages/engine/src/index.ts',
  },
  // Sources find files beside themselves through import.meta.url, which CommonJS lacks.
  define: { 'import.meta.url': '__berthModuleUrl' },
  banner: { js: "const __berthModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // The lazy shims resolve dockerode at run time on purpose (see LAZY).
  logOverride: { 'require-resolve-not-external': 'silent' },
  logLevel: 'warning',
});

// The CLI as a library (ESM): its dependencies, @berth/core and @berth/engine included, are
// imported from node_modules, so a program run through it meets the same core as its own code.
await emit({
  absWorkingDir: root,
  entryPoints: ['packages/cli/src/index.ts'],
  outfile: 'packages/cli/dist/index.js',
  bundle: true,
  packages: 'external',
  // Not the repo's tsconfig, whose paths would map @berth/core and @berth/engine to their sources.
  tsconfig: 'packages/cli/tsconfig.build.json',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The proxy's sources travel with the engine code bundled above (proxy.ts finds them beside it).
for (const f of readdirSync(join(root, 'packages/engine/proxy'))) writeIfChanged(join(outdir, 'proxy', f), readFileSync(join(root, 'packages/engine/proxy', f)));

/**
 * esbuild's build, with its files written only when their bytes changed, each through a temp
 * file and a rename: a build while tests run the CLI (the registry test publishes, and so
 * builds, while other suites run `berth`) never shows them a half-written or missing file.
 */
async function emit(options) {
  const r = await build({ ...options, write: false });
  for (const f of r.outputFiles) writeIfChanged(f.path, f.contents);
}

function writeIfChanged(file, bytes) {
  try {
    if (Buffer.compare(readFileSync(file), Buffer.from(bytes)) === 0) return;
  } catch {
    // not there yet
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

// What earlier builds wrote (an ESM entry and its chunks) would only mislead.
for (const old of ['berth.mjs', 'berth.mjs.map', 'chunks']) rmSync(join(outdir, old), { recursive: true, force: true });
