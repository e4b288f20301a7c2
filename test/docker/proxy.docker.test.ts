import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError } from '../../packages/core/src/errors.ts';
import {
  buildProxyImage,
  configureProxy,
  ensureNodeBaseImage,
  ensureClusterNetwork,
  inspectContainer,
  proxyContainerSpec,
  proxyImageTag,
  proxyStats,
  publishedPort,
  removeContainer,
  runContainer,
  stopContainer,
  waitForHealth,
  waitForProxyDrain,
  type ContainerSpec,
} from '../../packages/engine/src/targets/docker/index.ts';
import { BUSYBOX, cleanup, client, ensureTestImages, skipReason, uniqueCluster, unreachable } from './engine.ts';

/** One HTTP GET through the proxy on a fresh connection; resolves the body ("hello from <hostname>"). */
function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe.skipIf(unreachable !== undefined)(`berth-proxy on a real engine${skipReason}`, () => {
  const cluster = uniqueCluster('proxy');
  let network = '';
  let proxyId = '';
  let port = 0;
  const hostOf = new Map<string, string>(); // "hello from <short id>" -> container name

  const backend = async (name: string): Promise<string> => {
    const spec: ContainerSpec = {
      cluster,
      resource: name,
      ordinal: 0,
      specHash: 's',
      release: 'r',
      image: BUSYBOX,
      network: { name: network },
      stopTimeoutSec: 2,
      healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'], intervalMs: 300, timeoutMs: 2000, retries: 3 },
    };
    const c = await runContainer(client, spec);
    hostOf.set(`hello from ${c.id.slice(0, 12)}`, name);
    expect(await waitForHealth(client, c.id, { timeoutMs: 20_000 })).toMatchObject({ status: 'healthy' });
    return `${c.name}:8080`;
  };

  beforeAll(async () => {
    ensureTestImages();
    network = (await ensureClusterNetwork(client, cluster)).name;
  });
  afterAll(() => cleanup(cluster));

  it('builds the proxy image tagged by the content hash of its sources, once', async () => {
    const t = Date.now();
    const first = await buildProxyImage(client);
    const ms = Date.now() - t;
    expect(first.tag).toBe(proxyImageTag());
    expect(first.tag).toMatch(/^berth\/proxy:[0-9a-f]{16}$/);
    expect((await buildProxyImage(client)).cached).toBe(true);
    console.log(`[timing] proxy image build ${first.cached ? '(cached) ' : ''}${ms} ms`);
  });

  it('forwards round robin across two backends', async () => {
    const a0 = await backend('a0');
    const a1 = await backend('a1');
    const image = (await buildProxyImage(client)).imageId;
    const p = await runContainer(
      client,
      proxyContainerSpec({ cluster, resource: 'web', release: 'r', specHash: 's', image, network, ports: [{ port: 8000, hostPort: 0, hostIp: '127.0.0.1' }], initial: { listeners: [{ port: 8000, backends: [a0, a1] }] } }),
    );
    proxyId = p.id;
    expect(await waitForHealth(client, p.id, { timeoutMs: 20_000 })).toMatchObject({ status: 'healthy' });
    port = publishedPort(await inspectContainer(client, p.id), 8000) ?? 0;
    expect(port).toBeGreaterThan(0);

    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(hostOf.get(await get(port)) ?? 'unknown');
    // Strict alternation: round robin, not random.
    expect(new Set([seen.slice(0, 2).join(), seen.slice(2, 4).join(), seen.slice(4, 6).join()]).size).toBe(1);
    expect(seen.filter((s) => s === 'a0')).toHaveLength(3);
    expect(seen.filter((s) => s === 'a1')).toHaveLength(3);
  });

  it('switches to new backends with zero failed requests from a steady client', async () => {
    const b0 = await backend('b0');
    const b1 = await backend('b1');
    const results: Array<{ ok: boolean; who: string; phase: number }> = [];
    let phase = 0;
    let running = true;
    // Two concurrent client loops, each on fresh connections; bounded so a bug cannot spin forever.
    const loop = async (): Promise<void> => {
      for (let i = 0; running && i < 5000; i++) {
        const started = phase; // the phase the request started in
        try {
          results.push({ ok: true, who: hostOf.get(await get(port)) ?? 'unknown', phase: started });
        } catch {
          results.push({ ok: false, who: '', phase: started });
        }
      }
    };
    const loops = [loop(), loop()];
    const until = async (n: number): Promise<void> => {
      const target = results.length + n;
      while (results.length < target) await new Promise((r) => setTimeout(r, 10));
    };
    await until(40);
    // An established connection in the middle of a request (headers not finished yet): it must
    // survive the switch and be answered by its old backend.
    const held = net.connect(port, '127.0.0.1');
    await once(held, 'connect');
    held.write('GET / HTTP/1.0\r\n');
    const heldBody = new Promise<string>((resolve, reject) => {
      let b = '';
      held.setEncoding('utf8');
      held.on('data', (d: string) => (b += d));
      held.on('end', () => resolve(b));
      held.on('error', reject);
    });

    const t = Date.now();
    phase = 1;
    await configureProxy(client, proxyId, { listeners: [{ port: 8000, backends: [b0, b1] }] });
    const switchMs = Date.now() - t;
    held.end('Host: x\r\n\r\n');
    const heldWho = hostOf.get((await heldBody).split('\r\n\r\n')[1]?.trim() ?? '');
    expect(['a0', 'a1']).toContain(heldWho);
    // Old connections drain before the old backends go away.
    expect(await waitForProxyDrain(client, proxyId, [`${cluster}-a0-0:8080`, `${cluster}-a1-0:8080`], { timeoutMs: 10_000 })).toBe(true);
    for (const name of ['a0', 'a1']) {
      await stopContainer(client, `${cluster}-${name}-0`, 2);
      await removeContainer(client, `${cluster}-${name}-0`);
    }
    phase = 2;
    await until(40);
    running = false;
    await Promise.all(loops);

    console.log(`[timing] proxy switch (exec ctl put) ${switchMs} ms; ${results.length} requests`);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(results.filter((r) => r.phase === 0).map((r) => r.who))).toEqual(new Set(['a0', 'a1']));
    expect(new Set(results.filter((r) => r.phase === 2).map((r) => r.who))).toEqual(new Set(['b0', 'b1']));
  });

  it('retries the next backend when one is gone, so clients see no error', async () => {
    // a0 was removed above: its name no longer resolves, so every connect to it fails.
    await configureProxy(client, proxyId, { listeners: [{ port: 8000, backends: [`${cluster}-a0-0:8080`, `${cluster}-b0-0:8080`] }] });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(hostOf.get(await get(port)) ?? 'unknown');
    expect(seen).toEqual(Array(6).fill('b0'));
    const stats = await proxyStats(client, proxyId);
    expect(stats.backends[`${cluster}-a0-0:8080`]?.failures).toBeGreaterThan(0);
  });

  it('refuses an invalid config and keeps the old one', async () => {
    const err = await configureProxy(client, proxyId, { listeners: [{ port: 8000, backends: ['no-port'] }] }).catch((e: unknown) => e);
    expect(DriverError.is(err)).toBe(true);
    expect((err as DriverError).message).toContain('expected "host:port"');
    expect(hostOf.get(await get(port))).toBe('b0');
  });
});

describe.skipIf(unreachable !== undefined || process.platform !== 'linux')(`node base image from the host's node${skipReason}`, () => {
  const tag = `berth-test/node-base-ts:${Math.random().toString(36).slice(2, 8)}`;
  afterAll(async () => {
    if (unreachable === undefined) await client.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  });

  it('builds a runnable node image without a registry, once', async () => {
    const t = Date.now();
    const first = await ensureNodeBaseImage(client, { tag });
    console.log(`[timing] node base image from host node ${Date.now() - t} ms`);
    expect(first.built).toBe(true);
    expect(await ensureNodeBaseImage(client, { tag })).toEqual({ imageId: first.imageId, built: false });
    const c = await client.docker.createContainer({ Image: tag, Cmd: ['/usr/bin/node', '-e', 'console.log(process.version)'], Labels: { 'berth.cluster': 'node-base-test' } });
    try {
      await c.start();
      expect((await c.wait()) as { StatusCode: number }).toMatchObject({ StatusCode: 0 });
      const logs = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
      expect(logs).toContain(process.version);
    } finally {
      await c.remove({ force: true });
    }
  });
});
