// Builds the CLI into one ESM file. dockerode stays external: it carries optional native
// add-ons (ssh2, cpu-features) that must be resolved from node_modules at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: ['packages/cli/src/bin.ts'],
  outfile: 'packages/cli/dist/berth.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
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
