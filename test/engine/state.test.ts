import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '@berth/core';
import { LocalStateStore, newState, secretVersion, type State } from '../../packages/engine/src/state/index.ts';

let dir: string;
let store: LocalStateStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-state-'));
  store = new LocalStateStore({ dir: join(dir, '.berth'), displayBase: dir, keepHistory: 3 });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function withWeb(s: State, image: string): State {
  return {
    ...s,
    resources: { web: { kind: 'Deployment', path: 'shop/web', specHash: `h-${image}`, props: { image }, dependsOn: [], outputs: { containers: ['c1'] } } },
  };
}

async function catchErr(p: Promise<unknown>): Promise<BerthError> {
  try {
    await p;
  } catch (e) {
    if (BerthError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a BerthError');
}

/** Writes `n` versions under one lock and returns the last. */
async function writeVersions(n: number): Promise<State> {
  const lock = await store.lock('shop', 'deploy');
  let s = newState('shop');
  for (let i = 0; i < n; i++) s = await store.write(lock, withWeb(s, `img:${i}`));
  await store.unlock(lock);
  return s;
}

describe('LocalStateStore: reading and writing', () => {
  it('reads nothing for a cluster never deployed', async () => {
    expect(await store.read('shop')).toBeUndefined();
  });

  it('writes atomically, mode 0600, bumping the serial and keeping the lineage', async () => {
    const lock = await store.lock('shop', 'deploy');
    const s0 = newState('shop');
    const s1 = await store.write(lock, withWeb(s0, 'a'));
    expect(s1.serial).toBe(1);
    expect(s1.lineage).toBe(s0.lineage);
    const s2 = await store.write(lock, withWeb(s1, 'b'));
    expect(s2.serial).toBe(2);
    await store.unlock(lock);

    const back = await store.read('shop');
    expect(back).toEqual(s2);
    const st = await stat(store.statePath('shop'));
    expect(st.mode & 0o777).toBe(0o600);
    const hist = await stat(join(dir, '.berth/history/shop.2.json'));
    expect(hist.mode & 0o777).toBe(0o600);
    // no temp files left behind
    const names = await readdir(join(dir, '.berth'));
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names.sort()).toEqual(['history', 'shop.state.json']);
  });

  it('refuses to write from a stale serial (someone wrote in between)', async () => {
    const lock = await store.lock('shop', 'deploy');
    const s0 = newState('shop');
    await store.write(lock, withWeb(s0, 'a'));
    const e = await catchErr(store.write(lock, withWeb(s0, 'b')));
    expect(e.code).toBe('state.locked');
    expect(e.message).toMatch(/expected serial 0, found 1/);
  });

  it('refuses to write without holding the lock', async () => {
    const lock = await store.lock('shop', 'deploy');
    await store.forceUnlock('shop');
    const e = await catchErr(store.write(lock, withWeb(newState('shop'), 'a')));
    expect(e.code).toBe('state.locked');
  });

  it('keeps the last N versions in history, newest first', async () => {
    await writeVersions(5);
    const h = await store.history('shop');
    expect(h.map((x) => x.serial)).toEqual([5, 4, 3]);
    expect(h[0]?.location).toBe(join('.berth', 'history', 'shop.5.json'));
    const old = JSON.parse(await readFile(join(dir, '.berth/history/shop.4.json'), 'utf8')) as State;
    expect(old.resources.web?.props).toEqual({ image: 'img:3' });
  });

  it('keeps clusters apart, even with dotted names', async () => {
    await writeVersions(1);
    const lock = await store.lock('shop.b', 'deploy');
    await store.write(lock, withWeb(newState('shop.b'), 'x'));
    expect((await store.history('shop')).map((h) => h.serial)).toEqual([1]);
    expect((await store.read('shop.b'))?.cluster).toBe('shop.b');
  });
});

describe('LocalStateStore: damaged files are refused, never overwritten', () => {
  const cases: [string, (text: string) => string, string, RegExp][] = [
    ['truncated', (t) => t.slice(0, Math.floor(t.length / 2)), 'state.corrupt', /not valid JSON \(truncated\?\)/],
    ['empty', () => '', 'state.corrupt', /is empty/],
    ['not a state', () => JSON.stringify({ hello: 'world' }), 'state.corrupt', /not a valid berth state/],
    ['wrong field type', (t) => t.replace('"serial": 3', '"serial": "three"'), 'state.corrupt', /serial/],
    ['newer schema', (t) => t.replace('"stateVersion": 3', '"stateVersion": 7'), 'state.newer-schema', /newer berth \(stateVersion 7; this berth reads 3\)/],
  ];
  for (const [name, damage, code, message] of cases) {
    it(`${name}: ${code} with a pointer to the last good copy`, async () => {
      const s3 = await writeVersions(3);
      const path = store.statePath('shop');
      const bad = damage(await readFile(path, 'utf8'));
      await writeFile(path, bad);

      const e = await catchErr(store.read('shop'));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
      expect(e.hint).toContain(join('.berth', 'history', 'shop.3.json'));
      expect(e.hint).toContain('serial 3');

      // a deploy cannot write over it either
      const lock = await store.lock('shop', 'deploy');
      const w = await catchErr(store.write(lock, withWeb(s3, 'z')));
      expect(w.code).toBe(code);
      expect(await readFile(path, 'utf8')).toBe(bad);
    });
  }

  it('skips damaged history copies when pointing at the last good one', async () => {
    await writeVersions(3);
    await writeFile(join(dir, '.berth/history/shop.3.json'), '{"stateVer');
    await writeFile(store.statePath('shop'), '{');
    const e = await catchErr(store.read('shop'));
    expect(e.hint).toContain('shop.2.json');
  });

  it('says so when there is no good copy', async () => {
    await writeFile(join(dir, 'x'), '');
    await store.lock('shop', 'deploy'); // creates .berth
    await writeFile(store.statePath('shop'), 'garbage');
    const e = await catchErr(store.read('shop'));
    expect(e.hint).toMatch(/no earlier copy/);
  });
});

describe('LocalStateStore: locking', () => {
  it('a second locker fails naming owner pid, host and time', async () => {
    const first = await store.lock('shop', 'deploy');
    const other = new LocalStateStore({ dir: join(dir, '.berth'), displayBase: dir });
    const e = await catchErr(other.lock('shop', 'deploy'));
    expect(e.code).toBe('state.locked');
    expect(e.message).toContain(`pid ${process.pid}`);
    expect(e.message).toContain(hostname());
    expect(e.message).toContain(first.info.time);
    expect(e.hint).toMatch(/--force-unlock/);
    const lockMode = await stat(store.lockPath('shop'));
    expect(lockMode.mode & 0o777).toBe(0o600);
  });

  it('unlock releases; a new lock can then be taken', async () => {
    const a = await store.lock('shop', 'deploy');
    await store.unlock(a);
    expect(await store.readLock('shop')).toBeUndefined();
    const b = await store.lock('shop', 'deploy');
    expect(b.info.token).not.toBe(a.info.token);
    // unlocking with a stale handle leaves the new owner's lock alone
    await store.unlock(a);
    expect((await store.readLock('shop'))?.token).toBe(b.info.token);
  });

  it("takes over a dead owner's lock on the same host", async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    await store.lock('x', 'init'); // creates the folder
    await writeFile(store.lockPath('shop'), JSON.stringify({ pid: deadPid, host: hostname(), time: '2026-01-01T00:00:00.000Z', operation: 'deploy', token: 'dead' }));
    const l = await store.lock('shop', 'deploy');
    expect(l.info.pid).toBe(process.pid);
    expect((await store.readLock('shop'))?.token).toBe(l.info.token);
    const names = await readdir(join(dir, '.berth'));
    expect(names.filter((n) => n.includes('stale') || n.endsWith('.tmp'))).toEqual([]);
  });

  it('does not take over a lock from another host (it cannot tell whether the owner lives)', async () => {
    await store.lock('x', 'init');
    await writeFile(store.lockPath('shop'), JSON.stringify({ pid: 999999, host: 'elsewhere', time: '2026-01-01T00:00:00.000Z', operation: 'deploy', token: 't' }));
    const e = await catchErr(store.lock('shop', 'deploy'));
    expect(e.code).toBe('state.locked');
    expect(e.message).toBe('state of cluster "shop" is locked by pid 999999 on elsewhere (deploy) since 2026-01-01T00:00:00.000Z');
  });

  it('force-unlock removes any lock and reports its owner', async () => {
    await store.lock('x', 'init');
    await writeFile(store.lockPath('shop'), JSON.stringify({ pid: 4242, host: 'elsewhere', time: 't0', operation: 'deploy', token: 't' }));
    const removed = await store.forceUnlock('shop');
    expect(removed).toMatchObject({ pid: 4242, host: 'elsewhere' });
    expect(await store.readLock('shop')).toBeUndefined();
    expect(await store.forceUnlock('shop')).toBeUndefined();
    await store.lock('shop', 'deploy');
  });

  it('an unreadable lock file still counts as held', async () => {
    await store.lock('x', 'init');
    await writeFile(store.lockPath('shop'), '');
    const e = await catchErr(store.lock('shop', 'deploy'));
    expect(e.code).toBe('state.locked');
    expect(e.message).toMatch(/unreadable lock file/);
  });

  it('taking the lock sweeps temp files a killed writer left, and only those', async () => {
    await writeVersions(1);
    const junk = ['shop.state.json.123.abcd.tmp', 'history/shop.7.json.123.abcd.tmp'];
    const kept = ['other.state.json.1.x.tmp', 'history/shop.b.3.json.1.x.tmp', 'shop.lock.55.y.tmp'];
    for (const f of [...junk, ...kept]) await writeFile(join(dir, '.berth', f), '{');
    const l = await store.lock('shop', 'deploy');
    await store.unlock(l);
    const all = [...(await readdir(join(dir, '.berth'))), ...(await readdir(join(dir, '.berth', 'history'))).map((n) => `history/${n}`)];
    expect(all.filter((n) => n.endsWith('.tmp')).sort()).toEqual([...kept].sort());
  });

  it('only one of many concurrent lockers wins', async () => {
    const stores = Array.from({ length: 8 }, () => new LocalStateStore({ dir: join(dir, '.berth') }));
    const results = await Promise.allSettled(stores.map((s) => s.lock('shop', 'deploy')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('secretVersion', () => {
  it('is an HMAC: stable, key-dependent, not the plain hash', () => {
    expect(secretVersion('hunter2', 'salt-a')).toBe(secretVersion('hunter2', 'salt-a'));
    expect(secretVersion('hunter2', 'salt-a')).not.toBe(secretVersion('hunter2', 'salt-b'));
    expect(secretVersion('hunter2', 'salt-a')).toMatch(/^[0-9a-f]{64}$/);
    expect(secretVersion('hunter2', 'salt-a')).not.toContain('hunter2');
  });
});
