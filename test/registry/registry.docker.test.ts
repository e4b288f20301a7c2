/**
 * berth as a user gets it: every package is published to a real npm registry (verdaccio, on a
 * loopback port, started here and stopped by pid), and a fresh project outside the repo, with
 * only that registry configured and a cache of its own, installs @berth/cli, @berth/core and
 * the example construct library, then runs `berth init`, type-checks, synthesizes, diffs,
 * deploys to the local Docker engine, is reached over HTTP and destroyed. `npm init berth`
 * makes a second project from the same registry. Nothing here uses the repo's node_modules:
 * what runs is what was published (each package's `prepack` builds it).
 *
 * Third-party packages (zod, esbuild, typescript, ...) come through verdaccio from its uplink,
 * the registry this machine's npm is configured with; @berth/*, @berth-examples/* and
 * create-berth are never proxied, so a missing publish fails instead of finding another copy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forceRemove, freePort, getOk, leftovers, NOTHING, ROOT, skipNote, unavailable, uniqueCluster } from '../e2e/harness.ts';

const PUBLISHED = ['packages/core', 'packages/engine', 'packages/cli', 'packages/create-berth', 'examples/construct-library'];
const version = (dir: string): string => (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { version: string }).version;
const rootDevDeps = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

interface Run {
  readonly code: number | null;
  readonly out: string;
}

describe.skipIf(unavailable !== undefined)(`the published packages in a fresh project${skipNote}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const project = join(work, 'my-cluster');
  const cluster = uniqueCluster('registry');
  let registry: ChildProcess | undefined;
  let url = '';
  let env: Record<string, string> = {};
  const timings: string[] = [];
  const transcript = process.env['BERTH_REGISTRY_TRANSCRIPT'];

  /** Runs a command with the test's npm environment; returns exit code and stdout+stderr. */
  const run = (cmd: string, args: readonly string[], cwd: string, timeoutMs = 240_000, extraEnv: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      const t0 = Date.now();
      const child = spawn(cmd, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        timings.push(`${[cmd, ...args].join(' ')}: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        // BERTH_REGISTRY_TRANSCRIPT=file keeps every command and what it printed (for a report).
        if (transcript) appendFileSync(transcript, `\n$ ${[cmd, ...args].join(' ')}    # in ${cwd.replace(work, '$WORK')}\n${out}`);
        resolve({ code, out });
      });
    });

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    writeFileSync(
      join(work, 'verdaccio.yaml'),
      `storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
uplinks:
  upstream:
    url: ${upstream()}
packages:
  '@berth/*': { access: $all, publish: $authenticated }
  '@berth-examples/*': { access: $all, publish: $authenticated }
  'create-berth': { access: $all, publish: $authenticated }
  '**': { access: $all, proxy: upstream }
log: { type: stdout, format: pretty, level: warn }
`,
    );
    const log = openSync(join(work, 'verdaccio.log'), 'a');
    const bin = join(createRequire(import.meta.url).resolve('verdaccio/package.json'), '../bin/verdaccio');
    registry = spawn(process.execPath, [bin, '--config', join(work, 'verdaccio.yaml'), '--listen', `127.0.0.1:${port}`], { cwd: work, stdio: ['ignore', log, log] });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const up = await fetch(`${url}-/ping`).then((r) => r.ok, () => false);
      if (up) break;
      if (Date.now() > deadline || registry.exitCode !== null) throw new Error(`verdaccio did not start:\n${readFileSync(join(work, 'verdaccio.log'), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // A user on the registry, whose token publishes; installs need none.
    const res = await fetch(`${url}-/user/org.couchdb.user:berth`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'berth', password: randomBytes(12).toString('hex') }) });
    const { token } = (await res.json()) as { token: string };
    const host = url.replace(/^http:/, '');
    writeFileSync(join(work, 'npmrc'), `registry=${url}\n${host}:_authToken=${token}\n`);
    // Only this registry: none of the npm_* settings of the `npm test` that runs us, a cache and a
    // user config of our own, the CLI's caches in the work dir.
    env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^npm_/i.test(e[0])));
    Object.assign(env, {
      npm_config_registry: url,
      npm_config_userconfig: join(work, 'npmrc'),
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      BERTH_CACHE_DIR: join(work, 'berth-cache'),
      NO_COLOR: '1',
    });
  }, 60_000);

  afterAll(async () => {
    forceRemove(cluster);
    // Only the registry we started, by its pid.
    if (registry?.pid !== undefined && registry.exitCode === null) {
      registry.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          registry?.kill('SIGKILL');
          r();
        }, 5000);
        registry?.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    process.stdout.write(`\n[timing] registry test steps:\n  ${timings.join('\n  ')}\n`);
    rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  });

  it('publishes every package; each builds on prepack', async () => {
    const r = await run('npm', ['publish', ...PUBLISHED.flatMap((w) => ['-w', w])], ROOT);
    expect(r.code, r.out).toBe(0);
    for (const [dir, name] of PUBLISHED.map((d) => [d, (JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8')) as { name: string }).name] as const)) {
      const doc = (await (await fetch(`${url}${name.replace('/', '%2f')}`)).json()) as { versions: Record<string, { dist: { tarball: string } }> };
      expect(Object.keys(doc.versions), name).toContain(version(dir));
    }
  }, 240_000);

  it('installs into a fresh project and `berth init` writes a typed starter', async () => {
    mkdirSync(project);
    writeFileSync(join(project, '.npmrc'), `registry=${url}\n`);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'my-cluster', version: '1.0.0', private: true }, null, 2)}\n`);
    const install = await run('npm', ['install', '-D', '@berth/cli', '@berth/core', '@berth-examples/web-app', `typescript@${rootDevDeps['typescript']}`], project);
    expect(install.code, install.out).toBe(0);
    expect(existsSync(join(project, 'node_modules/@berth/cli/dist/berth.cjs'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/@berth/engine/proxy/proxy.mjs'))).toBe(true);

    const v = await run('npx', ['berth', '--version'], project);
    expect(v.out.trim()).toBe(version('packages/cli'));

    const init = await run('npx', ['berth', 'init', '--name', cluster], project);
    expect(init.code, init.out).toBe(0);
    for (const f of ['cluster.ts', 'tsconfig.json', 'web/Dockerfile', 'web/server.mjs', '.gitignore']) expect(existsSync(join(project, f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts['deploy']).toBe('berth deploy');
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['@berth/cli', '@berth/core', '@berth-examples/web-app']));
  }, 300_000);

  it('type-checks cluster.ts, and the editor and `berth synth` reject the same mistakes', async () => {
    const webPort = await freePort();
    const libPort = await freePort();
    // The starter as written, on free ports, plus the construct library from the registry.
    const text = readFileSync(join(project, 'cluster.ts'), 'utf8')
      .replace('publish: 8080', `publish: ${webPort}`)
      .replace("from '@berth/core';", "from '@berth/core';\nimport { WebApp } from '@berth-examples/web-app';")
      .replace('export default app;', `new WebApp(cluster, 'shop', { context: './web', replicas: 1, publish: ${libPort} });\n\nexport default app;`);
    writeFileSync(join(project, 'cluster.ts'), text);
    writeFileSync(join(project, 'ports.json'), JSON.stringify({ webPort, libPort }));

    const ok = await run('npx', ['tsc', '--noEmit'], project);
    expect(ok.code, ok.out).toBe(0);

    const mistakes = [
      { name: 'typo', edit: (s: string) => s.replace('replicas: 2', 'replica: 3'), tsc: /TS2561.*'replica' does not exist/s, synth: /unknown property "replica"[\s\S]*did you mean "replicas"/ },
      { name: 'wrong-type', edit: (s: string) => s.replace('replicas: 2', "replicas: '3'"), tsc: /TS2322.*'string' is not assignable to type 'number'/s, synth: /replicas: expected number, got string "3"/ },
    ];
    for (const m of mistakes) {
      writeFileSync(join(project, `${m.name}.ts`), m.edit(text));
      writeFileSync(join(project, `tsconfig.${m.name}.json`), JSON.stringify({ extends: './tsconfig.json', include: [`${m.name}.ts`] }));
      const t = await run('npx', ['tsc', '-p', `tsconfig.${m.name}.json`], project);
      expect(t.code, t.out).not.toBe(0);
      expect(t.out).toMatch(m.tsc);
      const s = await run('npx', ['berth', 'synth', '--app', `${m.name}.ts`], project);
      expect(s.code, s.out).toBe(1);
      expect(s.out).toMatch(m.synth);
      expect(s.out).toContain(`${m.name}.ts:`);
      rmSync(join(project, `${m.name}.ts`));
      rmSync(join(project, `tsconfig.${m.name}.json`));
    }
  }, 120_000);

  it('synthesizes, diffs, deploys to the local engine, serves, and destroys', async () => {
    const { webPort, libPort } = JSON.parse(readFileSync(join(project, 'ports.json'), 'utf8')) as { webPort: number; libPort: number };
    const synth = await run('npx', ['berth', 'synth'], project);
    expect(synth.code, synth.out).toBe(0);
    expect(existsSync(join(project, `berth.out/${cluster}.graph.json`))).toBe(true);

    const diff = await run('npx', ['berth', 'diff'], project);
    expect(diff.code, diff.out).toBe(2);
    expect(diff.out).toMatch(/\+ www\s+Service\s+create/);

    const deploy = await run('npx', ['berth', 'deploy', '--yes'], project);
    expect(deploy.code, deploy.out).toBe(0);
    expect(deploy.out).toContain(`http://127.0.0.1:${webPort}/`);

    for (const port of [webPort, libPort]) {
      await getOk(port);
      const curl = await run('curl', ['-fsS', `http://127.0.0.1:${port}/`], project, 20_000);
      expect(curl.code, curl.out).toBe(0);
      expect(curl.out).toContain(`hello from ${cluster}`);
    }

    const again = await run('npx', ['berth', 'diff'], project);
    expect(again.code, again.out).toBe(0);

    const destroy = await run('npx', ['berth', 'destroy', '--yes'], project);
    expect(destroy.code, destroy.out).toBe(0);
    expect({ ...leftovers(cluster), images: [] }).toEqual(NOTHING);
  }, 240_000);

  it('`npm init berth` makes a project that installs, type-checks and synthesizes', async () => {
    // The starter's packages are the ones installed above (its typescript range is the repo's):
    // from the npm cache, without asking the registry about each again.
    const r = await run('npm', ['init', 'berth', 'starter'], work, 300_000, { npm_config_prefer_offline: 'true' });
    expect(r.code, r.out).toBe(0);
    const dir = join(work, 'starter');
    expect(existsSync(join(dir, 'node_modules/.bin/berth'))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies['@berth/cli']).toBe(`^${version('packages/cli')}`);
    const tsc = await run('npx', ['tsc', '--noEmit'], dir);
    expect(tsc.code, tsc.out).toBe(0);
    const synth = await run('npx', ['berth', 'synth'], dir);
    expect(synth.code, synth.out).toBe(0);
    expect(synth.out).toContain('starter: 3 resources');
  }, 300_000);
});

/** The registry this machine's npm uses (verdaccio's uplink for third-party packages). */
function upstream(): string {
  const r = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', cwd: tmpdir() });
  const u = r.stdout.trim();
  return /^https?:\/\//.test(u) && !/127\.0\.0\.1|localhost/.test(u) ? u : 'https://registry.npmjs.org/';
}
