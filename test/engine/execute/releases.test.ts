/**
 * The executor's release records, pinned images and canaries on the in-memory driver and a
 * real state folder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Deployment, Image, Service, type Cluster } from '@berth/core';
import type { ReleaseStart } from '../../../packages/engine/src/state/releases.ts';
import type { State } from '../../../packages/engine/src/state/index.ts';
import { expectConverged, graphOf, Rig, shop } from './rig.ts';

const rigs: Rig[] = [];
const rig = (...a: ConstructorParameters<typeof Rig>): Rig => {
  const r = new Rig(...a);
  rigs.push(r);
  return r;
};
afterEach(() => {
  for (const r of rigs.splice(0)) r.dispose();
});

const head = (state: State, number = (state.releases?.[0]?.number ?? 0) + 1): ReleaseStart => ({ number, at: 't', by: 'ann@box', kind: 'deploy', graphHash: `g${number}`, summary: 's', changes: [] });
const withRecord = { extra: (s: State) => ({ record: { start: head(s) } }) };

describe('execute: release records', () => {
  it('writes the record ahead as running and ends it ok with the image ids that ran', async () => {
    const r = rig('shop');
    const g = graphOf('shop', shop());
    const seen: string[] = [];
    r.afterWrite = (_n, written) => seen.push(written.releases?.[0]?.result ?? 'none');
    const run = await r.deploy(g, withRecord);
    expect(run.result?.ok).toBe(true);
    // The first durable write already holds the record; the last ends it.
    expect(seen[0]).toBe('running');
    expect(seen.at(-1)).toBe('ok');
    const s = await r.state();
    const rec = s?.releases?.[0];
    expect(rec?.images['api-image']).toBe(s?.resources['api-image']?.outputs['image']);
    expect(rec?.images['api-image']).toMatch(/^sha256:/);
    expect(Object.keys(rec?.configs ?? {})).toEqual(['settings']);
    expect(rec?.secrets['api-key']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a deploy killed after its first write leaves the record running; the next one marks it interrupted', async () => {
    const r = rig('shop');
    const g = graphOf('shop', shop());
    r.afterWrite = (n, _w, d) => {
      if (n === 1) d.kill();
    };
    const killed = await r.deploy(g, withRecord);
    expect(killed.killed).toBe(true);
    expect((await r.state())?.releases?.map((x) => x.result)).toEqual(['running']);
    r.afterWrite = undefined;
    const again = await r.deploy(g, withRecord);
    expect(again.result?.ok).toBe(true);
    expect((await r.state())?.releases?.map((x) => [x.number, x.result])).toEqual([
      [2, 'ok'],
      [1, 'interrupted'],
    ]);
    await expectConverged(r, g);
  });

  it('a pinned ImageBuild is not built: the pinned id runs', async () => {
    const r = rig('shop');
    const v1 = graphOf('shop', shop(), { './api': 'one' });
    await r.deploy(v1, withRecord);
    const first = (await r.state())?.resources['api-image']?.outputs['image'] as string;
    await r.deploy(graphOf('shop', shop(), { './api': 'two' }), withRecord);
    const builds = r.driver.calls.filter((c) => c.op === 'buildImage').length;
    const back = await r.deploy(v1, { extra: (s) => ({ record: { start: { ...head(s), kind: 'rollback', rollbackOf: 1 } }, pinnedImages: { 'api-image': first } }) });
    expect(back.result?.ok).toBe(true);
    expect(r.driver.calls.filter((c) => c.op === 'buildImage').length).toBe(builds);
    const s = await r.state();
    expect(s?.resources['api-image']?.outputs['image']).toBe(first);
    expect(r.driver.of('api').every((c) => c.spec?.image === first)).toBe(true);
    expect(s?.releases?.[0]).toMatchObject({ kind: 'rollback', rollbackOf: 1, result: 'ok' });
    expect(s?.releases?.slice(1).map((x) => x.rolledBackBy)).toEqual([3, undefined]);
  });
});

function web(version: string, canary: { promote?: 'auto' | 'manual' } = {}) {
  return (c: Cluster): void => {
    const img = new Image(c, 'img', { name: 'busybox:1' });
    const site = new Deployment(c, 'site', { image: img, replicas: 3, ports: [8080], env: { V: version }, update: { canary: { replicas: 1, pause: '50ms', promote: canary.promote ?? 'auto' } } });
    new Service(c, 'web', { target: site, ports: [{ port: 80, targetPort: 8080 }] });
  };
}

describe('execute: canaries', () => {
  it('auto: promoted after the pause; converges on the new spec', async () => {
    const r = rig('web');
    await r.deploy(graphOf('web', web('v1')));
    const g2 = graphOf('web', web('v2'));
    const run = await r.deploy(g2);
    expect(run.result?.ok, JSON.stringify(run.result?.failures)).toBe(true);
    const msgs = run.events.flatMap((e) => (e.type === 'step-progress' ? [e.message] : []));
    expect(msgs).toContain('canary: starting 1 replica of the new spec beside 3');
    expect(msgs).toContain('canary promoted: rolling the other 2 replicas');
    await expectConverged(r, g2);
  });

  it('a canary that never turns ready is aborted: removed, the old replicas untouched, state unchanged', async () => {
    const r = rig('web');
    await r.deploy(graphOf('web', web('v1')));
    const before = r.driver.of('site').map((c) => c.id);
    const recorded = (await r.state())?.resources['site']?.replicaHash;
    r.driver.faults.push({ on: 'ready', resourceId: 'site', reason: 'health check failed 3 times' });
    const run = await r.deploy(graphOf('web', web('v2')));
    expect(run.result?.ok).toBe(false);
    expect(run.result?.failures[0]).toMatchObject({ id: 'site', rolledBack: true });
    expect(run.result?.failures[0]?.reason).toMatch(/^canary of site aborted: canary replica 0 (did not become ready: health check failed 3 times|is exited)/);
    expect(r.driver.of('site').map((c) => c.id)).toEqual(before);
    expect((await r.state())?.resources['site']?.replicaHash).toBe(recorded);
  });

  it('manual: holds with a canary mark and the old spec recorded; the next deploy promotes it', async () => {
    const r = rig('web');
    await r.deploy(graphOf('web', web('v1', { promote: 'manual' })));
    const recorded = (await r.state())?.resources['site']?.replicaHash;
    const g2 = graphOf('web', web('v2', { promote: 'manual' }));
    const held = await r.deploy(g2, withRecord);
    expect(held.result?.ok).toBe(true);
    expect(held.result?.canaries).toEqual(['site']);
    const s = await r.state();
    expect(s?.resources['site']?.replicaHash).toBe(recorded);
    expect(s?.resources['site']?.canary).toMatchObject({ replicas: 1 });
    expect(s?.releases?.[0]?.result).toBe('canary');
    expect(r.driver.of('site')).toHaveLength(4);
    const promoted = await r.deploy(g2, withRecord);
    expect(promoted.result?.ok).toBe(true);
    await expectConverged(r, g2);
    const after = await r.state();
    expect(after?.resources['site']?.canary).toBeUndefined();
    expect(after?.releases?.map((x) => x.result)).toEqual(['ok', 'ok']);
    expect(after?.releases?.[1]?.reason).toBe(`canary promoted by r${after?.releases?.[0]?.number}`);
  });
});
