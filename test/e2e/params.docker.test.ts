/**
 * Parameters on a real engine with the built binary: what a deploy ran with is recorded, and
 * diff names the parameters that differ from it (with the resources they change), then stops
 * naming them once a deploy ran with the new values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck } from './converge.ts';
import { berth, containers, deploy, engineAvailable, makeApp, shown, skipNote, type App } from './harness.ts';

const LONG = 180_000;

describe.skipIf(!engineAvailable)(`parameters end to end${skipNote}`, () => {
  let app: App;
  beforeAll(async () => {
    app = await makeApp('params', 'params');
  });
  afterAll(() => destroyAndCheck(app), LONG);

  it('diff lists the parameters changed since the last deploy, and deploy records them', { timeout: LONG }, async () => {
    const first = await deploy(app);
    expect(first.code, shown(first)).toBe(0);
    const same = await berth(['diff', '--app', app.file], { cwd: app.dir });
    expect(same.code, shown(same)).toBe(0);
    expect(same.stdout).not.toContain('Parameters');

    const changed = await berth(['diff', '--app', app.file, '--set', 'region=us-east', '--set', 'replicas=2'], { cwd: app.dir });
    expect(changed.code, shown(changed)).toBe(2);
    expect(changed.stdout).toContain(`Parameters (${app.cluster}, since the last deploy):\n  region: "eu-west" → "us-east"  [--set region=…]\n  replicas: 1 → 2  [--set replicas=…]\n`);
    expect(changed.stdout).toMatch(/env\.REGION/);

    const second = await deploy(app, ['--set', 'region=us-east', '--set', 'replicas=2']);
    expect(second.code, shown(second)).toBe(0);
    expect(containers(app.cluster, { 'berth.resource': 'web' }).filter((c) => c.state === 'running')).toHaveLength(2);
    const after = await berth(['diff', '--app', app.file, '--set', 'region=us-east', '--set', 'replicas=2'], { cwd: app.dir });
    expect(after.code, shown(after)).toBe(0);
    expect(after.stdout).not.toContain('Parameters');
    // Back to the defaults: the recorded values are the last deploy's.
    const back = await berth(['diff', '--app', app.file], { cwd: app.dir });
    expect(back.stdout).toContain('  region: "us-east" → "eu-west"  [default]');
  });
});
