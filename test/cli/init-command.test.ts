/**
 * `berth init` (in-process, through main): the starter project it writes, what it does with a
 * package.json that is already there, and what it refuses. The starter deploying, type-checking
 * and synthesizing from the published packages is test/registry.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TYPESCRIPT_RANGE } from '../../packages/cli/src/commands/init.ts';
import { runMain, type Captured } from './run.ts';

const ROOT = join(import.meta.dirname, '../..');
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> & { scripts: Record<string, string>; devDependencies?: Record<string, string> };
const cliVersion = (json(join(ROOT, 'packages/cli/package.json')) as unknown as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), 'berth-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const init = (dir: string, args: string[] = []): Promise<Captured> => runMain(dir, ['init', ...args]);

describe('berth init', () => {
  it('writes a whole project into an empty folder: package.json at this CLI version, tsconfig, cluster.ts, web/', async () => {
    const dir = mkdtempSync(join(work, 'My App-'));
    const r = await init(dir);
    expect(r.code, r.err).toBe(0);
    for (const f of ['cluster.ts', 'tsconfig.json', 'web/Dockerfile', 'web/server.mjs', '.gitignore', 'package.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    const pkg = json(join(dir, 'package.json'));
    expect(pkg.devDependencies).toEqual({ '@berth/cli': `^${cliVersion}`, '@berth/core': `^${cliVersion}`, typescript: TYPESCRIPT_RANGE });
    expect(pkg.scripts['deploy']).toBe('berth deploy');
    // The cluster is named after the folder, in the characters a cluster name may have.
    expect(readFileSync(join(dir, 'cluster.ts'), 'utf8')).toMatch(/new Cluster\(app, 'my-app-[a-z0-9]+'\)/);
    expect(readFileSync(join(dir, 'web/Dockerfile'), 'utf8')).toMatch(/^FROM berth\/node-base:1$/m);
    expect(r.out).toContain('next: npm install, then npx berth diff');
  });

  it('keeps a package.json that is there, adding only the scripts it lacks, and says what to install', async () => {
    const dir = mkdtempSync(join(work, 'existing-'));
    writeFileSync(join(dir, 'package.json'), '{\n    "name": "mine",\n    "scripts": { "deploy": "./my-deploy.sh" },\n    "devDependencies": { "@berth/cli": "^0.1.0" }\n}\n');
    const r = await init(dir, ['--name', 'shop']);
    expect(r.code, r.err).toBe(0);
    const pkg = json(join(dir, 'package.json'));
    expect(pkg['name']).toBe('mine');
    expect(pkg.scripts['deploy']).toBe('./my-deploy.sh');
    expect(pkg.scripts['synth']).toBe('berth synth');
    expect(pkg.devDependencies).toEqual({ '@berth/cli': '^0.1.0' });
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toMatch(/^ {4}"name"/m);
    expect(r.out).toContain('npm install -D @berth/core typescript');
  });

  it('refuses to overwrite a starter file and writes nothing then', async () => {
    const dir = mkdtempSync(join(work, 'taken-'));
    writeFileSync(join(dir, 'tsconfig.json'), '{}\n');
    const r = await init(dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not overwriting tsconfig.json');
    expect(existsSync(join(dir, 'cluster.ts'))).toBe(false);
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
  });

  it("pins the starter's TypeScript to the compiler the repo checks berth's types with", () => {
    expect(TYPESCRIPT_RANGE).toBe((json(join(ROOT, 'package.json')) as unknown as { devDependencies: Record<string, string> }).devDependencies['typescript']);
  });
});
