/**
 * A Docker engine that has no image at all, as on a new machine with no registry: `berth init`'s
 * starter deploys there, berth building berth/node-base:1 (the base of its proxy and of the
 * starter's web/) from this host's node first, and saying so. The engine is a throw-away dockerd
 * of our own in its own network namespace (own data-root, sockets, no bridge, no iptables), so
 * the shared engine's images are never touched; it needs root, dockerd, unshare and nsenter.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerdBinary, engineSocket, privateEngineMissing, startPrivateEngine, type PrivateEngine } from '../docker/private-engine.ts';
import { berth, shown, skipNote, unavailable, uniqueCluster } from './harness.ts';

const dockerd = dockerdBinary;
const why = unavailable !== undefined ? skipNote : privateEngineMissing;

/** GET / of 127.0.0.1:port inside the namespace of `pid`, through curl under nsenter. */
function getInside(pid: number, port: number): { code: number | null; body: string } {
  const r = spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'curl', '-fsS', '--max-time', '5', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  return { code: r.status, body: r.stdout + r.stderr };
}

describe.skipIf(why !== '')(`the starter on an engine with no images${why}`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-fresh-'));
  const app = path.join(dir, 'app');
  const sock = engineSocket(dir);
  const cluster = uniqueCluster('fresh');
  const env = { DOCKER_HOST: `unix://${sock}`, BERTH_CACHE_DIR: path.join(dir, 'cache') };
  let engine: PrivateEngine | undefined;

  beforeAll(async () => {
    // lo up in the namespace: published ports bind 127.0.0.1 there.
    engine = startPrivateEngine(dir, { dockerd: dockerd ?? 'dockerd', loUp: true });
    await engine.ready('dockerd');
    fs.mkdirSync(app);
  }, 60_000);

  afterAll(async () => {
    // Only the daemon we started, by its pid; its containers and containerd go with it.
    await engine?.stop(15_000);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }, 30_000);

  it('builds berth/node-base:1 where it is missing, with progress, then deploys and serves', async () => {
    const init = await berth(['init', '--name', cluster], { cwd: app, env });
    expect(init.code, shown(init)).toBe(0);
    const deploy = await berth(['deploy', '--yes'], { cwd: app, env });
    expect(deploy.code, shown(deploy)).toBe(0);
    const lines = deploy.stdout.split('\n');
    const building = lines.findIndex((l) => l === `berth/node-base:1 is not on unix://${sock}: building it from this machine's node (once per engine) ...`);
    const built = lines.findIndex((l) => new RegExp(`^berth/node-base:1 built on unix://${sock} in \\d+\\.\\ds$`).test(l));
    const firstStep = lines.findIndex((l) => l.startsWith('+ '));
    // Reported before any step starts, so no step stalls silently on it.
    expect(building, deploy.stdout).toBeGreaterThan(-1);
    expect(building < built && built < firstStep, deploy.stdout).toBe(true);
    const answers = [getInside(engine?.pid ?? -1, 8080), getInside(engine?.pid ?? -1, 8080)];
    for (const a of answers) {
      expect(a.code, a.body).toBe(0);
      expect(a.body).toContain(`hello from ${cluster}`);
    }

    // A changed web/ is built again, FROM the base image now there: nothing more to build or say.
    fs.appendFileSync(path.join(app, 'web/server.mjs'), '// changed\n');
    const again = await berth(['deploy', '--yes'], { cwd: app, env });
    expect(again.code, shown(again)).toBe(0);
    expect(again.stdout).toMatch(/web-image\s+ImageBuild\s+update/);
    expect(again.stdout).not.toContain('berth/node-base:1');
    const destroy = await berth(['destroy', '--yes'], { cwd: app, env });
    expect(destroy.code, shown(destroy)).toBe(0);
  }, 180_000);
});
