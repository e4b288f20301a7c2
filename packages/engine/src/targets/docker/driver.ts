/**
 * The Docker driver: berth's Driver interface over one Docker engine, built from the Engine
 * API layer beside it. Ownership lives in labels (berth.cluster / berth.resource / berth.spec),
 * so `observe` and `listReplicas` never need the state file to know what is berth's.
 */
import path from 'node:path';
import { DriverError, type ImageBuildSpec, type ResourceKind } from '@berth/core';
import type { DestroyResult, Driver, NodeStatus, JobOutcome, Readiness, Replica, RunSpec, ServiceOutputs, ServiceRunSpec, VolumeChoice } from '../driver.ts';
import type { Observed, ObservedResource } from '../../plan/observed.ts';
import { connect, tryPing, type DockerClient } from './connect.ts';
import { removeFiles } from './files.ts';
import { hostPortHolders } from './host-ports.ts';
import { containerIp, createContainer, inspectContainer, listContainers, removeContainer, runContainer, stopContainer, type ContainerSpec, type ContainerSummary } from './containers.ts';
import { removeAllByLabel } from './cleanup.ts';
import { ContainerEvents } from './events.ts';
import { waitForHealth, type HealthOutcome } from './health.ts';
import { buildImage, clusterImages, removeImages, tryImageId } from './images.ts';
import { LABEL_CLUSTER, LABEL_COMPONENT, LABEL_ORDINAL, LABEL_RELEASE, LABEL_RESOURCE, LABEL_SPEC } from './labels.ts';
import { followLogs, readLogs, type LogLine } from './logs.ts';
import { dropNetwork, ensureClusterNetwork, ensureNetwork, networkName } from './networks.ts';
import { buildProxyImage, configureProxy, DEFAULT_PROXY_DIR, proxyContainerSpec, proxyStats, type ProxyConfig, waitForProxyDrain } from './proxy.ts';
import { ensureVolume, listVolumes, removeVolume, volumeName } from './volumes.ts';

export interface DockerDriverOptions {
  readonly cluster: string;
  /** Engine address; default DOCKER_HOST or the local socket. */
  readonly endpoint?: string;
  /** Node name shown in status and placements. @default "local" */
  readonly node?: string;
  /** Where the proxy's sources are (the CLI passes its own copy). */
  readonly proxyDir?: string;
  /** The address other nodes reach this engine's published ports at. @default 127.0.0.1 */
  readonly address?: string;
  /**
   * Publish every replica port on an ephemeral host port so proxies on other nodes can reach
   * it (multi-host clusters: per-node bridge networks do not span hosts).
   */
  readonly publishReplicaPorts?: boolean;
}

const NODE_DEFAULT = 'local';

/** The Docker HEALTHCHECK for a probe. http/tcp run inside the container with the image's own tools. */
export function healthTest(h: NonNullable<RunSpec['health']>): string[] {
  if (h.type === 'exec') return ['CMD', ...h.command];
  if (h.type === 'http') {
    const url = `http://127.0.0.1:${h.port}${h.path}`;
    // The tool the image has, and only that one: "wget fails, then try curl" printed the image's
    // missing curl ("curl: not found") as the probe's output instead of wget's own error.
    return [
      'CMD-SHELL',
      `if command -v wget >/dev/null 2>&1; then wget -q -O /dev/null '${url}' || exit 1; ` +
        `elif command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null '${url}' || exit 1; ` +
        `else echo 'neither wget nor curl in the image: use a tcp or exec health check' >&2; exit 1; fi`,
    ];
  }
  return ['CMD-SHELL', `nc -w 2 127.0.0.1 ${h.port} </dev/null >/dev/null 2>&1 || exit 1`];
}

function fmtBytes(n: number): string {
  for (const [u, m] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) if (n >= m && n % m === 0) return `${n / m}${u}`;
  return `${n} bytes`;
}

function logText(lines: readonly LogLine[]): string[] {
  return lines.map((l) => `${l.stream === 'stderr' ? 'stderr' : 'stdout'} | ${l.text}`);
}

/** A HealthOutcome in the executor's terms, with the cause in one line. */
function readiness(o: HealthOutcome, memory: number | undefined): Readiness {
  switch (o.status) {
    case 'healthy':
    case 'running':
      return { ready: true, elapsedMs: o.elapsedMs };
    case 'unhealthy':
      return {
        ready: false,
        reason: `health check failed ${o.failingStreak} time${o.failingStreak === 1 ? '' : 's'}${o.probeExitCode !== undefined ? ` (probe exit code ${o.probeExitCode})` : ''}`,
        detail: [...(o.probeOutput ? [`probe output: ${o.probeOutput.trim()}`] : []), ...logText(o.logs)],
      };
    case 'exited':
      return {
        ready: false,
        reason: o.oomKilled
          ? `killed: out of memory${memory !== undefined ? ` (limit ${fmtBytes(memory)})` : ''}`
          : o.error
            ? `could not run: ${o.error}`
            : `exited with code ${o.exitCode}${o.restarting ? ' (restarting)' : ''}`,
        detail: logText(o.logs),
      };
    case 'timeout':
      return {
        ready: false,
        reason: `not ready within the progress deadline (${Math.round(o.elapsedMs / 1000)}s; last status ${o.lastStatus})`,
        detail: [...(o.probeOutput ? [`probe output: ${o.probeOutput.trim()}`] : []), ...logText(o.logs)],
      };
    case 'missing':
      return { ready: false, reason: 'the container disappeared while starting', detail: [] };
  }
}

export class DockerDriver implements Driver {
  readonly name = 'docker';
  readonly client: DockerClient;
  private readonly cluster: string;
  private readonly node: string;
  private readonly network: string;
  private readonly proxyDir: string;
  private readonly address: string;
  private readonly publishReplicaPorts: boolean;
  private proxyImage: Promise<string> | undefined;
  private readonly events: ContainerEvents;

  constructor(opts: DockerDriverOptions) {
    this.cluster = opts.cluster;
    this.client = connect(opts.endpoint);
    this.node = opts.node ?? NODE_DEFAULT;
    this.network = networkName(opts.cluster);
    this.proxyDir = opts.proxyDir ?? DEFAULT_PROXY_DIR;
    this.address = opts.address ?? '127.0.0.1';
    this.publishReplicaPorts = opts.publishReplicaPorts ?? false;
    this.events = new ContainerEvents(this.client, opts.cluster);
  }

  /** The node's name. */
  get nodeName(): string {
    return this.node;
  }

  async nodeStatus(): Promise<NodeStatus[]> {
    // The three questions at once: one round trip of waiting instead of two, which is what a
    // busy engine (a health check per container per second) makes expensive. The ping decides
    // reachability; the others' answers count only when it succeeded.
    const [err, facts] = await Promise.all([
      tryPing(this.client, 3000),
      Promise.all([this.capacity(), listVolumes(this.client, { [LABEL_CLUSTER]: this.cluster }).then((vs) => vs.map((v) => v.labels[LABEL_RESOURCE] ?? v.name)), hostPortHolders(this.client)]).catch(
        (e: unknown) => e as Error,
      ),
    ]);
    if (err !== undefined) return [{ name: this.node, labels: {}, capacity: { cpu: 0, memory: 0 }, reachable: false, volumes: [], error: err }];
    if (facts instanceof Error) throw facts;
    const [capacity, volumes, hostPorts] = facts;
    return [{ name: this.node, labels: {}, capacity, reachable: true, volumes, hostPorts }];
  }

  /** CPUs and memory the engine reports, for the scheduler. */
  async capacity(): Promise<{ cpu: number; memory: number }> {
    const info = (await this.client.docker.info()) as { NCPU: number; MemTotal: number };
    return { cpu: info.NCPU * 1000, memory: info.MemTotal };
  }

  /** Where each published container port of a running container is reachable from other nodes. */
  private endpointsOf(info: Awaited<ReturnType<typeof inspectContainer>>): Record<number, string> | undefined {
    if (!this.publishReplicaPorts) return undefined;
    const out: Record<number, string> = {};
    for (const [key, binds] of Object.entries(info.NetworkSettings.Ports ?? {})) {
      const port = Number(key.split('/')[0]);
      const hostPort = binds?.[0]?.HostPort;
      if (hostPort) out[port] = `${this.address}:${hostPort}`;
    }
    return out;
  }

  private toReplica(c: ContainerSummary, address?: string): Replica {
    const health = /\(healthy\)/.test(c.status) ? 'healthy' : /\(unhealthy\)/.test(c.status) ? 'unhealthy' : /health: starting/.test(c.status) ? 'starting' : 'none';
    // The list's status reads "Exited (0) 3 seconds ago".
    const exited = c.state === 'exited' ? /^Exited \((-?\d+)\)/.exec(c.status) : null;
    return {
      ...(exited ? { exitCode: Number(exited[1]) } : {}),
      resourceId: c.labels[LABEL_RESOURCE] ?? '',
      ordinal: Number(c.labels[LABEL_ORDINAL] ?? 0),
      containerId: c.id,
      name: c.name,
      node: this.node,
      specHash: c.labels[LABEL_SPEC] ?? '',
      release: c.labels[LABEL_RELEASE] ?? '',
      state: c.state as Replica['state'],
      health,
      ...(address ? { address } : {}),
    };
  }

  async observe(): Promise<Observed> {
    const all = await listContainers(this.client, { [LABEL_CLUSTER]: this.cluster }, { all: true });
    const resources: Record<string, ObservedResource> = {};
    const groups = new Map<string, ContainerSummary[]>();
    for (const c of all) {
      // A Service is its proxy container. Observed too, so a proxy that died (an engine restart
      // stops it; its restart policy does not survive a kill during creation) is repaired by the
      // next deploy instead of the plan saying "no changes" while the published port is dead.
      if (c.labels[LABEL_COMPONENT] === 'proxy') {
        const id = c.labels[LABEL_RESOURCE];
        if (id) resources[id] = { kind: 'Service', exists: c.state === 'running', specHash: c.labels[LABEL_SPEC] ?? '' };
        continue;
      }
      if ((c.labels[LABEL_COMPONENT] ?? 'replica') !== 'replica') continue;
      const id = c.labels[LABEL_RESOURCE];
      if (!id) continue;
      const g = groups.get(id) ?? [];
      g.push(c);
      groups.set(id, g);
    }
    for (const [id, cs] of groups) {
      const kind = (cs[0]?.labels['berth.kind'] ?? 'Deployment') as ResourceKind;
      resources[id] = {
        kind,
        exists: true,
        replicas: cs.map((c) => {
          const r = this.toReplica(c);
          return { ordinal: r.ordinal, node: r.node, containerId: r.containerId, specHash: r.specHash, state: c.state === 'running' ? 'running' : 'exited', health: r.health };
        }),
      };
    }
    return { cluster: this.cluster, kinds: ['Deployment', 'Service'], resources };
  }

  async prepare(): Promise<void> {
    await ensureClusterNetwork(this.client, this.cluster);
  }

  async buildImage(id: string, props: ImageBuildSpec, appDir: string, onLog: (line: string) => void, signal?: AbortSignal): Promise<{ image: string; cached: boolean }> {
    const built = await buildImage(this.client, {
      cluster: this.cluster,
      resource: id,
      context: path.resolve(appDir, props.context),
      dockerfile: props.dockerfile,
      buildArgs: props.buildArgs,
      ...(props.target !== undefined ? { target: props.target } : {}),
      contentHash: props.contentHash,
      onProgress: onLog,
      ...(signal ? { signal } : {}),
    });
    return { image: built.imageId, cached: built.cached };
  }

  async resolveImage(id: string, name: string): Promise<{ image: string }> {
    const image = await tryImageId(this.client, name);
    if (!image) {
      throw new DriverError('driver.failed', `image "${name}" is not on the engine (${this.client.endpoint})`, {
        driver: 'docker',
        resourceId: id,
        hint: 'berth does not pull from registries: build it with an ImageBuild, or load it with `docker load`',
      });
    }
    return { image };
  }

  async ensureVolume(id: string, _props: unknown, name?: string): Promise<{ name: string }> {
    const v = await ensureVolume(this.client, name ?? volumeName(this.cluster, id), { [LABEL_CLUSTER]: this.cluster, [LABEL_RESOURCE]: id });
    return { name: v.name };
  }

  async removeVolume(id: string): Promise<void> {
    await removeVolume(this.client, volumeName(this.cluster, id));
  }

  async ensureNetwork(id: string, props: { internal: boolean } = { internal: false }): Promise<{ name: string }> {
    const name = `${this.network}-${id}`;
    await ensureNetwork(this.client, name, { [LABEL_CLUSTER]: this.cluster, [LABEL_RESOURCE]: id }, { internal: props.internal });
    return { name };
  }

  async removeNetwork(id: string): Promise<void> {
    await dropNetwork(this.client, `${this.network}-${id}`);
  }

  async listReplicas(resourceId: string, opts: { readonly addresses?: boolean } = {}): Promise<Replica[]> {
    const all = await this.replicasNow();
    const cs = [...all.values()].filter((c) => c.labels[LABEL_RESOURCE] === resourceId);
    const out = await Promise.all(
      cs.map(async (c): Promise<Replica> => {
        if (c.state !== 'running' || opts.addresses === false) return this.toReplica(c);
        const info = await inspectContainer(this.client, c.id).catch(() => undefined);
        const r = this.toReplica(c, info ? containerIp(info, this.network) : undefined);
        const endpoints = info ? this.endpointsOf(info) : undefined;
        return endpoints ? { ...r, endpoints } : r;
      }),
    );
    return out.sort((a, b) => a.ordinal - b.ordinal || (a.name < b.name ? -1 : 1));
  }

  private containerSpec(spec: RunSpec): ContainerSpec {
    return {
      cluster: this.cluster,
      resource: spec.resourceId,
      ordinal: spec.ordinal,
      // The spec hash in the name lets a surge replica run beside the one it replaces.
      suffix: spec.specHash.slice(0, 8),
      specHash: spec.specHash,
      release: spec.release,
      image: spec.image,
      ...(spec.command ? { entrypoint: spec.command } : {}),
      ...(spec.args ? { command: spec.args } : {}),
      env: spec.env,
      ...(spec.workingDir !== undefined ? { workingDir: spec.workingDir } : {}),
      ...(spec.user !== undefined ? { user: spec.user } : {}),
      ports: spec.ports.map((p) => ({ container: p.containerPort, protocol: p.protocol, ...(this.publishReplicaPorts ? { host: 0 } : {}) })),
      ...(spec.cpuMillis !== undefined ? { cpus: spec.cpuMillis / 1000 } : {}),
      ...(spec.memoryBytes !== undefined ? { memoryBytes: spec.memoryBytes } : {}),
      ...(spec.health
        ? { healthcheck: { test: healthTest(spec.health), intervalMs: spec.health.interval, timeoutMs: spec.health.timeout, retries: spec.health.retries, startPeriodMs: spec.health.startPeriod } }
        : {}),
      restart: spec.kind === 'Job' ? { policy: 'no' } : { policy: spec.restart === 'always' ? 'unless-stopped' : spec.restart },
      network: { name: this.network },
      ...(spec.networks && spec.networks.length > 0 ? { extraNetworks: spec.networks.map((id) => ({ name: `${this.network}-${id}`, aliases: [spec.resourceId] })) } : {}),
      mounts: spec.mounts.map((m) => ({ volume: m.volumeName ?? volumeName(this.cluster, m.volumeId), target: m.path, readOnly: m.readOnly })),
      files: spec.files.map((f) => ({ path: f.path, content: f.content, mode: f.mode, uid: f.uid, gid: f.gid })),
      labels: { [LABEL_COMPONENT]: 'replica', 'berth.kind': spec.kind },
      stopTimeoutSec: spec.stopGracePeriodMs === undefined ? 10 : Math.ceil(spec.stopGracePeriodMs / 1000),
      ...(spec.stopSignal ? { stopSignal: spec.stopSignal } : {}),
    };
  }

  async startReplica(spec: RunSpec): Promise<Replica> {
    const c = await runContainer(this.client, this.containerSpec(spec));
    const info = await inspectContainer(this.client, c.id);
    if (info.State.Running && info.State.Health?.Status === 'starting') this.seenStarting.add(c.id);
    return {
      resourceId: spec.resourceId,
      ordinal: spec.ordinal,
      containerId: c.id,
      name: c.name,
      node: this.node,
      specHash: spec.specHash,
      release: spec.release,
      state: 'running',
      health: spec.health ? 'starting' : 'none',
      ...(containerIp(info, this.network) ? { address: containerIp(info, this.network) as string } : {}),
      ...(this.endpointsOf(info) ? { endpoints: this.endpointsOf(info) as Record<number, string> } : {}),
    };
  }

  /**
   * The cluster's replica containers as one list call, shared by every replica being waited on.
   * A list requested before `since` is not used (a replica started after it would look
   * "created"), nor one older than `maxAgeMs`. With 50 rollouts waiting at once, an inspect
   * per replica every 200 ms was 250 engine calls a second on a 2-core machine, slowing the
   * very health checks being waited for.
   */
  private statusList: { at: number; list: Promise<Map<string, ContainerSummary>> } | undefined;
  /** Replicas startReplica inspected running, health check starting, not yet waited for. */
  private readonly seenStarting = new Set<string>();
  private replicaStatuses(since: number, maxAgeMs: number): Promise<Map<string, ContainerSummary>> {
    const cached = this.statusList;
    if (cached && cached.at >= since && Date.now() - cached.at < maxAgeMs) return cached.list;
    return this.listReplicaContainers();
  }

  private listReplicaContainers(): Promise<Map<string, ContainerSummary>> {
    const list = listContainers(this.client, { [LABEL_CLUSTER]: this.cluster, [LABEL_COMPONENT]: 'replica' }, { all: true }).then((cs) => new Map(cs.map((c) => [c.id, c])));
    this.statusList = { at: Date.now(), list };
    list.catch(() => {
      if (this.statusList?.list === list) this.statusList = undefined;
    });
    return list;
  }

  /**
   * The replica containers as of now: calls made in the same turn of the event loop share one
   * list call, sent after all of them (so it is as fresh as a call of their own). The 50
   * rollouts of a cold deploy start together and each asked for its own list.
   */
  private sameTurnList: Promise<Map<string, ContainerSummary>> | undefined;
  private replicasNow(): Promise<Map<string, ContainerSummary>> {
    if (!this.sameTurnList) {
      const list = this.listReplicaContainers();
      this.sameTurnList = list;
      setImmediate(() => {
        if (this.sameTurnList === list) this.sameTurnList = undefined;
      });
    }
    return this.sameTurnList;
  }

  async waitReady(replica: Replica, deadlineMs: number, signal?: AbortSignal): Promise<Readiness> {
    const t0 = Date.now();
    // The common case — a health check that passes — is seen from the engine's events (the
    // moment it turns healthy) or, as a fallback, in the shared list. Anything else (no health
    // check, unhealthy, exited, gone, time up) goes to waitForHealth below, which inspects this
    // one container and says why. Watching starts before the first look, so a change between
    // the two is not missed.
    const watch = this.events.watch(replica.containerId);
    try {
      // A replica that startReplica saw running with its health check starting needs no first
      // look (it cannot pass before its first interval; an early death is an event, or seen by
      // the backstop): with 50 replicas starting, that look was 50 lists of 50 containers.
      // Every other replica (a rollback's restarted one, say) is looked at first.
      let look = !this.seenStarting.delete(replica.containerId);
      let since = t0;
      while (!signal?.aborted && Date.now() - t0 < deadlineMs) {
        // While events arrive, the list is only a backstop (an event dropped or sent before the
        // stream was connected): one shared list a second, instead of ten.
        const live = this.events.live;
        if (look) {
          const c = (await this.replicaStatuses(since, live ? 1000 : 100).catch(() => undefined))?.get(replica.containerId);
          if (!c || c.state !== 'running' || !/\(health: starting\)|\(healthy\)/.test(c.status)) break;
          if (/\(healthy\)/.test(c.status)) return { ready: true, elapsedMs: Date.now() - t0 };
          since = 0;
        }
        look = true;
        const action = await watch.next(live ? 1000 : 100, signal);
        if (action === 'health_status: healthy') return { ready: true, elapsedMs: Date.now() - t0 };
        // Died, OOM-killed, removed or unhealthy: waitForHealth finds out which, and why.
        if (action !== undefined && action !== 'health_status: starting') break;
        // Nothing yet (or the stream just connected): look again, with a list from now on.
        if (action === undefined && !live && this.events.live) since = Date.now();
      }
    } finally {
      watch.close();
    }
    // Without a health check, "running" right after start says little: a process that crashes
    // (or is OOM-killed) a moment later must not count as ready, so it must stay up a second.
    const o = await waitForHealth(this.client, replica.containerId, { timeoutMs: Math.max(0, deadlineMs - (Date.now() - t0)), minRunningMs: replica.health === 'none' ? 1000 : 0, ...(signal ? { signal } : {}) });
    const info = o.status === 'exited' && o.oomKilled ? await inspectContainer(this.client, replica.containerId).catch(() => undefined) : undefined;
    return readiness(o, info?.HostConfig.Memory || undefined);
  }

  async drainReplica(replica: Replica, serviceIds: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (serviceIds.length === 0) return true;
    // The proxy counts connections by "host:port": this replica's are its address on the cluster
    // network, or the host endpoints it publishes for proxies on other nodes.
    const mine = new Set(Object.values(replica.endpoints ?? {}));
    const isMine = (b: string): boolean => mine.has(b) || (replica.address !== undefined && b.startsWith(`${replica.address}:`));
    const proxies = (await listContainers(this.client, { [LABEL_CLUSTER]: this.cluster, [LABEL_COMPONENT]: 'proxy' })).filter(
      (p) => p.state === 'running' && serviceIds.includes(p.labels[LABEL_RESOURCE] ?? ''),
    );
    const drained = await Promise.all(
      proxies.map(async (p) => {
        const stats = await proxyStats(this.client, p.id, signal).catch(() => undefined);
        const backends = Object.keys(stats?.backends ?? {}).filter(isMine);
        if (backends.length === 0) return true;
        return waitForProxyDrain(this.client, p.id, backends, { timeoutMs, ...(signal ? { signal } : {}) }).catch(() => false);
      }),
    );
    return drained.every(Boolean);
  }

  async replicaErrors(replica: Replica, serviceIds: readonly string[]): Promise<number> {
    if (serviceIds.length === 0) return 0;
    const mine = new Set(Object.values(replica.endpoints ?? {}));
    const isMine = (b: string): boolean => mine.has(b) || (replica.address !== undefined && b.startsWith(`${replica.address}:`));
    const proxies = (await listContainers(this.client, { [LABEL_CLUSTER]: this.cluster, [LABEL_COMPONENT]: 'proxy' })).filter(
      (p) => p.state === 'running' && serviceIds.includes(p.labels[LABEL_RESOURCE] ?? ''),
    );
    const counts = await Promise.all(
      proxies.map(async (p) => {
        const stats = await proxyStats(this.client, p.id);
        return Object.entries(stats.backends)
          .filter(([b]) => isMine(b))
          .reduce((n, [, s]) => n + s.failures + (s.errors ?? 0), 0);
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async stopReplica(replica: Replica): Promise<void> {
    // No timeout here: the container's own StopTimeout (its grace period, set at create) applies.
    await stopContainer(this.client, replica.containerId, undefined);
  }

  async restartReplica(replica: Replica): Promise<Replica> {
    await this.client.docker.getContainer(replica.containerId).start().catch(() => undefined);
    const info = await inspectContainer(this.client, replica.containerId);
    const address = containerIp(info, this.network);
    const endpoints = this.endpointsOf(info);
    return { ...replica, state: 'running', ...(address ? { address } : {}), ...(endpoints ? { endpoints } : {}) };
  }

  async removeReplica(replica: Replica): Promise<void> {
    await removeContainer(this.client, replica.containerId, { force: true });
    // Its Config/Secret files leave memory with it (a no-op for a container that had none).
    await removeFiles(this.client, this.cluster, replica.name);
  }

  async runJob(spec: RunSpec, timeoutMs: number, signal?: AbortSignal): Promise<JobOutcome> {
    // Earlier runs of this job are removed: the latest run's container stays for `berth logs`.
    for (const old of await this.listReplicas(spec.resourceId)) await this.removeReplica(old);
    const c = await createContainer(this.client, this.containerSpec(spec));
    const container = this.client.docker.getContainer(c.id);
    await container.start();
    // The timer is cleared once the job ends: left pending, it kept the CLI process alive for
    // the job's whole timeout after the deploy had finished (a minute for examples/shop).
    let t: NodeJS.Timeout | undefined;
    const timer = new Promise<'timeout'>((resolve) => {
      t = setTimeout(() => resolve('timeout'), timeoutMs);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve('timeout');
        },
        { once: true },
      );
    });
    const waited = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timer]).finally(() => clearTimeout(t));
    const logs = logText(await readLogs(this.client, c.id, { tail: 30 }).catch(() => []));
    if (waited === 'timeout') {
      // Its stop signal, then its grace period when it set one (2 s otherwise: it is late already).
      await stopContainer(this.client, c.id, spec.stopGracePeriodMs === undefined ? 2 : Math.ceil(spec.stopGracePeriodMs / 1000)).catch(() => undefined);
      return { ok: false, exitCode: -1, reason: signal?.aborted ? 'interrupted' : `did not finish within ${Math.round(timeoutMs / 1000)}s`, logs, containerId: c.id };
    }
    const info = await inspectContainer(this.client, c.id);
    const oom = info.State.OOMKilled;
    return {
      ok: waited.StatusCode === 0,
      exitCode: waited.StatusCode,
      ...(waited.StatusCode !== 0 ? { reason: oom ? 'killed: out of memory' : `exited with code ${waited.StatusCode}` } : {}),
      logs,
      containerId: c.id,
    };
  }

  private async proxyOf(resourceId: string): Promise<ContainerSummary | undefined> {
    const cs = await listContainers(this.client, { [LABEL_CLUSTER]: this.cluster, [LABEL_RESOURCE]: resourceId, [LABEL_COMPONENT]: 'proxy' }, { all: true });
    return cs[0];
  }

  private config(targetPorts: readonly number[], servicePorts: readonly number[], backends: readonly Replica[]): ProxyConfig {
    return {
      listeners: servicePorts.map((port, i) => ({
        port,
        backends: backends.flatMap((b) => {
          const tp = targetPorts[i] ?? port;
          const ep = b.endpoints?.[tp] ?? (b.address ? `${b.address}:${tp}` : undefined);
          return ep ? [ep] : [];
        }),
      })),
    };
  }

  async ensureService(spec: ServiceRunSpec, backends: readonly Replica[], signal?: AbortSignal): Promise<ServiceOutputs> {
    const existing = await this.proxyOf(spec.resourceId);
    const cfg = this.config(spec.ports.map((p) => p.targetPort), spec.ports.map((p) => p.port), backends);
    if (existing && existing.labels[LABEL_SPEC] === spec.specHash && existing.state === 'running') {
      await configureProxy(this.client, existing.id, cfg, signal);
      return { proxyContainerId: existing.id, backends: cfg.listeners.flatMap((l) => l.backends) };
    }
    if (existing) await removeContainer(this.client, existing.id, { force: true });
    this.proxyImage ??= buildProxyImage(this.client, { proxyDir: this.proxyDir }).then((b) => b.imageId);
    const image = await this.proxyImage;
    const base = proxyContainerSpec({
      cluster: this.cluster,
      resource: spec.resourceId,
      release: spec.release,
      specHash: spec.specHash,
      image,
      network: this.network,
      ports: spec.ports.filter((p) => p.publish !== undefined).map((p) => ({ port: p.port, hostPort: p.publish as number, ...(p.hostIp ? { hostIp: p.hostIp } : {}) })),
      initial: cfg,
    });
    // The Service's DNS name is the proxy's alias: clients in the cluster always reach a ready replica.
    const c = await runContainer(this.client, { ...base, network: { name: this.network, aliases: [spec.name] }, labels: { ...base.labels, [LABEL_COMPONENT]: 'proxy' } });
    const ready = await waitForHealth(this.client, c.id, { timeoutMs: 30_000, ...(signal ? { signal } : {}) });
    if (ready.status !== 'healthy' && ready.status !== 'running') {
      const why = readiness(ready, undefined);
      throw new DriverError('driver.failed', `the proxy of service ${spec.name} did not start: ${why.ready ? '' : why.reason}`, {
        driver: 'docker',
        resourceId: spec.resourceId,
        hint: ready.status === 'exited' ? 'is the published host port already in use?' : 'see `docker logs` of the proxy container',
      });
    }
    return { proxyContainerId: c.id, backends: cfg.listeners.flatMap((l) => l.backends) };
  }

  async setServiceBackends(resourceId: string, targetPorts: readonly number[], backends: readonly Replica[]): Promise<boolean> {
    const proxy = await this.proxyOf(resourceId);
    if (!proxy || proxy.state !== 'running') return false;
    const info = await inspectContainer(this.client, proxy.id);
    const env = info.Config.Env.find((e) => e.startsWith('BERTH_PROXY_CONFIG='));
    const initial = env ? (JSON.parse(env.slice('BERTH_PROXY_CONFIG='.length)) as ProxyConfig) : { listeners: [] };
    const ports = initial.listeners.map((l) => l.port);
    await configureProxy(this.client, proxy.id, this.config(targetPorts, ports, backends));
    return true;
  }

  async removeService(resourceId: string): Promise<void> {
    const p = await this.proxyOf(resourceId);
    if (p) await removeContainer(this.client, p.id, { force: true });
  }

  listImages(): Promise<{ built: string[]; inUse: string[] }> {
    return clusterImages(this.client, this.cluster);
  }

  removeImages(ids: readonly string[]): Promise<string[]> {
    return removeImages(this.client, ids);
  }

  async destroy(opts: { volumes: VolumeChoice }): Promise<DestroyResult> {
    // Images built for the cluster carry its label too: after destroy nothing labelled for the
    // cluster is left (a redeploy rebuilds them; the shared proxy image is not the cluster's).
    const r = await removeAllByLabel(this.client, this.cluster, { volumes: opts.volumes, images: true });
    return { containers: r.containers, networks: r.networks, volumes: r.volumes, unreachable: [] };
  }

  async logs(resourceId: string, opts: { follow: boolean; tail?: number; onLine: (replica: string, line: string) => void; signal?: AbortSignal }): Promise<void> {
    const cs = await listContainers(this.client, { [LABEL_CLUSTER]: this.cluster, [LABEL_RESOURCE]: resourceId }, { all: true });
    const tail = opts.tail ?? 100;
    if (!opts.follow) {
      for (const c of cs) for (const l of await readLogs(this.client, c.id, { tail })) opts.onLine(c.name, l.text);
      return;
    }
    await Promise.all(cs.filter((c) => c.state === 'running').map((c) => followLogs(this.client, c.id, (l) => opts.onLine(c.name, l.text), { tail, ...(opts.signal ? { signal: opts.signal } : {}) })));
  }

  async close(): Promise<void> {
    // dockerode keeps no connection open between calls; only the event stream, while watched.
    this.events.close();
  }
}
