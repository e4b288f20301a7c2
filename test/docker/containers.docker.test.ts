import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SECRET_MODE,
  ensureFilesHolder,
  removeFiles,
  connectNetwork,
  disconnectNetwork,
  ensureClusterNetwork,
  ensureVolume,
  execInContainer,
  followLogs,
  inspectContainer,
  listContainers,
  readLogs,
  removeAllByLabel,
  removeContainer,
  runContainer,
  stopContainer,
  volumeName,
  waitForExit,
  waitForHealth,
  type ContainerSpec,
  type LogLine,
} from '../../packages/engine/src/targets/docker/index.ts';
import { BUSYBOX, cleanup, client, ensureTestImages, skipReason, uniqueCluster, unreachable } from './engine.ts';

const httpCheck = { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'], intervalMs: 500, timeoutMs: 2000, retries: 2 };

describe.skipIf(unreachable !== undefined)(`containers on a real engine${skipReason}`, () => {
  const cluster = uniqueCluster('ctr');
  let network = '';
  const base = (resource: string, ordinal = 0): ContainerSpec => ({
    cluster,
    resource,
    ordinal,
    specHash: 'spec1',
    release: 'rel1',
    image: BUSYBOX,
    network: { name: network },
    stopTimeoutSec: 2,
  });

  beforeAll(async () => {
    ensureTestImages();
    network = (await ensureClusterNetwork(client, cluster)).name;
  });
  afterAll(() => cleanup(cluster));

  it('creates a labelled container that becomes healthy', async () => {
    const t = Date.now();
    const c = await runContainer(client, { ...base('web'), env: { GREETING: 'hi' }, ports: [{ container: 8080, host: 0, hostIp: '127.0.0.1' }], cpus: 0.5, memoryBytes: 64 * 1024 * 1024, healthcheck: httpCheck });
    expect(c.name).toBe(`${cluster}-web-0`);
    const outcome = await waitForHealth(client, c.id, { timeoutMs: 20_000 });
    expect(outcome.status).toBe('healthy');
    console.log(`[timing] create-to-healthy ${Date.now() - t} ms`);

    const info = await inspectContainer(client, c.id);
    expect(info.Config.Labels).toMatchObject({ 'berth.cluster': cluster, 'berth.resource': 'web', 'berth.spec': 'spec1', 'berth.release': 'rel1', 'berth.ordinal': '0' });
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.Config.Healthcheck?.Interval).toBe(500_000_000);
    expect(info.Config.Env).toContain('GREETING=hi');

    const listed = await listContainers(client, { 'berth.cluster': cluster, 'berth.resource': 'web' });
    expect(listed.map((x) => x.name)).toEqual([`${cluster}-web-0`]);
    expect(await listContainers(client, { 'berth.cluster': cluster, 'berth.resource': 'nope' })).toEqual([]);

    // Init: true puts tini in front of httpd, which forwards SIGTERM: the process ends by SIGTERM
    // (143) instead of being SIGKILLed at the stop timeout (137). Exit codes, not durations, so
    // the test holds on a loaded machine.
    await stopContainer(client, c.id, 20);
    expect((await inspectContainer(client, c.id)).State.ExitCode).toBe(143);
  });

  it('reports a failing health check as unhealthy with the probe output and log lines', async () => {
    const c = await runContainer(client, {
      ...base('sick'),
      command: ['sh', '-c', 'echo starting sick app; echo oops >&2; exec sleep 60'],
      healthcheck: { test: ['CMD-SHELL', 'echo "probe: db not reachable"; exit 1'], intervalMs: 300, timeoutMs: 1000, retries: 2 },
    });
    const outcome = await waitForHealth(client, c.id, { timeoutMs: 20_000 });
    expect(outcome).toMatchObject({ status: 'unhealthy', probeOutput: 'probe: db not reachable', probeExitCode: 1 });
    if (outcome.status !== 'unhealthy') return;
    expect(outcome.failingStreak).toBeGreaterThanOrEqual(2);
    expect(outcome.logs).toEqual(expect.arrayContaining([{ stream: 'stdout', text: 'starting sick app' }, { stream: 'stderr', text: 'oops' }]));
  });

  it('detects an OOM kill (64 MiB limit, 200 MB allocated)', async () => {
    const c = await runContainer(client, {
      ...base('hungry'),
      command: ['sh', '-c', 'echo allocating; dd if=/dev/zero of=/dev/null bs=200M count=1'],
      memoryBytes: 64 * 1024 * 1024,
      restart: { policy: 'no' },
    });
    // No health check: minRunningMs keeps a replica that dies at once from counting as ready.
    const outcome = await waitForHealth(client, c.id, { timeoutMs: 20_000, minRunningMs: 3000 });
    expect(outcome).toMatchObject({ status: 'exited', oomKilled: true, exitCode: 137 });
    expect(await waitForExit(client, c.id, { timeoutMs: 5000 })).toMatchObject({ exitCode: 137, oomKilled: true, logs: [{ stream: 'stdout', text: 'allocating' }] });
  });

  it('reports a crash loop under a restart policy as exited', async () => {
    const c = await runContainer(client, { ...base('crashy'), command: ['sh', '-c', 'echo bad config >&2; exit 3'], restart: { policy: 'on-failure', maxRetries: 5 } });
    const outcome = await waitForHealth(client, c.id, { timeoutMs: 20_000, minRunningMs: 3000 });
    expect(outcome).toMatchObject({ status: 'exited', exitCode: 3, oomKilled: false });
  });

  it('injects a secret file (0400, root) that never shows in inspect', async () => {
    const secret = 'hunter2-' + Math.random().toString(36).slice(2);
    const c = await runContainer(client, {
      ...base('secretive'),
      command: ['sleep', '60'],
      files: [
        { path: '/run/secrets/db-password', content: secret, mode: SECRET_MODE },
        { path: '/etc/app/config.json', content: '{"a":1}' },
      ],
    });
    const read = await execInContainer(client, c.id, ['cat', '/run/secrets/db-password']);
    expect(read).toMatchObject({ exitCode: 0, stdout: secret + '\n' });
    const ls = await execInContainer(client, c.id, ['stat', '-c', '%a %u:%g', '/run/secrets/db-password', '/etc/app/config.json']);
    expect(ls.stdout).toBe('400 0:0\n444 0:0\n');
    const info = await inspectContainer(client, c.id);
    expect(JSON.stringify(info)).not.toContain(secret);
  });

  it("keeps the files in the cluster's tmpfs and drops them with their container", async () => {
    const secret = 'gone-' + Math.random().toString(36).slice(2);
    const c = await runContainer(client, { ...base('ephemeral'), command: ['sleep', '60'], files: [{ path: '/run/secrets/x', content: secret, mode: 0o440, uid: 1000, gid: 1000 }] });
    const holder = await ensureFilesHolder(client, cluster);
    const held = async (): Promise<string> => (await execInContainer(client, holder.containerId, ['/bin/busybox', 'sh', '-c', 'cat /files/*/* 2>/dev/null; true'])).stdout;
    expect(await held()).toContain(secret);
    const fs = await execInContainer(client, holder.containerId, ['/bin/busybox', 'awk', '$2 == "/files" { print $3 }', '/proc/mounts']);
    expect(fs.stdout.trim()).toBe('tmpfs');
    await removeContainer(client, c.id, { force: true });
    await removeFiles(client, cluster, c.name);
    expect(await held()).not.toContain(secret);
  });

  it('keeps volume data across a container replacement', async () => {
    const vol = volumeName(cluster, 'data');
    await ensureVolume(client, vol, { 'berth.cluster': cluster, 'berth.resource': 'data' });
    const first = await runContainer(client, { ...base('db'), command: ['sh', '-c', 'echo generation-1 > /data/file && sleep 60'], mounts: [{ volume: vol, target: '/data' }] });
    // Wait until the write happened, then replace the container (stop + remove + create).
    for (let i = 0; i < 50 && (await execInContainer(client, first.id, ['cat', '/data/file'])).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    await stopContainer(client, first.id, 1);
    await removeContainer(client, first.id);
    const second = await runContainer(client, { ...base('db'), specHash: 'spec2', command: ['sleep', '60'], mounts: [{ volume: vol, target: '/data' }] });
    expect((await execInContainer(client, second.id, ['cat', '/data/file'])).stdout).toBe('generation-1\n');
    expect((await ensureVolume(client, vol, {})).created).toBe(false);
  });

  it('adds and removes a replica from a service DNS name by network alias', async () => {
    const a = await runContainer(client, { ...base('api', 0), network: { name: network, aliases: ['api'] } });
    const b = await runContainer(client, { ...base('api', 1) });
    const probe = await runContainer(client, { ...base('probe'), command: ['sleep', '60'] });
    const resolve = async (): Promise<number> => {
      const r = await execInContainer(client, probe.id, ['nslookup', 'api', '127.0.0.11']);
      return (r.stdout.match(/^Address: /gm) ?? []).length;
    };
    expect(await resolve()).toBe(1);
    await disconnectNetwork(client, network, b.id);
    await connectNetwork(client, network, b.id, ['api']);
    expect(await resolve()).toBe(2);
    await disconnectNetwork(client, network, a.id);
    await disconnectNetwork(client, network, a.id); // idempotent
    expect(await resolve()).toBe(1);
  });

  it('reads and follows demultiplexed logs', async () => {
    const c = await runContainer(client, { ...base('chatty'), command: ['sh', '-c', 'echo out-1; echo err-1 >&2; sleep 0.3; echo out-2; sleep 60'] });
    const seen: LogLine[] = [];
    const ac = new AbortController();
    const following = followLogs(client, c.id, (l) => {
      seen.push(l);
      if (l.text === 'out-2') ac.abort();
    }, { signal: ac.signal });
    await following;
    // Order is kept within a stream; between stdout and stderr the engine does not promise one.
    expect(seen.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['out-1', 'out-2']);
    expect(seen.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['err-1']);
    expect(await readLogs(client, c.id, { tail: 1 })).toEqual([{ stream: 'stdout', text: 'out-2' }]);
  });

  it('removes everything of the cluster by label', async () => {
    const other = uniqueCluster('other');
    await ensureClusterNetwork(client, other);
    const keep = await runContainer(client, { ...base('keep'), cluster: other, network: { name: `berth-${other}` }, command: ['sleep', '60'] });
    const removed = await removeAllByLabel(client, other, { volumes: true });
    expect(removed).toMatchObject({ containers: 1, networks: 1 });
    expect(await listContainers(client, { 'berth.cluster': other })).toEqual([]);
    expect(keep.name).toBe(`${other}-keep-0`);
  });
});
