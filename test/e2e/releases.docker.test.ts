/**
 * Releases end to end on a real engine (fixture "web" plus a Secret, steps in order): history
 * after three deploys, a rollback to N-2 under a steady client (0 failed requests, the old image
 * id running, recorded as a new release, diff then says what runs), image retention keeping
 * only the last K good releases' images, and rollbacks refused when an image is gone or a
 * Secret's value changed — each refusal changing nothing.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  berth,
  containers,
  deploy,
  destroy,
  engineAvailable,
  forceRemove,
  get,
  getOk,
  isHealthyRunning,
  leftovers,
  makeApp,
  NOTHING,
  removeImagesAndDir,
  replicas,
  shown,
  skipNote,
  steadyClient,
  type App,
} from './harness.ts';

const LONG = 300_000;
const TOKEN = { E2E_TOKEN: 'hunter2' };

interface Release {
  number: number;
  kind: string;
  by: string;
  result: string;
  summary: string;
  images: Record<string, string>;
  secrets: Record<string, string>;
  rollbackOf?: number;
  imagesRemoved?: boolean;
  runsNow: boolean;
  rollbackTarget: boolean;
}

function docker(args: readonly string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The image id a container runs (docker inspect, not berth). */
const imageOf = (containerId: string): string => docker(['inspect', '--format', '{{.Image}}', containerId]).trim();
/** Image ids labelled for the cluster as built images. */
const builtImages = (cluster: string): string[] => [...new Set(docker(['images', '-q', '--no-trunc', '--filter', `label=berth.cluster=${cluster}`]).split('\n').filter(Boolean))].sort();

describe.skipIf(!engineAvailable)(`berth history and rollback on a real engine${skipNote}`, () => {
  let app: App;
  const history = async (): Promise<Release[]> => {
    const r = await berth(['history', '--app', app.file, '--json'], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(0);
    return (JSON.parse(r.stdout) as { releases: Release[] }).releases;
  };
  const siteImages = (): string[] => [...new Set(replicas(app.cluster, 'site').map((c) => imageOf(c.id)))];
  const release = (deployOut: string): number => Number(/as release r(\d+)\./.exec(deployOut)?.[1]);

  beforeAll(async () => {
    app = await makeApp('web', 'rel');
    app.edit('cluster.ts', (t) =>
      t
        .replace("import { App, Cluster, Deployment, Image, ImageBuild, Service } from '@berth/core';", "import { App, Cluster, Deployment, Image, ImageBuild, Secret, Service } from '@berth/core';")
        .replace("const busybox = new Image(c, 'busybox', { name: 'berth-test/busybox:1' });", "const busybox = new Image(c, 'busybox', { name: 'berth-test/busybox:1' });\nconst token = new Secret(c, 'token', { fromEnv: 'E2E_TOKEN' });")
        .replace("  replicas: 1,\n  ports: [8080],", "  replicas: 1,\n  ports: [8080],\n  mounts: [{ secret: token, path: '/run/secrets/token' }],"),
    );
  });

  afterAll(async () => {
    if (!app) return;
    const r = await destroy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(leftovers(app.cluster)).toEqual(NOTHING);
    forceRemove(app.cluster);
    removeImagesAndDir(app);
  });

  const images: Record<number, string> = {};

  it('history after three deploys: newest first, who/where, what changed, the image ids that ran, versions not values', { timeout: LONG }, async () => {
    for (const v of [1, 2, 3]) {
      app.edit('site/index.html', () => `site v${v}\n`);
      const r = await deploy(app, [], TOKEN);
      expect(r.code, shown(r)).toBe(0);
      images[release(r.stdout)] = siteImages()[0] ?? '';
      expect(siteImages()).toHaveLength(1);
    }
    const h = await history();
    expect(h.map((x) => x.number)).toEqual([3, 2, 1]);
    expect(h.map((x) => [x.kind, x.result, x.runsNow, x.rollbackTarget])).toEqual([
      ['deploy', 'ok', true, false],
      ['deploy', 'ok', false, true],
      ['deploy', 'ok', false, true],
    ]);
    for (const x of h) {
      expect(x.by).toMatch(/^[^@\s]+@[^@\s]+$/);
      expect(x.images['site-image']).toBe(images[x.number]);
      expect(x.secrets['token']).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(h[0]?.summary).toBe('replace site; update site-image');
    expect(h[2]?.summary).toMatch(/^create /);
    expect(new Set(Object.values(images)).size).toBe(3);

    const plain = await berth(['history', '--app', app.file], { cwd: app.dir });
    expect(plain.code, shown(plain)).toBe(0);
    expect(plain.stdout).toMatch(/^ {2}r3 .* deploy {2}\[runs now\]$/m);
    expect(plain.stdout).toMatch(/^ {2}r2 .* \[rollback target\]$/m);
    expect(plain.stdout).toContain('changed: replace site; update site-image');
    // Never the value, in the listing or in state.
    expect(plain.stdout).not.toContain('hunter2');
    expect(app.read(`.berth/${app.cluster}.state.json`)).not.toContain('hunter2');
  });

  it('rollback to N-2 under a steady client: 0 failed requests, the old image id runs, recorded as a new release', { timeout: LONG }, async () => {
    const client = steadyClient(app.port);
    const r = await berth(['rollback', 'r1', '--app', app.file, '--yes'], { cwd: app.dir, env: TOKEN });
    const seen = await client.stop();
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/Rollback of .* from r3 to r1/);
    expect(r.stdout).toMatch(/^-\/\+ site +Deployment +replace \(rolling\)/m);
    expect(r.stdout).toContain('pinned by the release');
    expect(r.stdout).toMatch(/rolled back to r1 in [\d.]+s as release r4\./);
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    expect(seen.total).toBeGreaterThan(20);
    expect(seen.bodies).toEqual(['site v3', 'site v1']);
    expect(siteImages()).toEqual([images[1]]);
    expect(replicas(app.cluster, 'site').every(isHealthyRunning)).toBe(true);
    expect((await get(app.port)).body).toBe('site v1\n');

    const h = await history();
    expect(h[0]).toMatchObject({ number: 4, kind: 'rollback', rollbackOf: 1, result: 'ok', runsNow: true });
    expect(h[0]?.images['site-image']).toBe(images[1]);

    // diff with the (v3) program: says which release runs and that the program differs from it.
    const d = await berth(['diff', '--app', app.file], { cwd: app.dir, env: TOKEN });
    expect(d.code, shown(d)).toBe(2);
    expect(d.stdout).toMatch(/^r4 runs \(a rollback to r1 .*\); the program differs from what runs:$/m);
    expect(d.stdout).toMatch(/^-\/\+ site +Deployment/m);
  });

  it('image retention keeps the images of the last 3 good releases (and what runs), removes older builds', { timeout: LONG }, async () => {
    for (const v of [4, 5]) {
      app.edit('site/index.html', () => `site v${v}\n`);
      const r = await deploy(app, [], TOKEN);
      expect(r.code, shown(r)).toBe(0);
      images[release(r.stdout)] = siteImages()[0] ?? '';
    }
    // r6 runs; r5 and r4 (the rollback, running r1's image) are the other kept releases.
    expect(builtImages(app.cluster)).toEqual([images[6], images[5], images[1]].sort());
    const h = await history();
    // r1 ran the image r4 (its rollback) runs, which is kept: it is still a target.
    expect(h.filter((x) => x.rollbackTarget).map((x) => x.number)).toEqual([5, 4, 1]);
    expect(h.filter((x) => x.imagesRemoved).map((x) => x.number)).toEqual([3, 2]);
    // Retention: 8 more deploys leave 3 images, not one per deploy.
    for (let v = 6; v < 14; v++) {
      app.edit('site/index.html', () => `site v${v}\n`);
      const r = await deploy(app, [], TOKEN);
      expect(r.code, shown(r)).toBe(0);
    }
    expect(builtImages(app.cluster)).toHaveLength(3);
  });

  it('a rollback to a release whose image is gone is refused, names it, and changes nothing', { timeout: LONG }, async () => {
    const h = await history();
    const target = h.find((x) => x.rollbackTarget);
    expect(target).toBeDefined();
    const img = target?.images['site-image'] ?? '';
    docker(['rmi', img]);
    const before = containers(app.cluster).map((c) => c.id);
    const r = await berth(['rollback', `r${target?.number}`, '--app', app.file, '--yes'], { cwd: app.dir, env: TOKEN });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toContain(`Cannot roll back to r${target?.number}:`);
    expect(r.stderr).toMatch(new RegExp(`error\\[rollback\\.refused\\][^]*image ${img.replace('sha256:', '').slice(0, 12)} of site-image, which r${target?.number} ran, is no longer on the engine`));
    expect(r.stderr).toContain('a rollback never rebuilds');
    expect(containers(app.cluster).map((c) => c.id)).toEqual(before);
    expect((await history())[0]?.number).toBe(h[0]?.number);
  });

  it("a rollback when a Secret's value changed is refused (the old value cannot be had) and changes nothing", { timeout: LONG }, async () => {
    const h = await history();
    const target = h.find((x) => x.rollbackTarget && !x.imagesRemoved && x.number !== h[0]?.number && x.images['site-image'] !== undefined && builtImages(app.cluster).includes(x.images['site-image']));
    expect(target, JSON.stringify(h)).toBeDefined();
    const before = containers(app.cluster).map((c) => c.id);
    const r = await berth(['rollback', `r${target?.number}`, '--app', app.file, '--yes'], { cwd: app.dir, env: { E2E_TOKEN: 'another' } });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toMatch(/Cannot roll back to r\d+:\n {2}✗ Secret token: its value changed since r\d+, and berth never keeps secret values/);
    expect(r.stdout).not.toContain('another');
    expect(containers(app.cluster).map((c) => c.id)).toEqual(before);
    // With the value as it was, the same rollback goes through.
    const ok = await berth(['rollback', `r${target?.number}`, '--app', app.file, '--yes'], { cwd: app.dir, env: TOKEN });
    expect(ok.code, shown(ok)).toBe(0);
    expect(siteImages()).toEqual([target?.images['site-image']]);
    expect((await getOk(app.port)).status).toBe(200);
  });
});
