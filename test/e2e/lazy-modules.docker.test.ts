/**
 * The built CLI loads what a command needs and no more: a deploy, status or destroy against the
 * local engine never loads ssh2 (docker-modem's ssh:// transport), the gRPC packages (BuildKit
 * sessions) or tar-fs (build contexts) — they cost ~220 ms per process (scripts/build.mjs).
 * And an ssh:// engine still works through the lazily loaded ssh2: deploy, status and destroy
 * over a real sshd on 127.0.0.1 (skipped, with the reason, where sshd is not installed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, engineAvailable, forceRemove, freePort, isHealthyRunning, leftovers, NOTHING, replicas, shown, skipNote, sleep, uniqueCluster } from './harness.ts';

const LONG = 180_000;

/** A one-Deployment program from an image already on the engine (nothing to build); `host`: its Cluster's one target host. */
function writeApp(cluster: string, host?: string, withConfig = false): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-lazy-'));
  const file = join(dir, 'cluster.ts');
  const target = host ? `, { target: { docker: { hosts: [{ name: 'n1', endpoint: '${host}', address: '127.0.0.1' }] } } }` : '';
  writeFileSync(
    file,
    `import { App, Cluster, Config, Deployment, Image } from '@berth/core';
const app = new App();
const c = new Cluster(app, '${cluster}'${target});
const image = new Image(c, 'busybox', { name: 'berth-test/busybox:1' });
${withConfig ? "const conf = new Config(c, 'conf', { data: 'over ssh\\n' });" : ''}
new Deployment(c, 'web', { image, replicas: 1, ports: [8080], health: { http: { path: '/', port: 8080 }, interval: '1s', timeout: '5s', retries: 3 }${withConfig ? ", mounts: [{ config: conf, path: '/etc/web.conf', mode: 0o440 }]" : ''} });
export default app;
`,
  );
  return { dir, file };
}

/** NODE_OPTIONS preload that writes, at exit, every CommonJS module the process loaded. */
function moduleRecorder(dir: string): { env: Record<string, string>; hook: string; loaded: () => string[] } {
  const out = join(dir, 'modules.txt');
  const hook = join(dir, 'record-modules.cjs');
  writeFileSync(hook, `process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(out)}, Object.keys(require.cache).join('\\n') + '\\n'));\n`);
  return {
    env: { NODE_OPTIONS: `--require ${hook}` },
    hook,
    loaded: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []),
  };
}

const HEAVY = /node_modules\/(ssh2|cpu-features|@grpc\/grpc-js|@grpc\/proto-loader|protobufjs|tar-fs)\//;

describe.skipIf(!engineAvailable)(`built CLI: heavy modules only when used${skipNote}`, () => {
  const cluster = uniqueCluster('lazy');
  let app: { dir: string; file: string };
  beforeAll(() => {
    app = writeApp(cluster);
  });
  afterAll(() => {
    forceRemove(cluster);
    rmSync(app.dir, { recursive: true, force: true });
  });

  it('deploy, status and destroy on the local engine load no ssh2, gRPC, protobufjs or tar-fs', { timeout: LONG }, async () => {
    const rec = moduleRecorder(app.dir);
    const steps = [
      ['deploy', '--app', app.file, '--yes'],
      ['status', '--app', app.file],
      ['destroy', '--app', app.file, '--yes'],
    ];
    for (const args of steps) {
      const r = await berth(args, { cwd: app.dir, env: rec.env });
      expect(r.code, shown(r)).toBe(0);
    }
    const loaded = rec.loaded();
    // The recorder ran (it is in the list itself) in each of the three processes.
    expect(loaded.filter((m) => m === rec.hook)).toHaveLength(3);
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
    expect(leftovers(cluster)).toEqual(NOTHING);
  });
});

/** Why the ssh suite cannot run here, or undefined. */
const sshUnavailable: string | undefined = (() => {
  if (!engineAvailable) return 'no Docker engine';
  if (process.getuid?.() !== 0) return 'sshd for the test needs root';
  for (const bin of ['/usr/sbin/sshd', 'ssh-keygen', 'ssh-agent', 'ssh-add', 'docker']) {
    if (bin.startsWith('/') ? !existsSync(bin) : spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed`;
  }
  return undefined;
})();

describe.skipIf(sshUnavailable !== undefined)(`built CLI: an ssh:// engine${sshUnavailable ? ` (skipped: ${sshUnavailable})` : ''}`, () => {
  const cluster = uniqueCluster('ssh');
  let app: { dir: string; file: string };
  let keys: string;
  let sshd: ChildProcess | undefined;
  let agent: ChildProcess | undefined;
  let env: Record<string, string>;
  let sshHost = '';
  let sshdLog = '';
  const targetCluster = uniqueCluster('sshtarget');

  beforeAll(async () => {
    // With a Config: its file reaches the container through the engine API alone (files.ts).
    app = writeApp(cluster, undefined, true);
    keys = mkdtempSync(join(tmpdir(), 'berth-e2e-sshkeys-'));
    for (const k of ['host', 'client']) {
      const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, k)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
    }
    writeFileSync(join(keys, 'authorized_keys'), readFileSync(join(keys, 'client.pub')), { mode: 0o600 });
    const port = await freePort();
    // The remote side (`docker system dial-stdio`) must reach the same engine this test looks at.
    const engine = process.env['DOCKER_HOST']?.startsWith('unix://') ? [`SetEnv DOCKER_HOST=${process.env['DOCKER_HOST']}`] : [];
    writeFileSync(
      join(keys, 'sshd_config'),
      [...engine, `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(keys, 'host')}`, `AuthorizedKeysFile ${join(keys, 'authorized_keys')}`, 'PasswordAuthentication no', 'PermitRootLogin prohibit-password', 'StrictModes no', 'UsePAM no', `PidFile ${join(keys, 'sshd.pid')}`, ''].join('\n'),
    );
    spawnSync('mkdir', ['-p', '/run/sshd']);
    // -D: stays in the foreground, so this test owns the process and ends it by pid.
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(keys, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.stderr?.setEncoding('utf8').on('data', (d: string) => {
      sshdLog += d;
    });
    const sock = join(keys, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !existsSync(sock); i++) await sleep(100);
    const added = spawnSync('ssh-add', ['-q', join(keys, 'client')], { encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: sock } });
    if (added.status !== 0) throw new Error(`ssh-add: ${added.stderr}`);
    env = { DOCKER_HOST: `ssh://root@127.0.0.1:${port}`, SSH_AUTH_SOCK: sock };
    sshHost = `ssh://root@127.0.0.1:${port}`;
  });

  afterAll(() => {
    if (sshd?.pid) process.kill(sshd.pid, 'SIGTERM');
    if (agent?.pid) process.kill(agent.pid, 'SIGTERM');
    forceRemove(cluster);
    rmSync(app.dir, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  });

  it('deploys, reports status and destroys over ssh', { timeout: LONG }, async () => {
    const d = await berth(['deploy', '--app', app.file, '--yes'], { cwd: app.dir, env });
    expect(d.code, shown(d)).toBe(0);
    const web = replicas(cluster, 'web');
    expect(web).toHaveLength(1);
    expect(web.every(isHealthyRunning), JSON.stringify(web)).toBe(true);
    const file = spawnSync('docker', ['exec', web[0]?.id ?? '', 'sh', '-c', 'stat -c %a /etc/web.conf; cat /etc/web.conf; echo x >> /etc/web.conf || echo read-only'], { encoding: 'utf8' });
    expect(file.stdout).toBe('440\nover ssh\nread-only\n');
    const s = await berth(['status', '--app', app.file], { cwd: app.dir, env });
    expect(s.code, shown(s)).toBe(0);
    expect(s.stdout).toMatch(/web\s+Deployment\s+1\/1\s+healthy/);
    const x = await berth(['destroy', '--app', app.file, '--yes'], { cwd: app.dir, env });
    expect(x.code, shown(x)).toBe(0);
    expect(leftovers(cluster)).toEqual(NOTHING);
    // It really went through sshd (docker-modem opens a session per request).
    expect(sshdLog).toMatch(/Accepted publickey for root/);
  });

  it('deploys to and destroys a Cluster whose target host is ssh:// (DOCKER_HOST elsewhere; the agent from SSH_AUTH_SOCK)', { timeout: LONG }, async () => {
    const t = writeApp(targetCluster, sshHost);
    try {
      const only = { SSH_AUTH_SOCK: env['SSH_AUTH_SOCK'] ?? '' };
      const accepted = (sshdLog.match(/Accepted publickey/g) ?? []).length;
      const d = await berth(['deploy', '--app', t.file, '--yes'], { cwd: t.dir, env: only });
      expect(d.code, shown(d)).toBe(0);
      const web = replicas(targetCluster, 'web');
      expect(web).toHaveLength(1);
      expect(web.every(isHealthyRunning), JSON.stringify(web)).toBe(true);
      expect((sshdLog.match(/Accepted publickey/g) ?? []).length).toBeGreaterThan(accepted);
      const x = await berth(['destroy', '--app', t.file, '--yes'], { cwd: t.dir, env: only });
      expect(x.code, shown(x)).toBe(0);
      expect(leftovers(targetCluster)).toEqual(NOTHING);
    } finally {
      forceRemove(targetCluster);
      rmSync(t.dir, { recursive: true, force: true });
    }
  });
});
