/**
 * A deploy killed while its Service (proxy) is being created converges on the rerun; of two
 * deploys started at once on the same program, one holds the cluster's lock and deploys, the
 * other fails cleanly with state.locked naming the owner's pid and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck, expectConverged, killDeployAt } from './converge.ts';
import { deploy, engineAvailable, makeApp, shown, skipNote, start, type App, type RunResult } from './harness.ts';

const LONG = 240_000;

describe.skipIf(!engineAvailable)(`berth deploy: killed during Service creation; two deploys at once${skipNote}`, () => {
  let app: App;
  beforeAll(async () => {
    app = await makeApp('web', 'conc');
  });
  afterAll(() => destroyAndCheck(app), LONG);

  it('killed while the Service is being created: the rerun converges with one proxy', { timeout: LONG }, async () => {
    await killDeployAt(app, /\+ web create Service/, 200);
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    await expectConverged(app, 'site v1\n');
  });

  it('of two concurrent deploys one fails cleanly with state.locked naming the owner, the other deploys', { timeout: LONG }, async () => {
    app.edit('site/index.html', () => 'site v2\n');
    const a = start(['deploy', '--app', app.file, '--yes'], { cwd: app.dir });
    const b = start(['deploy', '--app', app.file, '--yes'], { cwd: app.dir });
    const results: Array<{ pid: number; r: RunResult }> = [
      { pid: a.pid, r: await a.done },
      { pid: b.pid, r: await b.done },
    ];
    const all = results.map((x) => `pid ${x.pid}: ${shown(x.r)}`).join('\n\n');
    const won = results.filter((x) => x.r.code === 0);
    const lost = results.filter((x) => x.r.code !== 0);
    expect(won, all).toHaveLength(1);
    expect(lost, all).toHaveLength(1);
    const loser = lost[0]?.r;
    expect(loser?.code, all).toBe(1);
    const message = `${loser?.stdout ?? ''}${loser?.stderr ?? ''}`;
    expect(message).toContain('error[state.locked]');
    expect(message).toContain(`locked by pid ${won[0]?.pid ?? '?'}`);
    // The loser changed nothing: it never started a step.
    expect(loser?.stdout ?? '').not.toMatch(/^[+~±!-] \S+ \w+ \w+…/m);
    await expectConverged(app, 'site v2\n');
  });
});
