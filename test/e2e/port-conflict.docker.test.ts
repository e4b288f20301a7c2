/**
 * A published port someone else holds is found by `diff` and `deploy` before anything changes
 * (fixture "web"): the owner is named (a listening process, another container), with a hint,
 * exit 1, and no container, network or state of the cluster exists afterwards. Before the
 * check, deploy built and started the replicas and then failed at the proxy with Docker's
 * "address already in use".
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck } from './converge.ts';
import { berth, containers, deploy, engineAvailable, makeApp, shown, skipNote, sleep, type App } from './harness.ts';

const LONG = 180_000;

function nothingApplied(app: App): void {
  expect(containers(app.cluster)).toEqual([]);
  const nets = spawnSync('docker', ['network', 'ls', '-q', '--filter', `label=berth.cluster=${app.cluster}`], { encoding: 'utf8' }).stdout.trim();
  expect(nets).toBe('');
  expect(existsSync(join(app.dir, '.berth', `${app.cluster}.state.json`))).toBe(false);
}

describe.skipIf(!engineAvailable)(`berth diff/deploy: host-port conflicts before anything changes${skipNote}`, () => {
  let app: App;
  let holder: ChildProcess | undefined;
  const other = `berth-e2e-portholder-${process.pid}`;

  beforeAll(async () => {
    app = await makeApp('web', 'ports');
  });

  afterAll(async () => {
    holder?.kill();
    spawnSync('docker', ['rm', '-f', other]);
    await destroyAndCheck(app);
  }, LONG);

  it('a listening host process: diff and deploy name it, exit 1, nothing applied', { timeout: LONG }, async () => {
    holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${app.port}, '0.0.0.0', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder?.stdout?.once('data', () => resolve()));
    const d = await berth(['diff', '--app', app.file], { cwd: app.dir });
    expect(d.code, shown(d)).toBe(1);
    const out = d.stdout + d.stderr;
    expect(out).toContain('plan.port-conflict');
    expect(out).toContain(`Service web publishes host port ${app.port}, but process ${holder.pid}`);
    expect(out).toMatch(/hint: stop process \d+, or publish Service web on another port/);
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout + r.stderr).toContain(`process ${holder.pid}`);
    nothingApplied(app);
    holder.kill();
    await new Promise((r2) => holder?.once('exit', r2));
    holder = undefined;
  });

  it('another container: named, exit 1, nothing applied; once it is gone the deploy goes through', { timeout: LONG }, async () => {
    const run = spawnSync('docker', ['run', '-d', '--name', other, '-p', `${app.port}:8080`, 'berth-test/busybox:1', 'httpd', '-f', '-p', '8080'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const d = await berth(['diff', '--app', app.file], { cwd: app.dir });
    expect(d.code, shown(d)).toBe(1);
    expect(d.stdout + d.stderr).toContain(`container ${other} (image berth-test/busybox:1)`);
    expect(d.stdout + d.stderr).toContain(`docker stop ${other}`);
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(1);
    nothingApplied(app);
    spawnSync('docker', ['rm', '-f', other]);
    await sleep(200);
    const ok = await deploy(app);
    expect(ok.code, shown(ok)).toBe(0);
    // Its own proxy now holds the port: no conflict with itself.
    const again = await berth(['diff', '--app', app.file], { cwd: app.dir });
    expect(again.code, shown(again)).toBe(0);
  });
});
