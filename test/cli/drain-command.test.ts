// berth drain writes the drain set into state under the lock; an old drain file is moved there once.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '@berth/core';
import { LocalStateStore } from '@berth/engine';
import { drainCommand } from '../../packages/cli/src/commands/drain.ts';
import { legacyDrained, migrateDrainFile } from '../../packages/cli/src/drain.ts';
import { runCommand, type Captured } from './run.ts';

const PROGRAM = `import { App, Cluster, Deployment } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'mh', { target: { docker: { hosts: [
  { name: 'n1', endpoint: 'tcp://10.0.0.1:2375' },
  { name: 'n2', endpoint: 'tcp://10.0.0.2:2375' },
] } } });
new Deployment(c, 'web', { image: 'busybox:1.36', replicas: 2 });
export default app;
`;

let dir: string;
let store: LocalStateStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-drain-'));
  await writeFile(join(dir, 'cluster.ts'), PROGRAM);
  store = new LocalStateStore({ dir: join(dir, '.berth') });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const drain = (...args: string[]): Promise<Captured> => runCommand(drainCommand, dir, args);

const legacy = (): string => join(dir, '.berth', 'mh.drain.json');

describe('berth drain', () => {
  it('records the drain set in state, one serial per change, and --undo takes a node out', async () => {
    expect((await drain('n2')).out).toBe('mh: n2 is draining; run berth deploy to move its replicas\n');
    expect(await store.read('mh')).toMatchObject({ serial: 1, drained: ['n2'] });
    await drain('n1');
    expect(await store.read('mh')).toMatchObject({ serial: 2, drained: ['n1', 'n2'] });
    await drain('n2', '--undo');
    await drain('n1', '--undo');
    const s = await store.read('mh');
    expect(s?.serial).toBe(4);
    expect(s && 'drained' in s).toBe(false);
    expect(existsSync(legacy())).toBe(false);
  });

  it('refuses while a deploy holds the lock, changing nothing', async () => {
    const lock = await store.lock('mh', 'deploy');
    try {
      await drain('n2');
      expect.unreachable();
    } catch (e) {
      expect(BerthError.is(e) && e.code).toBe('state.locked');
    } finally {
      await store.unlock(lock);
    }
    expect(await store.read('mh')).toBeUndefined();
  });

  it('moves an old .berth/<cluster>.drain.json into state once, then forgets the file', async () => {
    await mkdir(join(dir, '.berth'), { recursive: true });
    await writeFile(legacy(), JSON.stringify({ drained: ['n2', 'n1', 'n2'] }));
    expect(legacyDrained(dir, 'mh')).toEqual(['n1', 'n2']);
    await drain('n1', '--undo');
    expect(existsSync(legacy())).toBe(false);
    expect(await store.read('mh')).toMatchObject({ serial: 2, drained: ['n2'] });
  });

  it('the migration keeps a drain set already in state (newer than any file)', async () => {
    await drain('n1');
    await writeFile(legacy(), JSON.stringify({ drained: ['n2'] }));
    const lock = await store.lock('mh', 'deploy');
    try {
      const s = await migrateDrainFile(dir, store, lock, await store.read('mh'));
      expect(s).toMatchObject({ serial: 1, drained: ['n1'] });
      expect(await migrateDrainFile(dir, store, lock, s)).toBe(s);
    } finally {
      await store.unlock(lock);
    }
    expect(existsSync(legacy())).toBe(false);
  });
});
