/**
 * `berth export compose` on the built binary, checked by docker-compose itself: `docker-compose
 * config` must accept the file without a warning, and what it read back (its normalized output)
 * must be the cluster: services, healthchecks, networks, volumes, secrets, Config contents as
 * files, depends_on with conditions. The YAML writer is checked against a YAML parser.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toYaml, type YamlValue } from '../../packages/cli/src/export/yaml.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'));
const compose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const python = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'berth-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** YAML texts as a YAML parser (PyYAML, which docker-compose reads its files with) reads them. */
function parseYaml(texts: readonly string[]): unknown[] {
  const out = execFileSync('python3', ['-c', 'import json,sys,yaml; print(json.dumps([yaml.safe_load(t) for t in json.load(sys.stdin)]))'], { input: JSON.stringify(texts), encoding: 'utf8' });
  return JSON.parse(out) as unknown[];
}

function copyShop(): string {
  const dir = join(tmp, 'shop');
  cpSync(join(ROOT, 'examples/shop'), dir, { recursive: true, filter: (s) => !/\/(berth\.out|\.berth|node_modules)(\/|$)/.test(s) });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules/@berth-examples'), join(dir, 'node_modules/@berth-examples'));
  return dir;
}

interface ComposeService {
  image: string;
  build?: { context: string };
  healthcheck?: { test: string[]; interval: string; retries: number };
  depends_on?: Record<string, { condition: string }>;
  networks?: Record<string, { aliases?: string[] } | null>;
  ports?: Array<{ published: number; target: number }>;
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
  secrets?: Array<{ source: string; target: string }>;
  environment?: Record<string, string>;
  entrypoint?: string[];
  restart?: string;
  deploy?: { replicas?: number; resources?: { limits?: { memory?: string } } };
}

describe.skipIf(!built || !compose || !python)('berth export compose (built CLI, docker-compose 1.29)', () => {
  it('writes a file docker-compose config accepts without a warning, and reads back as the cluster', () => {
    const dir = copyShop();
    const r = spawnSync('node', [BIN, 'export', 'compose', '--out', 'out/shop.yaml'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('shop: compose → out/shop.yaml (+1 file)\n');
    expect(r.stderr).toContain('note: shop/api-key: create ./shop.files/secrets/api-key before docker-compose up: printenv SHOP_API_KEY > ./shop.files/secrets/api-key');
    // The Config's content is written beside it, as synth read it; no secret value is written anywhere.
    expect(readFileSync(join(dir, 'out/shop.files/configs/settings'), 'utf8')).toBe(readFileSync(join(dir, 'config/shop.conf'), 'utf8'));
    expect(existsSync(join(dir, 'out/shop.files/secrets'))).toBe(false);

    const cfg = spawnSync('docker-compose', ['-p', 'berth-export-test', '-f', 'out/shop.yaml', 'config'], { cwd: dir, encoding: 'utf8' });
    expect(cfg.status, cfg.stderr).toBe(0);
    expect(cfg.stderr).toBe('');
    const [doc] = parseYaml([cfg.stdout]) as [{ services: Record<string, ComposeService>; volumes: Record<string, unknown>; secrets: Record<string, { file: string }> }];
    expect(Object.keys(doc.services).sort()).toEqual(['api', 'migrate', 'storefront-app', 'worker']);
    const { api, migrate, worker } = doc.services as Record<string, ComposeService>;
    const storefront = doc.services['storefront-app'] as ComposeService;
    // Builds from the example's contexts, one image name per ImageBuild.
    expect(api?.build?.context).toBe(join(dir, 'api'));
    expect(migrate?.image).toBe(api?.image);
    // Health checks as berth's Docker target runs them; consumers wait on health or completion.
    expect(api?.healthcheck).toMatchObject({ interval: '1s', retries: 3 });
    expect(api?.healthcheck?.test.join(' ')).toContain("wget -q -O /dev/null 'http://127.0.0.1:8080/cgi-bin/health'");
    expect(api?.depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
    expect(storefront.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(worker?.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(migrate?.restart).toBe('no');
    expect(migrate?.entrypoint).toEqual(['/app/migrate.sh']);
    // The Service's DNS name is the storefront's alias; its published port is on its container.
    expect(storefront.networks).toEqual({ default: { aliases: ['storefront'] } });
    expect(storefront.ports).toEqual([expect.objectContaining({ published: 8081, target: 8080 })]);
    // References resolve to what compose's network answers to; `$` in a command stays literal.
    expect(storefront.environment).toEqual({ API_URL: 'http://api:8080' });
    expect(worker?.entrypoint?.[2]).toContain('"$$API_URL/cgi-bin/orders"');
    // Volume, Config (bind-mounted, read-only) and Secret mounts.
    expect(api?.volumes).toEqual([
      { type: 'volume', source: 'orders', target: '/data' },
      { type: 'bind', source: join(dir, 'out/shop.files/configs/settings'), target: '/etc/shop/shop.conf', read_only: true },
    ]);
    expect(api?.secrets).toEqual([{ source: 'api-key', target: '/run/secrets/api-key' }]);
    expect(doc.secrets['api-key']?.file).toBe(join(dir, 'out/shop.files/secrets/api-key'));
    expect(Object.keys(doc.volumes)).toEqual(['orders']);
    expect(api?.deploy).toMatchObject({ replicas: 2, resources: { limits: { memory: '67108864b' } } });
  });

  it('exports networks and secrets in env as ${VAR}, never the value', () => {
    const dir = join(tmp, 'nets');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cluster.ts'),
      `import { App, Cluster, Deployment, Network, Secret } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'nets');
const backend = new Network(c, 'backend', { internal: true });
const pw = new Secret(c, 'pw', { fromEnv: 'DB_PASSWORD' });
const db = new Deployment(c, 'db', { image: 'postgres:16', networks: [backend], env: { POSTGRES_PASSWORD: pw, LITERAL: 'a$b' } });
new Deployment(c, 'api', { image: 'busybox:1.36', networks: [backend], dependsOn: [db] });
export default app;
`,
    );
    expect(spawnSync('node', [BIN, 'export', 'compose'], { cwd: dir, encoding: 'utf8' }).status).toBe(0);
    const text = readFileSync(join(dir, 'berth.out/nets.compose.yaml'), 'utf8');
    expect(text).toContain('POSTGRES_PASSWORD: "${DB_PASSWORD}"');
    const cfg = spawnSync('docker-compose', ['-f', 'berth.out/nets.compose.yaml', 'config'], { cwd: dir, encoding: 'utf8', env: { ...process.env, DB_PASSWORD: 'from-the-shell' } });
    expect(cfg.status, cfg.stderr).toBe(0);
    const [doc] = parseYaml([cfg.stdout]) as [{ services: Record<string, ComposeService>; networks: Record<string, { internal?: boolean }> }];
    expect(doc.services['db']?.environment).toEqual({ POSTGRES_PASSWORD: 'from-the-shell', LITERAL: 'a$$b' });
    expect(doc.networks['backend']).toEqual({ internal: true });
    expect(Object.keys(doc.services['api']?.networks ?? {}).sort()).toEqual(['backend', 'default']);
    expect(doc.services['api']?.depends_on).toEqual({ db: { condition: 'service_started' } });
  });

  it('refuses a cluster of several hosts, and writes nothing', () => {
    const dir = join(tmp, 'multi');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cluster.ts'),
      `import { App, Cluster, Deployment } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'multi', { target: { docker: { hosts: [{ name: 'a', endpoint: 'ssh://a' }, { name: 'b', endpoint: 'ssh://b' }] } } });
new Deployment(c, 'web', { image: 'nginx:1.27' });
export default app;
`,
    );
    const r = spawnSync('node', [BIN, 'export', 'compose'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[export.unsupported]\n  cluster "multi" runs on 2 hosts (a, b); a compose file describes one');
    expect(existsSync(join(dir, 'berth.out'))).toBe(false);
    const u = spawnSync('node', [BIN, 'export', 'helm'], { cwd: dir, encoding: 'utf8' });
    expect(u.status).toBe(1);
    expect(u.stderr).toContain('berth export: no format "helm"');
  });
});

describe.skipIf(!python)('the YAML writer', () => {
  const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('no', 'on', 'true', 'null', '1.10', '- x', 'a: b', '#c'));
  const scalar = fc.oneof(fc.string({ maxLength: 12 }).filter((s) => !s.includes('$')), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('no', 'yes', '1.10', '0x1F', '~', '', ' lead', 'multi\nline', '"q"', "'s'", 'é ☃'));
  const value: fc.Arbitrary<YamlValue> = fc.letrec<{ v: YamlValue }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
  })).v;

  it('writes what a YAML parser reads back as the same value', () => {
    const docs = fc.sample(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), 200);
    const read = parseYaml(docs.map((d) => toYaml(d, ['a comment'])));
    expect(read).toEqual(docs);
  });

  it('doubles every literal $, as compose reads $$ as $', () => {
    expect(parseYaml([toYaml({ a: 'x$y ${Z}' })])).toEqual([{ a: 'x$$y $${Z}' }]);
  });
});
