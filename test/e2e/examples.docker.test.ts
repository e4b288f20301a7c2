/**
 * The sample programs, deployed end to end by the built CLI on a real engine: examples/hello and
 * examples/shop (copied to tmp, cluster renamed, published ports replaced by free ones) come up,
 * answer over HTTP, redeploy as a no-op, and leave nothing labelled for them after destroy.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  berth,
  containers,
  copyExample,
  deploy,
  destroy,
  engineAvailable,
  forceRemove,
  get,
  getOk,
  isHealthyRunning,
  leftovers,
  NOTHING,
  removeImagesAndDir,
  replicas,
  shown,
  skipNote,
  type App,
} from './harness.ts';

const LONG = 240_000;

describe.skipIf(!engineAvailable)(`examples/hello end to end${skipNote}`, () => {
  let app: App;
  beforeAll(async () => {
    app = await copyExample('hello', 'hello');
  });
  afterAll(() => {
    if (!app) return;
    forceRemove(app.cluster);
    removeImagesAndDir(app);
  });

  it('deploys, answers from each of its 3 replicas, redeploys as a no-op, and destroys to nothing', { timeout: LONG }, async () => {
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain(`web: http://127.0.0.1:${app.port}/`);
    expect(replicas(app.cluster, 'site').filter(isHealthyRunning)).toHaveLength(3);
    expect((await getOk(app.port)).body).toContain('hello from berth');
    const hosts = new Set<string>();
    for (let i = 0; i < 30 && hosts.size < 3; i++) hosts.add((await get(app.port, '/cgi-bin/whoami')).body.trim());
    expect(hosts.size).toBe(3);

    const again = await deploy(app);
    expect(again.code, shown(again)).toBe(0);
    expect(again.stdout).toContain('no changes');

    const d = await destroy(app);
    expect(d.code, shown(d)).toBe(0);
    expect(leftovers(app.cluster)).toEqual(NOTHING);
  });
});

describe.skipIf(!engineAvailable)(`examples/shop end to end${skipNote}`, () => {
  let app: App;
  const env = { SHOP_API_KEY: 's3cret-e2e' };
  beforeAll(async () => {
    app = await copyExample('shop', 'shop');
  });
  afterAll(() => {
    if (!app) return;
    forceRemove(app.cluster);
    removeImagesAndDir(app);
  });

  it('runs the migration job, then the API; the storefront answers and reaches the API through its Service', { timeout: LONG }, async () => {
    const r = await deploy(app, [], env);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/✓ migrate create done/);
    // The command returns when the deploy is done: no timer (the job's 1m timeout) keeps it alive.
    const secs = Number(/deployed in ([\d.]+)s/.exec(r.stdout)?.[1]);
    expect(r.ms).toBeLessThan(secs * 1000 + 20_000);
    // The API starts only after the job succeeded.
    expect(r.stdout.indexOf('✓ migrate create done')).toBeLessThan(r.stdout.indexOf('+ api create Deployment'));
    expect(replicas(app.cluster, 'api').filter(isHealthyRunning)).toHaveLength(2);
    expect((await getOk(app.port)).status).toBe(200);
    const orders = await getOk(app.port, '/cgi-bin/orders');
    expect(orders.body).toMatch(/berth shop api on .*: schema 2, 0 orders, currency/);
    // The secret is a file in the API container, never in its environment.
    const api = replicas(app.cluster, 'api')[0];
    expect(api).toBeDefined();
    expect(JSON.stringify(containers(app.cluster))).not.toContain(env.SHOP_API_KEY);
  });

  it('a no-op redeploy changes nothing', { timeout: LONG }, async () => {
    const before = containers(app.cluster).map((c) => c.id);
    const r = await deploy(app, [], env);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain('no changes');
    expect(containers(app.cluster).map((c) => c.id)).toEqual(before);
  });

  it('destroy without --delete-volumes keeps the volume and its data; the next deploy mounts it again', { timeout: LONG }, async () => {
    const [api] = replicas(app.cluster, 'api');
    expect(spawnSync('docker', ['exec', api?.id ?? '', 'sh', '-c', 'echo kept-across-destroy > /data/marker']).status).toBe(0);
    const r = await berth(['destroy', '--app', app.file, '--yes'], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain('volumes kept: orders (--delete-volume ID removes one)');
    const left = leftovers(app.cluster);
    expect(left.containers).toEqual([]);
    expect(left.volumes).toHaveLength(1);
    const again = await deploy(app, [], env);
    expect(again.code, shown(again)).toBe(0);
    const [next] = replicas(app.cluster, 'api');
    expect(next?.id).not.toBe(api?.id);
    const marker = spawnSync('docker', ['exec', next?.id ?? '', 'cat', '/data/marker'], { encoding: 'utf8' });
    expect(marker.stdout.trim()).toBe('kept-across-destroy');
  });

  it('destroy --delete-volume with a name that is no Volume removes nothing and says which there are', { timeout: LONG }, async () => {
    const before = containers(app.cluster).map((c) => c.id);
    const r = await berth(['destroy', '--app', app.file, '--yes', '--delete-volume', 'order'], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stderr).toContain(`--delete-volume order: no Volume "order" in ${app.cluster}; nothing was removed`);
    expect(r.stderr).toContain('its Volumes: orders');
    expect(containers(app.cluster).map((c) => c.id)).toEqual(before);
  });

  it('destroy --delete-volume orders leaves no container, network or volume with the cluster label', { timeout: LONG }, async () => {
    const r = await berth(['destroy', '--app', app.file, '--yes', '--delete-volume', 'orders'], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/removed \d+ containers, 1 network, 1 volume/);
    expect(leftovers(app.cluster)).toEqual(NOTHING);
  });
});
