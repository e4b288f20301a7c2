/**
 * The secret-version HMAC key lives in the state store but outside the state document: a copy
 * of the state file (or of its history) alone cannot test guesses of a secret, two people
 * using the same store get the same versions, and state keyed by the lineage (older berth)
 * migrates without a false secret change.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deployment, Image, Secret } from '@berth/core';
import { plan, stateAfter } from '../../packages/engine/src/plan/index.ts';
import { LocalStateStore, migrateSecretVersions, secretVersion, type State } from '../../packages/engine/src/state/index.ts';
import { byAction, deployed, graphOf } from './plan-builders.ts';

const VALUE = 'hunter2';
const g = graphOf((c) => {
  const pw = new Secret(c, 'pw', { fromEnv: 'PW' });
  new Deployment(c, 'api', { image: new Image(c, 'img', { name: 'busybox:1' }), env: { PW: pw } });
});

/** Every string in a JSON document: what an attacker holding only that file could try as a key. */
function stringsIn(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') out.push(x);
  else if (Array.isArray(x)) for (const v of x) stringsIn(v, out);
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) out.push(k), stringsIn(v, out);
  return out;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the secret-version key', () => {
  it('is made once, 0600, outside the state file, and shared by everyone using the store', async () => {
    const a = new LocalStateStore({ dir: join(dir, '.berth') });
    const b = new LocalStateStore({ dir: join(dir, '.berth') });
    // Two deploys making it at the same moment agree on one key.
    const [k1, k2] = await Promise.all([a.secretKey('shop'), b.secretKey('shop')]);
    expect(k1).toMatch(/^[0-9a-f]{64}$/);
    expect(k2).toBe(k1);
    expect(await a.secretKey('shop')).toBe(k1);
    expect(statSync(a.secretKeyPath('shop')).mode & 0o777).toBe(0o600);
    expect(await a.secretKey('other')).not.toBe(k1);
  });

  it('a stolen state file and its history hold nothing that tests a guess', async () => {
    const store = new LocalStateStore({ dir: join(dir, '.berth') });
    const key = await store.secretKey('shop');
    const input = { graph: g, state: undefined, secretVersions: { pw: secretVersion(VALUE, key) } };
    const lock = await store.lock('shop', 'test');
    const written = await store.write(lock, stateAfter(input, plan(input), { stateVersion: 2, lineage: 'ab0c1d2e-0000-4000-8000-000000000000', serial: 0, cluster: 'shop', resources: {} } as State));
    await store.unlock(lock);
    const files = [store.statePath('shop'), ...readdirSync(join(dir, '.berth', 'history')).map((f) => join(dir, '.berth', 'history', f))];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text).not.toContain(key);
      const recorded = written.resources['pw']?.secretVersions?.['pw'];
      expect(recorded).toBeDefined();
      // The right guess, tried under every string in the file (the lineage was the key before): no match.
      const hits = stringsIn(JSON.parse(text)).filter((s) => secretVersion(VALUE, s) === recorded);
      expect(hits).toEqual([]);
    }
  });

  it('migrates versions keyed by the lineage: no false change, nothing rolled', () => {
    const old = deployed(g, { pw: secretVersion(VALUE, 'LINEAGE-AS-KEY') });
    const legacy: State = { ...old, lineage: 'LINEAGE-AS-KEY' };
    const key = 'f'.repeat(64);
    const now = { pw: secretVersion(VALUE, key) };
    // Without the migration the upgrade would look like a new secret value and roll api.
    expect(byAction(plan({ graph: g, state: legacy, secretVersions: now }))).toMatchObject({ api: 'replace' });
    const migrated = migrateSecretVersions(legacy, new Map([['pw', VALUE]]), key);
    expect(Object.values(byAction(plan({ graph: g, state: migrated, secretVersions: now })))).toEqual(['noop', 'noop', 'noop']);
    expect(JSON.stringify(migrated)).not.toContain(secretVersion(VALUE, 'LINEAGE-AS-KEY'));
    // A value that really changed is still a change, and an unreadable one is left as recorded.
    const changed = migrateSecretVersions(legacy, new Map([['pw', 'new-value']]), key);
    expect(changed).toBe(legacy);
    expect(byAction(plan({ graph: g, state: changed, secretVersions: { pw: secretVersion('new-value', key) } }))).toMatchObject({ api: 'replace' });
    expect(migrateSecretVersions(legacy, new Map(), key)).toBe(legacy);
  });
});
