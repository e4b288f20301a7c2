/**
 * Interrupted deploys on a real engine: `kill -9` of berth at several points of a deploy
 * (during the build, right after it, once a new replica is starting, mid-rollout), then
 * `berth deploy` again must exit 0 with exactly the program's replicas on the new spec, nothing
 * orphaned (counted by label) and a state file that parses. Also: containers stopped behind
 * berth's back, as an engine restart does, are repaired by the next deploy.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck, expectConverged, killDeployAt } from './converge.ts';
import { containers, deploy, engineAvailable, makeApp, shown, skipNote, type App } from './harness.ts';

const LONG = 240_000;

describe.skipIf(!engineAvailable)(`berth deploy killed with SIGKILL, then deployed again${skipNote}`, () => {
  let app: App;
  beforeAll(async () => {
    app = await makeApp('web', 'kill');
  });
  afterAll(() => destroyAndCheck(app), LONG);

  it('killed during the image build of a first deploy: the rerun converges', { timeout: LONG }, async () => {
    await killDeployAt(app, /site-image: building/);
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    await expectConverged(app, 'site v1\n');
  });

  it('killed right after the build step of a change: the rerun rolls the new image out', { timeout: LONG }, async () => {
    app.edit('site/index.html', () => 'site v2\n');
    await killDeployAt(app, /✓ site-image update done/);
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/± site replace Deployment/);
    await expectConverged(app, 'site v2\n');
  });

  it('killed once a new replica is starting: the rerun finishes the rollout', { timeout: LONG }, async () => {
    app.edit('site/index.html', () => 'site v3\n');
    await killDeployAt(app, /site: starting replica/, 300);
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    await expectConverged(app, 'site v3\n');
  });

  it('killed mid-rollout (one replica new, two old): the rerun finishes it, and the next is a no-op', { timeout: LONG }, async () => {
    app.edit('site/index.html', () => 'site v4\n');
    await killDeployAt(app, /site: 1\/3 replicas ready/);
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    await expectConverged(app, 'site v4\n');
    const again = await deploy(app);
    expect(again.code, shown(again)).toBe(0);
    expect(again.stdout).toContain('no changes');
  });

  it('replicas and the proxy stopped behind berth\'s back (as an engine restart does) are repaired in place', { timeout: LONG }, async () => {
    const ids = containers(app.cluster).map((c) => c.id);
    expect(spawnSync('docker', ['stop', '-t', '1', ...ids], { encoding: 'utf8' }).status).toBe(0);
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/^! site repair Deployment/m);
    expect(r.stdout).toMatch(/^! web repair Service/m);
    await expectConverged(app, 'site v4\n');
  });
});
