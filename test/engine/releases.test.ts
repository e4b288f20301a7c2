/**
 * Release records and image retention: the pure parts (state/releases.ts, plan/retention.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseImageRetention, retainedReleases } from '../../packages/engine/src/plan/retention.ts';
import {
  finishRelease,
  markImagesRemoved,
  nextReleaseNumber,
  previousGoodRelease,
  rollbackProblems,
  settleRunning,
  startRelease,
  summarizeChanges,
  type ReleaseStart,
} from '../../packages/engine/src/state/releases.ts';
import { StateJson, type ReleaseRecord, type State } from '../../packages/engine/src/state/schema.ts';
import { emptyState } from './plan-builders.ts';

const start = (number: number, over: Partial<ReleaseStart> = {}): ReleaseStart => ({
  number,
  at: `2026-12-03T10:00:0${number % 10}.000Z`,
  by: 'ann@box',
  kind: 'deploy',
  graphHash: `g${number}`,
  summary: 'replace site',
  changes: [{ id: 'site', kind: 'Deployment', action: 'replace' }],
  ...over,
});
const pins = (image: string): Pick<ReleaseRecord, 'images' | 'configs' | 'secrets'> => ({ images: { 'site-image': image }, configs: { conf: 'c1' }, secrets: { pw: 'v1' } });

/** State after these releases ran in order, each ending as given. */
function ran(...rs: Array<{ n: number; result?: 'ok' | 'failed'; image?: string; over?: Partial<ReleaseStart> }>): State {
  let s: State = emptyState();
  for (const r of rs) {
    s = startRelease(s, start(r.n, r.over), 't');
    s = finishRelease(s, r.n, { result: r.result ?? 'ok', at: 't', ...(r.result === 'failed' ? { reason: 'site: health check failed', rolledBack: true } : {}), pins: pins(r.image ?? `sha256:i${r.n}`) });
  }
  return s;
}

describe('release records', () => {
  it('number on from the last record, or from the serial when none was kept yet (labels stay distinct)', () => {
    expect(nextReleaseNumber({ ...emptyState(), serial: 41 })).toBe(42);
    expect(nextReleaseNumber(ran({ n: 42 }, { n: 43 }))).toBe(44);
  });

  it('are kept newest first, bounded, and each validates against the state schema', () => {
    let s: State = emptyState();
    for (let n = 1; n <= 25; n++) s = finishRelease(startRelease(s, start(n), 't', 20), n, { result: 'ok', at: 't', pins: pins(`sha256:${n}`) });
    expect(s.releases?.map((r) => r.number)).toEqual(Array.from({ length: 20 }, (_, i) => 25 - i));
    expect(StateJson.safeParse(s).success).toBe(true);
  });

  it('a record left running by a killed deploy becomes interrupted when the next one starts', () => {
    const killed = startRelease(ran({ n: 1 }), start(2), 't');
    expect(killed.releases?.[0]?.result).toBe('running');
    const next = startRelease(killed, start(3), 't2');
    expect(next.releases?.map((r) => [r.number, r.result])).toEqual([
      [3, 'running'],
      [2, 'interrupted'],
      [1, 'ok'],
    ]);
    expect(next.releases?.[1]?.reason).toMatch(/r3 took over/);
  });

  it('a run with nothing to do settles a record a kill left running: ok when it deployed this program, else interrupted', () => {
    const killed = startRelease(ran({ n: 1 }), start(2), 't');
    const same = settleRunning(killed, { graphHash: 'g2', at: 't2', pins: pins('sha256:i2') });
    expect(same.releases?.[0]).toMatchObject({ number: 2, result: 'ok', reason: 'killed after its last step; ended by the next run', images: { 'site-image': 'sha256:i2' } });
    expect(settleRunning(killed, { graphHash: 'other', at: 't2', pins: pins('x') }).releases?.[0]?.result).toBe('interrupted');
    const done = ran({ n: 1 });
    expect(settleRunning(done, { graphHash: 'g1', at: 't', pins: pins('x') })).toBe(done);
  });

  it('a failed release keeps its reason and whether it rolled back', () => {
    const r = ran({ n: 1 }, { n: 2, result: 'failed' }).releases?.[0];
    expect(r).toMatchObject({ result: 'failed', reason: 'site: health check failed', rolledBack: true });
  });

  it('a successful rollback marks the releases it went back past', () => {
    const s = ran({ n: 1 }, { n: 2 }, { n: 3 }, { n: 4, over: { kind: 'rollback', rollbackOf: 2, graphHash: 'g2' } });
    expect(s.releases?.map((r) => [r.number, r.rolledBackBy])).toEqual([
      [4, undefined],
      [3, 4],
      [2, undefined],
      [1, undefined],
    ]);
  });

  it('summarise the plan in one line, by action, without no-ops', () => {
    expect(
      summarizeChanges([
        { id: 'site', kind: 'Deployment', action: 'replace' },
        { id: 'site-image', kind: 'ImageBuild', action: 'update' },
        { id: 'web', kind: 'Service', action: 'noop' },
        { id: 'cache', kind: 'Deployment', action: 'create' },
      ]),
    ).toEqual({
      summary: 'create cache; replace site; update site-image',
      changes: [
        { id: 'site', kind: 'Deployment', action: 'replace' },
        { id: 'site-image', kind: 'ImageBuild', action: 'update' },
        { id: 'cache', kind: 'Deployment', action: 'create' },
      ],
    });
    expect(summarizeChanges([]).summary).toBe('no changes');
    const many = summarizeChanges(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, kind: 'Deployment', action: 'create' })));
    expect(many.summary).toBe('create a, b, c and 2 more');
  });
});

describe('the default rollback target', () => {
  it('is the newest good release before the one that runs', () => {
    expect(previousGoodRelease(ran({ n: 1 }, { n: 2 }, { n: 3 }))?.number).toBe(2);
  });
  it('skips failed releases and ones whose images retention removed', () => {
    const s = markImagesRemoved(ran({ n: 1 }, { n: 2 }, { n: 3, result: 'failed' }, { n: 4 }), new Set(['sha256:i2']));
    expect(previousGoodRelease(s)?.number).toBe(1);
  });
  it('after a rollback, goes further back rather than to the release the rollback undid', () => {
    const s = ran({ n: 1 }, { n: 2 }, { n: 3 }, { n: 4, over: { kind: 'rollback', rollbackOf: 2, graphHash: 'g2' } });
    expect(previousGoodRelease(s)?.number).toBe(1);
  });
  it('is none with a single release', () => {
    expect(previousGoodRelease(ran({ n: 1 }))).toBeUndefined();
  });
});

describe('rollback refusals', () => {
  const r = ran({ n: 5 }).releases?.[0] as ReleaseRecord;
  it('none when the secrets hold the same versions and every image is there', () => {
    expect(rollbackProblems(r, { secretVersions: { pw: 'v1' }, unreadableSecrets: [], missingImages: [] })).toEqual([]);
  });
  it('a Secret whose value changed, one that cannot be read, and a missing image are each named', () => {
    const changed = rollbackProblems(r, { secretVersions: { pw: 'v2' }, unreadableSecrets: [], missingImages: ['sha256:i5'] });
    expect(changed.map((p) => p.message)).toEqual([
      "Secret pw: its value changed since r5, and berth never keeps secret values, so the old one cannot be had",
      'image i5 of site-image, which r5 ran, is no longer on the engine',
    ]);
    expect(rollbackProblems(r, { secretVersions: {}, unreadableSecrets: ['pw'], missingImages: [] })[0]?.message).toMatch(/cannot be read from its source/);
  });
});

describe('image retention', () => {
  it('keeps the images of the last K good releases and what runs, removes the rest', () => {
    const s = ran({ n: 1 }, { n: 2 }, { n: 3, result: 'failed' }, { n: 4 }, { n: 5 });
    const state: State = { ...s, resources: { 'site-image': { kind: 'ImageBuild', path: 'p', specHash: 'h', props: {}, dependsOn: [], outputs: { image: 'sha256:i5' } } } };
    const choice = chooseImageRetention({ state, keep: 3, built: ['sha256:i1', 'sha256:i2', 'sha256:i3', 'sha256:i4', 'sha256:i5', 'sha256:stray'], inUse: [] });
    expect(choice.remove).toEqual(['sha256:i1', 'sha256:i3', 'sha256:stray']);
    expect(choice.kept).toEqual([
      { image: 'sha256:i2', why: 'pinned by r2' },
      { image: 'sha256:i4', why: 'pinned by r4' },
      { image: 'sha256:i5', why: 'deployed now' },
    ]);
  });

  it('never removes an image a container uses', () => {
    const choice = chooseImageRetention({ state: ran({ n: 1 }, { n: 2 }), keep: 1, built: ['sha256:i1', 'sha256:i2'], inUse: ['sha256:i1'] });
    expect(choice.remove).toEqual([]);
  });

  it('property: no kept release loses an image, nothing deployed or in use is removed, only built images are removed', () => {
    const release = fc.record({ n: fc.nat(3), ok: fc.boolean() });
    fc.assert(
      fc.property(fc.array(release, { maxLength: 12 }), fc.nat(5), fc.subarray(['sha256:i0', 'sha256:i1', 'sha256:i2', 'sha256:i3']), fc.subarray(['sha256:i0', 'sha256:i1', 'sha256:i2', 'sha256:i3', 'sha256:x']), (rs, keep, inUse, built) => {
        const s = ran(...rs.map((r, i) => ({ n: i + 1, result: r.ok ? ('ok' as const) : ('failed' as const), image: `sha256:i${r.n}` })));
        const choice = chooseImageRetention({ state: s, keep, built, inUse });
        const removed = new Set(choice.remove);
        for (const r of retainedReleases(s.releases ?? [], keep)) for (const img of Object.values(r.images)) expect(removed.has(img)).toBe(false);
        for (const img of inUse) expect(removed.has(img)).toBe(false);
        for (const img of removed) expect(built).toContain(img);
        expect(choice.remove.length + choice.kept.length).toBe(new Set(built).size);
      }),
    );
  });

  it('a release that lost an image is marked and no longer counts as a rollback target', () => {
    const s = markImagesRemoved(ran({ n: 1 }, { n: 2 }), new Set(['sha256:i1']));
    expect(s.releases?.map((r) => [r.number, r.imagesRemoved ?? false])).toEqual([
      [2, false],
      [1, true],
    ]);
    expect(retainedReleases(s.releases ?? [], 5).map((r) => r.number)).toEqual([2]);
  });
});
