// Builds the CLI into ESM: dist/berth.mjs (the entry) plus chunks for what loads lazily (a
// command's module, the engine), so `berth synth` of a program without an ImageBuild never
// loads the engine and its tar and .dockerignore packages. dockerode stays external: it
// carries optional native add-ons (ssh2, cpu-features) that must be resolved from
// node_modules at run time.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'packages/cli/dist');
const result = await build({
  absWorkingDir: root,
  entryPoints: { berth: 'packages/cli/src/bin.ts' },
  outdir: 'packages/cli/dist',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  external: ['esbuild', 'dockerode', 'tar-fs', '@balena/dockerignore'],
  alias: {
    '@berth/core/testing': './packages/core/src/testing.ts',
    '@berth/core': './packages/core/src/index.ts',
    '@berth/engine': './packages/engine/src/index.ts',
  },
  // CJS dependencies bundled into ESM need a require for node built-ins.
  banner: { js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// Chunk names carry content hashes: drop the ones this build no longer references. Only old
// ones: a build running at the same time (another checkout state) may have just written its own.
const fresh = new Set(Object.keys(result.metafile.outputs).map((f) => join(root, f)));
const chunks = join(outdir, 'chunks');
const stale = Date.now() - 10 * 60_000;
for (const f of existsSync(chunks) ? readdirSync(chunks) : []) {
  const file = join(chunks, f);
  if (fresh.has(file) || fresh.has(file.replace(/\.map$/, ''))) continue;
  try {
    if (statSync(file).mtimeMs < stale) rmSync(file, { force: true });
  } catch {
    // gone already
  }
}
