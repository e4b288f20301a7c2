/**
 * What the published packages hold and declare, read from the build (`npm run build`) and from
 * `npm pack --dry-run`: the entry points their exports name exist, every module their built code
 * imports is a declared dependency, they carry what runs (the proxy, the CLI bundle) and not the
 * build's leftovers, and they share one version. That they install and work from a registry is
 * test/registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs')) && existsSync(join(ROOT, 'packages/engine/dist/index.js'));
const PUBLISHED = ['packages/core', 'packages/engine', 'packages/cli', 'packages/create-berth', 'examples/construct-library'];

interface Pkg {
  name: string;
  version: string;
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const pkgOf = (dir: string): Pkg => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Pkg;
const work = mkdtempSync(join(tmpdir(), 'berth-packages-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bare module names a built file imports or requires (node built-ins left out), as package names. */
function importedPackages(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\(\s*|\brequire(?:\.resolve)?\(\s*|Require\(\s*)(['"])([^'"./][^'"]*)\1/g)].map((m) => m[2] as string);
  const builtins = new Set(builtinModules);
  return new Set(
    specs
      .filter((s) => !s.startsWith('node:') && !builtins.has(s.split('/')[0] as string))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string))),
  );
}

const jsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(c|m)?js$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));

describe.skipIf(!built)('the published packages', () => {
  it("have every file their exports and bin name, in the build's output", () => {
    for (const dir of PUBLISHED) {
      const pkg = pkgOf(dir);
      const targets = [...Object.values(pkg.exports ?? {}).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))), ...Object.values(pkg.bin ?? {})];
      expect(targets.length, dir).toBeGreaterThan(0);
      for (const t of targets) expect(existsSync(join(ROOT, dir, t)), `${pkg.name}: ${t}`).toBe(true);
    }
  });

  it('declare every package their built code imports', () => {
    // debug (inside the bundled docker-modem) tries supports-color and does without it.
    const optional = new Set(['supports-color']);
    const cases: Array<[string, string[]]> = [
      ['packages/core', jsFiles(join(ROOT, 'packages/core/dist'))],
      ['packages/engine', jsFiles(join(ROOT, 'packages/engine/dist'))],
      ['packages/cli', [join(ROOT, 'packages/cli/dist/berth.cjs'), join(ROOT, 'packages/cli/dist/index.js'), ...jsFiles(join(ROOT, 'packages/cli/bin'))]],
      ['packages/create-berth', jsFiles(join(ROOT, 'packages/create-berth/bin'))],
      ['examples/construct-library', jsFiles(join(ROOT, 'examples/construct-library/dist'))],
    ];
    for (const [dir, files] of cases) {
      const pkg = pkgOf(dir);
      const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
      const used = new Set(files.flatMap((f) => [...importedPackages(f)]));
      expect([...used].filter((m) => !declared.has(m) && !optional.has(m)).sort(), pkg.name).toEqual([]);
    }
    // The CLI is what users install: it must bring the core and engine it was built with.
    expect(pkgOf('packages/cli').dependencies).toMatchObject({ '@berth/core': pkgOf('packages/core').version, '@berth/engine': pkgOf('packages/engine').version });
  });

  it('pack what runs, and none of the build leftovers', () => {
    const packed = (dir: string): string[] => {
      const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(ROOT, dir), encoding: 'utf8' });
      return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
    };
    const core = packed('packages/core');
    expect(core).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/testing.js', 'dist/testing.d.ts', 'package.json', 'README.md']));
    const engine = packed('packages/engine');
    expect(engine).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'proxy/proxy.mjs', 'proxy/Dockerfile']));
    const cli = packed('packages/cli');
    expect(cli).toEqual(expect.arrayContaining(['bin/berth.mjs', 'bin/cache-dir.mjs', 'dist/berth.cjs', 'dist/index.js', 'dist/types/index.d.ts', 'dist/proxy/proxy.mjs', 'dist/proxy/Dockerfile']));
    for (const [name, files] of [['core', core], ['engine', engine], ['cli', cli]] as const) {
      expect(files.filter((f) => f.includes('.tsbuildinfo') || f.startsWith('test/') || f.endsWith('.tmp')), name).toEqual([]);
    }
    // The types name .js files: a user's tsc without allowImportingTsExtensions reads them.
    const dts = readFileSync(join(ROOT, 'packages/core/dist/index.d.ts'), 'utf8');
    expect(dts).toMatch(/from '\.\/tree\/app\.js'/);
    expect(dts).not.toMatch(/from '\.[^']*\.ts'/);
  });

  it('share one version, each pinning the others exactly (scripts/release.mjs --check)', () => {
    expect(new Set(PUBLISHED.map((d) => pkgOf(d).version)).size).toBe(1);
    const ok = spawnSync(process.execPath, [join(ROOT, 'scripts/release.mjs'), '--check'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    // The check fails on a checkout whose pins drifted.
    for (const d of PUBLISHED) cpSync(join(ROOT, d, 'package.json'), join(work, d, 'package.json'));
    const cli = JSON.parse(readFileSync(join(work, 'packages/cli/package.json'), 'utf8')) as Pkg & { dependencies: Record<string, string> };
    cli.dependencies['@berth/engine'] = '^0.0.1';
    writeFileSync(join(work, 'packages/cli/package.json'), JSON.stringify(cli));
    const bad = spawnSync(process.execPath, [join(ROOT, 'scripts/release.mjs'), '--check', '--root', work], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`packages/cli: dependencies.@berth/engine is ^0.0.1, want ${cli.version}`);
  });
});
