import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError, GraphJson } from '@berth/core';
import { LocalStateStore, newState, plan, stateAfter, type Plan } from '@berth/engine';
import { assertPlanFresh, diffCommand, loadPlanFile } from '../../packages/cli/src/commands/diff.ts';
import { synthApp } from '../../packages/cli/src/load/synth-app.ts';
import { readSecrets } from '../../packages/cli/src/load/secrets.ts';
import { runCommand, type Captured } from './run.ts';

const SECRET = 'correct-horse-battery-staple';

function program(replicas: number, volume = true): string {
  return `import { App, Cluster, Deployment, Secret, Service, Volume } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'shop');
const pw = new Secret(c, 'pw', { fromEnv: 'SHOP_PW' });
${volume ? "const data = new Volume(c, 'data');" : ''}
const web = new Deployment(c, 'web', { image: 'busybox:1.36', replicas: ${replicas}, env: { PW: pw }${volume ? ", mounts: [{ volume: data, path: '/data' }]" : ''} });
new Service(c, 'web-svc', { target: web, ports: [{ port: 80 }] });
export default app;
`;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-diff-'));
  await writeFile(join(dir, 'cluster.ts'), program(1));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (...args: string[]): Promise<Captured> => runCommand(diffCommand, dir, args, { SHOP_PW: SECRET });

/** Records state as if the current program had been deployed (what the executor journals). */
async function deployNow(): Promise<void> {
  const { graphs } = await synthApp(dir, undefined);
  const graph = graphs[0] as GraphJson;
  const store = new LocalStateStore({ dir: join(dir, '.berth') });
  const base = (await store.read('shop')) ?? newState('shop');
  const secretVersions = readSecrets(graph, dir, { SHOP_PW: SECRET }, await store.secretKey('shop')).versions;
  const input = { graph, state: await store.read('shop'), secretVersions };
  const lock = await store.lock('shop', 'test');
  await store.write(lock, stateAfter(input, plan(input), base));
  await store.unlock(lock);
}

describe('berth diff', () => {
  it('exits 2 with the plan when there are changes, 0 when there are none', async () => {
    const first = await run('--no-observe');
    expect(first.code).toBe(2);
    expect(first.out).toContain('Plan: 4 to create, 0 to update, 0 to replace, 0 to delete (0 unchanged)');
    expect(first.out).toContain('cluster shop  (not deployed yet)');

    await deployNow();
    const again = await run('--no-observe');
    expect(again).toMatchObject({ code: 0, out: 'cluster shop  (state serial 1)\n\nNo changes. 4 unchanged.\n' });

    await writeFile(join(dir, 'cluster.ts'), program(3));
    const scaled = await run('--no-observe');
    expect(scaled.code).toBe(2);
    expect(scaled.out).toContain('replicas: 1 → 3');
    expect(scaled.out).toContain('Plan: 0 to create, 1 to update, 0 to replace, 0 to delete (3 unchanged)');
  });

  it('--json prints the versioned plan, and no secret anywhere', async () => {
    const r = await run('--no-observe', '--json');
    const p = JSON.parse(r.out) as Plan;
    expect(p.planVersion).toBe(2);
    expect(p.changes.map((c) => c.id)).toEqual(['data', 'pw', 'web', 'web-svc']);
    await deployNow();
    const text = (await run('--no-observe', '--json')).out + (await run('--no-observe', '--verbose')).out;
    expect(text).not.toContain(SECRET);
  });

  it('--out saves a plan that deploy --plan accepts until state or the program moves on', async () => {
    await deployNow();
    await writeFile(join(dir, 'cluster.ts'), program(2));
    const r = await run('--no-observe', '--out', 'plan.json');
    expect(r.code).toBe(2);
    expect(r.out).toContain('Saved the plan to plan.json');
    expect((await stat(join(dir, 'plan.json'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'plan.json'), 'utf8')).not.toContain(SECRET);

    const saved = loadPlanFile('plan.json', dir);
    const { graphs } = await synthApp(dir, undefined);
    const graph = graphs[0] as GraphJson;
    const store = new LocalStateStore({ dir: join(dir, '.berth') });
    const state = await store.read('shop');
    const secretVersions = readSecrets(graph, dir, { SHOP_PW: SECRET }, await store.secretKey('shop')).versions;
    expect(() => assertPlanFresh(saved, 'plan.json', { graph, state, secretVersions })).not.toThrow();

    await deployNow(); // someone deployed in between
    const moved = await store.read('shop');
    try {
      assertPlanFresh(saved, 'plan.json', { graph, state: moved, secretVersions });
      expect.unreachable();
    } catch (e) {
      expect(BerthError.is(e) && e.code).toBe('state.stale-plan');
      expect((e as Error).message).toBe('the plan plan.json is stale:\n  state is at serial 2, the plan was made at serial 1: something was deployed since');
    }
  });

  it('refuses a plan file from another planVersion or that is not a plan', async () => {
    await writeFile(join(dir, 'p.json'), JSON.stringify({ planVersion: 9, cluster: 'shop', changes: [], basis: {} }));
    expect(() => loadPlanFile('p.json', dir)).toThrow(/planVersion 9; this berth applies planVersion 2/);
    await writeFile(join(dir, 'q.json'), '{"hello":1}');
    expect(() => loadPlanFile('q.json', dir)).toThrow(/not a berth plan/);
    expect(() => loadPlanFile('missing.json', dir)).toThrow(/cannot read the plan missing.json/);
  });

  it('exits 1 when deploy would refuse the plan (a volume deletion)', async () => {
    await deployNow();
    await writeFile(join(dir, 'cluster.ts'), program(1, false));
    const r = await run('--no-observe');
    expect(r.code).toBe(1);
    expect(r.out).toContain('error[plan.protected] data: refusing to delete Volume data');
    const allowed = await run('--no-observe', '--delete-volume', 'data');
    expect(allowed.code).toBe(2);
  });

  it('reports a missing program as an error', async () => {
    await expect(run('--app', 'nope.ts', '--no-observe')).rejects.toMatchObject({ code: 'load.not-found' });
  });

  it('prints its help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^berth diff /);
  });
});
