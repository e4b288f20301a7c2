/**
 * The compose export runs: examples/hello exported by the built binary comes up with
 * `docker-compose up -d --build` on the real engine, healthy, and serves its page on the
 * published port; it is taken down (containers, network, image) afterwards.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, copyExample, engineAvailable, getOk, shown, skipNote, type App } from './harness.ts';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const compose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const LONG = 240_000;

describe.skipIf(!engineAvailable || !compose)(`berth export compose, run by docker-compose${skipNote}${compose ? '' : ' (skipped: no docker-compose)'}`, () => {
  let app: App & { ports: number[] };
  const project = () => app.cluster;
  beforeAll(async () => {
    app = await copyExample('hello', 'compose');
  });
  afterAll(() => {
    if (!app) return;
    spawnSync('docker-compose', ['-p', project(), '-f', `berth.out/${app.cluster}.compose.yaml`, 'down', '--rmi', 'all', '--volumes', '--timeout', '2'], { cwd: app.dir, encoding: 'utf8', timeout: 120_000 });
    rmSync(app.dir, { recursive: true, force: true });
  }, LONG);

  it('comes up healthy and serves the page on the published port', { timeout: LONG }, async () => {
    const r = await berth(['export', 'compose', '--app', app.file], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(0);
    const out = `berth.out/${app.cluster}.compose.yaml`;
    const up = spawnSync('docker-compose', ['-p', project(), '-f', out, 'up', '-d', '--build'], { cwd: app.dir, encoding: 'utf8', timeout: 180_000 });
    expect(up.status, up.stderr).toBe(0);
    const page = await getOk(app.port, '/', 60_000);
    expect(page.body).toContain(readFileSync(join(app.dir, 'web/index.html'), 'utf8').trim().split('\n')[1] ?? '<');
    // Healthy by its own healthcheck, the probe berth runs.
    const ps = spawnSync('docker', ['ps', '--filter', `label=com.docker.compose.project=${project()}`, '--format', '{{.Status}}'], { encoding: 'utf8' });
    for (let i = 0; i < 30 && !ps.stdout.includes('(healthy)'); i++) {
      await new Promise((res) => setTimeout(res, 500));
      Object.assign(ps, spawnSync('docker', ['ps', '--filter', `label=com.docker.compose.project=${project()}`, '--format', '{{.Status}}'], { encoding: 'utf8' }));
    }
    expect(ps.stdout).toContain('(healthy)');
  });
});
