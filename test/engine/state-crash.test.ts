/**
 * Interruption: a writer killed with SIGKILL at arbitrary points never leaves a state file
 * that fails to read, and the survivor can take the dead writer's lock and go on.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStateStore } from '../../packages/engine/src/state/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let writer: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-crash-'));
  const src = join(dir, 'writer.ts');
  // Writes state as fast as it can, one lock for the whole run, until it is killed.
  await writeFile(
    src,
    `import { LocalStateStore, newState } from ${JSON.stringify(join(root, 'packages/engine/src/state/index.ts'))};
const store = new LocalStateStore({ dir: process.argv[2] as string, keepHistory: 5 });
const lock = await store.lock('shop', 'deploy');
let s = (await store.read('shop')) ?? newState('shop');
process.stdout.write('locked\\n');
for (let i = 0; ; i++) {
  const resources = Object.fromEntries(Array.from({ length: 200 }, (_, j) => [\`r\${j}\`, { kind: 'Deployment', path: \`shop/r\${j}\`, specHash: String(i), props: { i, pad: 'x'.repeat(200) }, dependsOn: [], outputs: {} }]));
  s = await store.write(lock, { ...s, resources });
}
`,
  );
  writer = join(dir, 'writer.mjs');
  await build({ entryPoints: [src], outfile: writer, bundle: true, platform: 'node', format: 'esm', target: 'node20', absWorkingDir: root, alias: { '@berth/core': './packages/core/src/index.ts' }, banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" }, logLevel: 'error' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runAndKill(stateDir: string, afterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), afterMs));
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

describe('LocalStateStore under SIGKILL', () => {
  it('always leaves a readable state, and a dead writer’s lock is taken over', async () => {
    const stateDir = join(dir, '.berth');
    const store = new LocalStateStore({ dir: stateDir });
    let lastSerial = 0;
    for (const ms of [5, 17, 40, 3, 80, 11]) {
      await runAndKill(stateDir, ms);
      const s = await store.read('shop'); // throws if the file were torn
      expect(s?.serial ?? 0).toBeGreaterThanOrEqual(lastSerial);
      lastSerial = s?.serial ?? 0;
      if (s) expect(Object.keys(s.resources)).toHaveLength(200);
    }
    expect(lastSerial).toBeGreaterThan(0);
    // the killed writer's lock is still there, and its owner is provably dead
    expect((await store.readLock('shop'))?.pid).not.toBe(process.pid);
    const lock = await store.lock('shop', 'deploy');
    expect(lock.info.pid).toBe(process.pid);
    await store.unlock(lock);
    // history kept pruned to the last 5 (plus, at most, one a killed writer had not pruned yet)
    const hist = await store.history('shop');
    expect(hist.length).toBeGreaterThan(0);
    expect(hist.length).toBeLessThanOrEqual(6);
    // temp files of killed writes were swept when the lock was taken
    expect((await readdir(stateDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await readdir(join(stateDir, 'history'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
