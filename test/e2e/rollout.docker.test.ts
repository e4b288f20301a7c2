/**
 * berth deploy end to end on one deployed cluster (fixture "web", steps in order): a cold deploy
 * that answers over HTTP, a no-op redeploy that changes nothing, a code change that rolls only
 * its Deployment while a steady client sees no failed request, a broken image and a failing
 * health check that each roll back with the old replicas serving throughout, and destroy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containers,
  deploy,
  destroy,
  engineAvailable,
  forceRemove,
  get,
  getOk,
  isHealthyRunning,
  leftovers,
  NOTHING,
  makeApp,
  readState,
  removeImagesAndDir,
  replicas,
  shown,
  skipNote,
  steadyClient,
  type App,
} from './harness.ts';

// Generous: on a shared 2-core machine a 3-replica rollout has taken over a minute.
const LONG = 240_000;

describe.skipIf(!engineAvailable)(`berth deploy: rollouts on a real engine${skipNote}`, () => {
  let app: App;
  let destroyed = false;

  beforeAll(async () => {
    app = await makeApp('web', 'roll');
  });

  afterAll(async () => {
    if (!app) return;
    if (!destroyed) {
      const r = await destroy(app);
      expect(r.code, shown(r)).toBe(0);
      expect(leftovers(app.cluster)).toEqual(NOTHING);
    }
    forceRemove(app.cluster);
    removeImagesAndDir(app);
  });

  const siteIds = (): string[] => replicas(app.cluster, 'site').map((c) => c.id);

  it('a cold deploy builds, starts 3 healthy replicas and answers over HTTP through the Service', { timeout: LONG }, async () => {
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain(`${app.cluster}: deployed in`);
    expect(r.stdout).toContain(`web: http://127.0.0.1:${app.port}/`);
    const site = replicas(app.cluster, 'site');
    expect(site).toHaveLength(3);
    expect(site.every(isHealthyRunning), JSON.stringify(site)).toBe(true);
    expect(replicas(app.cluster, 'other')).toHaveLength(1);
    expect((await getOk(app.port)).body).toBe('site v1\n');
    // The proxy spreads requests: every replica answers within a few tries.
    const hosts = new Set<string>();
    for (let i = 0; i < 30 && hosts.size < 3; i++) hosts.add((await get(app.port, '/cgi-bin/whoami')).body.trim());
    expect(hosts.size).toBe(3);
  });

  it('a no-op redeploy reports no changes and touches nothing', { timeout: LONG }, async () => {
    const before = containers(app.cluster).map((c) => c.id);
    const serial = readState(app).serial;
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain(`${app.cluster}: no changes`);
    expect(r.stdout).not.toMatch(/^[+~±-] /m);
    expect(containers(app.cluster).map((c) => c.id)).toEqual(before);
    expect(readState(app).serial).toBe(serial);
  });

  it('a code change rolls only its Deployment, with zero failed requests from a steady client', { timeout: LONG }, async () => {
    const otherBefore = replicas(app.cluster, 'other').map((c) => c.id);
    const proxyBefore = containers(app.cluster, { 'berth.component': 'proxy' }).map((c) => c.id);
    const siteBefore = siteIds();
    app.edit('site/index.html', () => 'site v2\n');
    const client = steadyClient(app.port);
    const r = await deploy(app);
    const seen = await client.stop();
    expect(r.code, shown(r)).toBe(0);
    // Only the image and the site roll; the other Deployment and the Service are not steps.
    expect(r.stdout).toMatch(/^± site replace Deployment/m);
    expect(r.stdout).not.toMatch(/^[+~±-] (other|web|busybox) /m);
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    expect(seen.total).toBeGreaterThan(20);
    expect(seen.bodies).toEqual(['site v1', 'site v2']);
    expect(replicas(app.cluster, 'other').map((c) => c.id)).toEqual(otherBefore);
    expect(containers(app.cluster, { 'berth.component': 'proxy' }).map((c) => c.id)).toEqual(proxyBefore);
    const site = replicas(app.cluster, 'site');
    expect(site).toHaveLength(3);
    expect(site.every(isHealthyRunning)).toBe(true);
    expect(site.some((c) => siteBefore.includes(c.id))).toBe(false);
    expect(new Set(site.map((c) => c.labels['berth.spec']))).toEqual(new Set([readState(app).resources['site']?.replicaHash]));
    expect((await get(app.port)).body).toBe('site v2\n');
  });

  it('a broken image (CMD of a missing binary) fails with the exit code and rolls back; the old replicas serve throughout', { timeout: LONG }, async () => {
    const before = siteIds();
    const dockerfile = app.read('site/Dockerfile');
    app.edit('site/Dockerfile', (t) => t.replace(/^CMD .*$/m, 'CMD ["/bin/no-such-server"]'));
    const client = steadyClient(app.port);
    const r = await deploy(app);
    const seen = await client.stop();
    app.edit('site/Dockerfile', () => dockerfile);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toMatch(/✗ site replace failed/);
    expect(r.stdout).toMatch(/replica \d of site did not become ready: (exited with code \d+|could not run: .*no-such-server)/);
    expect(r.stdout).toContain('rolled back: the previous replicas keep serving');
    expect(r.stdout).toMatch(/1 step failed/);
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    expect(seen.bodies).toEqual(['site v2']);
    // Exactly the old replicas: the failed new one was removed.
    expect(siteIds()).toEqual(before);
    expect(replicas(app.cluster, 'site').every(isHealthyRunning)).toBe(true);
    expect((await get(app.port)).body).toBe('site v2\n');
  });

  it('a failing health check fails with the probe output and rolls back; the old replicas serve throughout', { timeout: LONG }, async () => {
    const before = siteIds();
    app.edit('cluster.ts', (t) => t.replace(/const HEALTH_PATH = '[^']*'/, "const HEALTH_PATH = '/no-such-page'"));
    const client = steadyClient(app.port);
    const r = await deploy(app);
    const seen = await client.stop();
    app.edit('cluster.ts', (t) => t.replace(/const HEALTH_PATH = '[^']*'/, "const HEALTH_PATH = '/'"));
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toMatch(/replica \d of site did not become ready: health check failed \d+ times? \(probe exit code 1\)/);
    expect(r.stdout).toMatch(/probe output: .*404/);
    expect(r.stdout).toContain('rolled back: the previous replicas keep serving');
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    expect(seen.bodies).toEqual(['site v2']);
    expect(siteIds()).toEqual(before);
    expect(replicas(app.cluster, 'site').every(isHealthyRunning)).toBe(true);
  });

  it('after the failures, the restored program is what runs: a redeploy converges without touching the serving replicas', { timeout: LONG }, async () => {
    const before = siteIds();
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(siteIds()).toEqual(before);
    const again = await deploy(app);
    expect(again.code, shown(again)).toBe(0);
    expect(again.stdout).toContain('no changes');
  });

  it('destroy removes every container, network and volume carrying the cluster label', { timeout: LONG }, async () => {
    const r = await destroy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${app.cluster}: removed 5 containers, 1 network, 0 volumes`));
    destroyed = true;
    expect(leftovers(app.cluster)).toEqual(NOTHING);
    await expect(get(app.port, '/', 1000)).rejects.toThrow();
  });
});
