/**
 * The bundle cache on a real file system with the real esbuild: a stored bundle is taken only
 * while everything it was made from, and everything that could make an import resolve
 * elsewhere, is unchanged; anything else bundles again.
 */
import { lstatSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ENTRIES, readCachedBundle, writeCachedBundle } from '../../packages/cli/src/load/bundle-cache.ts';
import { bundle, bundleCacheKey } from '../../packages/cli/src/load/bundle.ts';

let root: string;
let app: string;
const env = (): NodeJS.ProcessEnv => ({ BERTH_CACHE_DIR: join(root, 'cache') });
const KEY = 'k1';

/** Writes files under root, then dates them and every folder under root an hour back (so a store is allowed). */
function files(spec: Record<string, string>): void {
  for (const [rel, text] of Object.entries(spec)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  age();
}

/** Dates every file and folder under root (not the cache, not through symlinks) an hour back. */
function age(): void {
  const past = new Date(Date.now() - 3600_000);
  const walk = (p: string): void => {
    if (lstatSync(p).isDirectory()) for (const n of readdirSync(p)) if (n !== 'cache') walk(join(p, n));
    lutimesSync(p, past, past);
  };
  walk(root);
}

/** Bundles the app with esbuild and stores it as the CLI does; returns the bundle's code. */
async function bundleAndStore(): Promise<string> {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  const r = await build({ entryPoints: [app], bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, outfile: join(root, 'app/out.cjs'), sourcemap: 'external', logLevel: 'silent', absWorkingDir: dirname(app) });
  const code = r.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text ?? '';
  const map = r.outputFiles.find((f) => f.path.endsWith('.map'))?.text ?? '';
  writeCachedBundle(env(), app, KEY, dirname(app), r.metafile.inputs, { code, map }, startedAt);
  return code;
}

const hit = (): boolean => readCachedBundle(env(), app, KEY) !== undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-bundle-cache-'));
  app = join(root, 'app/cluster.ts');
  files({
    'app/cluster.ts': "import { greet } from './lib';\nimport { name } from 'greet';\nexport default greet(name);\n",
    'app/lib.ts': 'export const greet = (s: string) => `hello ${s}`;\n',
    'pkgs/greet-1/index.ts': "export const name = 'one';\n",
    'pkgs/greet-2/index.ts': "export const name = 'two';\n",
  });
  mkdirSync(join(root, 'app/node_modules'));
  symlinkSync(join(root, 'pkgs/greet-1'), join(root, 'app/node_modules/greet'));
  age();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('bundle cache', () => {
  it('takes the stored bundle while nothing changed, byte for byte', async () => {
    expect(hit()).toBe(false);
    const code = await bundleAndStore();
    expect(readCachedBundle(env(), app, KEY)?.code).toBe(code);
    expect(readCachedBundle(env(), app, 'another-key')).toBeUndefined();
    expect(readCachedBundle({ ...env(), BERTH_NO_BUNDLE_CACHE: '1' }, app, KEY)).toBeUndefined();
  });

  it('misses when the program or a file it imports changed', async () => {
    await bundleAndStore();
    writeFileSync(join(root, 'app/lib.ts'), 'export const greet = (s: string) => `hi ${s}`;\n');
    age();
    expect(hit()).toBe(false);
    await bundleAndStore();
    expect(hit()).toBe(true);
    writeFileSync(app, "import { greet } from './lib';\nexport default greet('x');\n");
    age();
    expect(hit()).toBe(false);
  });

  it('misses when a new file beside an input could shadow an import', async () => {
    await bundleAndStore();
    writeFileSync(join(root, 'app/lib.tsx'), 'export const greet = () => "shadow";\n');
    expect(hit()).toBe(false);
  });

  it('misses when a package import would lead elsewhere (a workspace symlink repointed)', async () => {
    await bundleAndStore();
    rmSync(join(root, 'app/node_modules/greet'));
    symlinkSync(join(root, 'pkgs/greet-2'), join(root, 'app/node_modules/greet'));
    age();
    expect(hit()).toBe(false);
  });

  it('misses when a tsconfig.json or package.json appears or changes above an input', async () => {
    await bundleAndStore();
    writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": { "jsx": "preserve" } }\n');
    age();
    expect(hit()).toBe(false);
    await bundleAndStore();
    expect(hit()).toBe(true);
    writeFileSync(join(root, 'app/package.json'), '{ "type": "module" }\n');
    age();
    expect(hit()).toBe(false);
  });

  it('stores nothing when an input changed after esbuild started (it may have read either version)', async () => {
    // Stamped a second ahead: as if written while esbuild ran.
    const later = new Date(Date.now() + 1000);
    utimesSync(join(root, 'app/lib.ts'), later, later);
    await bundleAndStore();
    expect(hit()).toBe(false);
  });

  it('stays bounded: past MAX_ENTRIES, the least recently written entries go', async () => {
    const dir = join(root, 'cache/bundles');
    mkdirSync(dir, { recursive: true });
    const old = new Date(Date.now() - 86_400_000);
    for (let i = 0; i < MAX_ENTRIES; i++) {
      writeFileSync(join(dir, `old-${i}.json`), '{}');
      utimesSync(join(dir, `old-${i}.json`), old, old);
    }
    await bundleAndStore();
    const left = readdirSync(dir).filter((n) => n.endsWith('.json'));
    expect(left.length).toBe(Math.floor((MAX_ENTRIES * 3) / 4));
    expect(hit()).toBe(true);
  });

  it('the CLI bundler stores on the first run and serves the same bundle on the next', async () => {
    const env0 = process.env['BERTH_CACHE_DIR'];
    process.env['BERTH_CACHE_DIR'] = join(root, 'cache');
    try {
      const first = await bundle(app);
      expect(first.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text).toContain('name = "one"');
      const stored = readCachedBundle(env(), app, bundleCacheKey(app));
      expect(stored?.code).toBe(first.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text);
      // Served from the store: what is stored is what comes back (here, a marked copy).
      const entryFile = readdirSync(join(root, 'cache/bundles')).find((f) => f.endsWith('.json')) ?? '';
      const entry = JSON.parse(readFileSync(join(root, 'cache/bundles', entryFile), 'utf8')) as { code: string };
      writeFileSync(join(root, 'cache/bundles', entryFile), JSON.stringify({ ...entry, code: `${entry.code}// served from the cache\n` }));
      const second = await bundle(app);
      expect(second.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text).toMatch(/served from the cache\n$/);
      expect(second.outputFiles.find((f) => f.path.endsWith('.map'))?.text).toBe(first.outputFiles.find((f) => f.path.endsWith('.map'))?.text);
    } finally {
      if (env0 === undefined) delete process.env['BERTH_CACHE_DIR'];
      else process.env['BERTH_CACHE_DIR'] = env0;
    }
  });
});
