/**
 * The engine restarts in the middle of a deploy (fixture "restart"): the deploy fails, and running
 * deploy again converges — every replica running and healthy on the current spec, the Service
 * answering with the new version, and a diff after it shows no change. The engine is a dockerd
 * of the test's own (test/docker/private-engine.ts), stopped and started again by its pid on the
 * same data root; the shared engine is never touched. The restart also empties the in-memory
 * Secret files (files.ts), so the replicas the engine brings back cannot start: the rerun
 * must repair them, not trust them.
 */
import { execSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerdBinary, engineSocket, privateEngineMissing, startPrivateEngine, type PrivateEngine } from '../docker/private-engine.ts';
import { berth, FIXTURES, shown, skipNote, start, unavailable, uniqueCluster } from './harness.ts';

const dockerd = dockerdBinary;
const why = unavailable !== undefined ? skipNote : privateEngineMissing;
const LONG = 300_000;

describe.skipIf(why !== '')(`berth deploy: an engine restart mid-deploy, then deploy again converges${why}`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-restart-'));
  const appDir = path.join(dir, 'app');
  const file = path.join(appDir, 'cluster.ts');
  const sock = engineSocket(dir);
  const cluster = uniqueCluster('restart');
  const env = { DOCKER_HOST: `unix://${sock}`, BERTH_CACHE_DIR: path.join(dir, 'cache'), BERTH_E2E_SECRET: 'restart-secret' };
  const dockerIn = (...args: string[]): string => spawnSync('docker', ['-H', `unix://${sock}`, ...args], { encoding: 'utf8' }).stdout;
  let engine: PrivateEngine | undefined;
  const startEngine = async (): Promise<void> => {
    engine = startPrivateEngine(dir, { dockerd: dockerd ?? 'dockerd', loUp: true });
    await engine.ready('dockerd');
  };
  const deployArgs = ['deploy', '--app', file, '--yes'];
  const setVersion = (v: string): void => fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/const VERSION = '[^']*'/, `const VERSION = '${v}'`));
  const answer = (): string => spawnSync('nsenter', [`--net=/proc/${engine?.pid ?? -1}/ns/net`, 'curl', '-fsS', '--max-time', '5', 'http://127.0.0.1:8080/'], { encoding: 'utf8' }).stdout;

  beforeAll(async () => {
    await startEngine();
    // No registry: the images come from the shared engine (read-only use of it).
    execSync(`docker save berth-test/busybox:1 berth/node-base:1 | docker -H unix://${sock} load -q`, { stdio: 'ignore' });
    fs.cpSync(path.join(FIXTURES, 'restart'), appDir, { recursive: true });
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/const CLUSTER = '[^']*'/, `const CLUSTER = '${cluster}'`));
  }, 120_000);

  afterAll(async () => {
    await engine?.stop(15_000);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }, 60_000);

  it('the deploy cut by the restart fails; the rerun converges; diff is then clean', { timeout: LONG }, async () => {
    const first = await berth(deployArgs, { cwd: appDir, env });
    expect(first.code, shown(first)).toBe(0);
    expect(answer()).toBe('v0\n');

    // A rollout, cut once its first new replica is up: the engine stops (all containers with
    // it) and starts again on the same data root.
    setVersion('v1');
    const cut = start(deployArgs, { cwd: appDir, env });
    await cut.waitFor(/^\s*site: /m, 120_000);
    await engine?.stop(15_000);
    await startEngine();
    const r = await cut.done;
    expect(r.code, shown(r)).not.toBe(0);

    const again = await berth(deployArgs, { cwd: appDir, env });
    expect(again.code, shown(again)).toBe(0);
    const rows = dockerIn('ps', '-a', '--filter', `label=berth.cluster=${cluster}`, '--filter', 'label=berth.component=replica', '--format', '{{.State}} {{.Status}} {{.Label "berth.spec"}}').trim().split('\n');
    expect(rows, rows.join('\n')).toHaveLength(3);
    for (const row of rows) expect(row, rows.join('\n')).toMatch(/^running .*\(healthy\)/);
    expect(new Set(rows.map((x) => x.split(' ').at(-1))).size).toBe(1);
    expect(answer()).toBe('v1\n');

    const diff = await berth(['diff', '--app', file], { cwd: appDir, env });
    expect(diff.code, shown(diff)).toBe(0);
  });
});
