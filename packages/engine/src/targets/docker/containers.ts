/**
 * Containers: create+start from a berth replica spec, stop, remove, list by label, inspect.
 * A container is never half-made: if injecting files or starting fails, the created container is
 * removed before the error is thrown, so the next deploy does not trip over a stopped leftover.
 */
import type Docker from 'dockerode';
import type { DockerClient } from './connect.ts';
import { dockerError, statusOf, tryWrap, wrap } from './driver-error.ts';
import { removeFiles, writeFiles, type FileBind, type InjectedFile } from './files.ts';
import { LABEL_CLUSTER, LABEL_COMPONENT, LABEL_ORDINAL, LABEL_RELEASE, LABEL_RESOURCE, LABEL_SPEC, labelFilter, type Labels } from './labels.ts';
import { connectNetwork } from './networks.ts';

export interface PortSpec {
  /** Port inside the container. */
  readonly container: number;
  /** @default 'tcp' */
  readonly protocol?: 'tcp' | 'udp';
  /** Publish on the host: 0 for an ephemeral port (read it back with `publishedPort`). Omit to only expose. */
  readonly host?: number;
  /** @default '0.0.0.0' when published */
  readonly hostIp?: string;
}

export interface HealthcheckSpec {
  /** Exec form `['CMD', 'wget', ...]`, or `['CMD-SHELL', 'curl ... || exit 1']` (needs /bin/sh), or `['NONE']`. */
  readonly test: readonly string[];
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly startPeriodMs?: number;
}

export interface RestartSpec {
  readonly policy: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /** Only with on-failure. */
  readonly maxRetries?: number;
}

export interface MountSpec {
  /** Engine volume name (see `volumeName`). */
  readonly volume: string;
  readonly target: string;
  readonly readOnly?: boolean;
}

/** Everything needed to create one replica; the executor builds it from a planned step. */
export interface ContainerSpec {
  readonly cluster: string;
  /** Graph id of the Deployment/Job/Service the replica belongs to. */
  readonly resource: string;
  readonly ordinal: number;
  /** Appended to the name so a surge replica can exist next to the one it replaces (e.g. a short spec hash). */
  readonly suffix?: string;
  /** Hash of the resolved spec; stored as `berth.spec` so the planner can tell whether a live replica is current. */
  readonly specHash: string;
  readonly release: string;
  /** Image id (`sha256:...`, what deployments are pinned to) or a local tag. */
  readonly image: string;
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  readonly user?: string;
  readonly ports?: readonly PortSpec[];
  /** CPU limit in cores (0.5 = half a core). */
  readonly cpus?: number;
  readonly memoryBytes?: number;
  readonly healthcheck?: HealthcheckSpec;
  /** @default { policy: 'unless-stopped' } */
  readonly restart?: RestartSpec;
  /** The cluster network and the DNS aliases to carry on it (the container name always resolves). */
  readonly network?: { readonly name: string; readonly aliases?: readonly string[] };
  /** More networks to join before the container starts (the engine takes one at create). */
  readonly extraNetworks?: ReadonlyArray<{ readonly name: string; readonly aliases?: readonly string[] }>;
  readonly mounts?: readonly MountSpec[];
  /** Configs and secrets: written into the cluster's tmpfs and bound read-only (see files.ts). */
  readonly files?: readonly InjectedFile[];
  /** Extra labels; the berth.* ownership labels are always set from the fields above. */
  readonly labels?: Labels;
  /** Seconds between the stop signal and SIGKILL on stop. @default 10 */
  readonly stopTimeoutSec?: number;
  /** The signal `docker stop` sends first. @default the image's (SIGTERM) */
  readonly stopSignal?: string;
}

/** `<cluster>-<resource>-<ordinal>[-<suffix>]`, reduced to the characters container names allow. */
export function containerName(cluster: string, resource: string, ordinal: number, suffix?: string): string {
  const raw = [cluster, resource, String(ordinal), ...(suffix ? [suffix] : [])].join('-');
  return raw.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
}

const MS = 1_000_000; // Engine durations are nanoseconds.

/**
 * The create body for a spec. Exported so tests and `diff --json` can show exactly what is sent.
 * `fileBinds` are the read-only binds `writeFiles` returned for the spec's files.
 */
export function createBody(spec: ContainerSpec, fileBinds: readonly FileBind[] = []): Docker.ContainerCreateOptions {
  const labels: Record<string, string> = {
    ...spec.labels,
    [LABEL_CLUSTER]: spec.cluster,
    [LABEL_RESOURCE]: spec.resource,
    [LABEL_SPEC]: spec.specHash,
    [LABEL_RELEASE]: spec.release,
    [LABEL_ORDINAL]: String(spec.ordinal),
    [LABEL_COMPONENT]: spec.labels?.[LABEL_COMPONENT] ?? 'replica',
  };
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of spec.ports ?? []) {
    const key = `${p.container}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    if (p.host !== undefined) {
      // HostPort "" asks the engine for an ephemeral port (32768+).
      (bindings[key] ??= []).push({ HostIp: p.hostIp ?? '0.0.0.0', HostPort: p.host === 0 ? '' : String(p.host) });
    }
  }
  const restart = spec.restart ?? { policy: 'unless-stopped' };
  const hc = spec.healthcheck;
  const body: Docker.ContainerCreateOptions = {
    name: containerName(spec.cluster, spec.resource, spec.ordinal, spec.suffix),
    Image: spec.image,
    Labels: labels,
    Env: Object.entries(spec.env ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    StopTimeout: spec.stopTimeoutSec ?? 10,
    ...(spec.stopSignal ? { StopSignal: spec.stopSignal } : {}),
    HostConfig: {
      // tini as PID 1 forwards SIGTERM and reaps zombies; without it an app that ignores SIGTERM
      // as PID 1 makes every stop wait the full timeout (10 s) — measured in docker-testbed.md §1.
      Init: true,
      PortBindings: bindings,
      RestartPolicy: { Name: restart.policy, ...(restart.policy === 'on-failure' ? { MaximumRetryCount: restart.maxRetries ?? 0 } : {}) },
      ...(spec.cpus !== undefined ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
      ...(spec.memoryBytes !== undefined ? { Memory: spec.memoryBytes } : {}),
      Mounts: [...(spec.mounts ?? []).map((m) => ({ Type: 'volume' as const, Source: m.volume, Target: m.target, ReadOnly: m.readOnly ?? false })), ...fileBinds],
      ...(spec.network ? { NetworkMode: spec.network.name } : {}),
    },
    ...(spec.command ? { Cmd: [...spec.command] } : {}),
    ...(spec.entrypoint ? { Entrypoint: [...spec.entrypoint] } : {}),
    ...(spec.workingDir !== undefined ? { WorkingDir: spec.workingDir } : {}),
    ...(spec.user !== undefined ? { User: spec.user } : {}),
    ...(hc
      ? {
          Healthcheck: {
            Test: [...hc.test],
            ...(hc.intervalMs !== undefined ? { Interval: hc.intervalMs * MS } : {}),
            ...(hc.timeoutMs !== undefined ? { Timeout: hc.timeoutMs * MS } : {}),
            ...(hc.retries !== undefined ? { Retries: hc.retries } : {}),
            ...(hc.startPeriodMs !== undefined ? { StartPeriod: hc.startPeriodMs * MS } : {}),
          },
        }
      : {}),
    ...(spec.network
      ? { NetworkingConfig: { EndpointsConfig: { [spec.network.name]: { Aliases: [...(spec.network.aliases ?? [])] } } } }
      : {}),
  };
  return body;
}

/**
 * Writes the container's files into memory (files.ts) and creates the container with them bound
 * read-only, without starting it. On failure neither the container nor its files are left.
 */
export async function createContainer(client: DockerClient, spec: ContainerSpec): Promise<{ id: string; name: string }> {
  const name = containerName(spec.cluster, spec.resource, spec.ordinal, spec.suffix);
  const files = spec.files ?? [];
  let binds: FileBind[] = [];
  try {
    binds = await writeFiles(client, spec.cluster, name, files);
  } catch (err) {
    await removeFiles(client, spec.cluster, name).catch(() => undefined);
    throw dockerError(`write the files of ${name}`, err, { resourceId: spec.resource });
  }
  const body = createBody(spec, binds);
  let c: Docker.Container;
  try {
    c = await wrap(`create container ${name}`, () => client.docker.createContainer(body), spec.resource);
  } catch (err) {
    if (files.length > 0) await removeFiles(client, spec.cluster, name).catch(() => undefined);
    throw err;
  }
  for (const n of spec.extraNetworks ?? []) {
    try {
      await connectNetwork(client, n.name, c.id, n.aliases);
    } catch (err) {
      await removeContainer(client, c.id, { force: true }).catch(() => undefined);
      if (files.length > 0) await removeFiles(client, spec.cluster, name).catch(() => undefined);
      throw err;
    }
  }
  return { id: c.id, name };
}

/** Creates, injects files, starts. On a failed start the container is removed again. */
export async function runContainer(client: DockerClient, spec: ContainerSpec): Promise<{ id: string; name: string }> {
  const created = await createContainer(client, spec);
  try {
    await client.docker.getContainer(created.id).start();
  } catch (err) {
    await removeContainer(client, created.id, { force: true }).catch(() => undefined);
    throw dockerError(`start container ${created.name}`, err, { resourceId: spec.resource });
  }
  return created;
}

export async function startContainer(client: DockerClient, id: string): Promise<void> {
  try {
    await client.docker.getContainer(id).start();
  } catch (err) {
    if (statusOf(err) === 304) return; // already running
    throw dockerError(`start container ${id}`, err, { resourceId: id });
  }
}

/** SIGTERM, then SIGKILL after `timeoutSec`. Already stopped or gone is fine. */
/** Stops a container: its stop signal, then SIGKILL after `timeoutSec` (undefined: the container's own StopTimeout). */
export async function stopContainer(client: DockerClient, id: string, timeoutSec: number | undefined = 10): Promise<void> {
  try {
    await client.docker.getContainer(id).stop(timeoutSec === undefined ? {} : { t: timeoutSec });
  } catch (err) {
    const s = statusOf(err);
    if (s === 304 || s === 404) return;
    throw dockerError(`stop container ${id}`, err, { resourceId: id });
  }
}

/** Removes a container (and its anonymous volumes, never named ones). Gone already is fine. */
export async function removeContainer(client: DockerClient, id: string, opts: { force?: boolean } = {}): Promise<void> {
  try {
    await client.docker.getContainer(id).remove({ force: opts.force ?? false, v: true });
  } catch (err) {
    const s = statusOf(err);
    // 404: gone. 409 "removal already in progress": someone else is finishing the job.
    if (s === 404 || (s === 409 && /already in progress/i.test(String((err as Error).message)))) return;
    throw dockerError(`remove container ${id}`, err, { resourceId: id });
  }
}

export interface ContainerSummary {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  /** created | running | paused | restarting | removing | exited | dead */
  readonly state: string;
  /** e.g. "Up 3 seconds (healthy)" */
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Containers (running or not) carrying all of the labels. Sorted by name for stable output. */
export async function listContainers(client: DockerClient, labels: Labels, opts: { all?: boolean } = {}): Promise<ContainerSummary[]> {
  const list = await wrap('list containers', () => client.docker.listContainers({ all: opts.all ?? true, filters: labelFilter(labels) }));
  return list
    .map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      image: c.Image,
      imageId: c.ImageID,
      state: c.State,
      status: c.Status,
      labels: c.Labels ?? {},
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export type ContainerInfo = Docker.ContainerInspectInfo;

export async function inspectContainer(client: DockerClient, id: string): Promise<ContainerInfo> {
  return wrap(`inspect container ${id}`, () => client.docker.getContainer(id).inspect(), id);
}

/** undefined when the container does not exist. */
export async function tryInspectContainer(client: DockerClient, id: string): Promise<ContainerInfo | undefined> {
  return tryWrap(`inspect container ${id}`, () => client.docker.getContainer(id).inspect(), id);
}

/** The host port a container port is published on, if any. */
export function publishedPort(info: ContainerInfo, containerPort: number, protocol: 'tcp' | 'udp' = 'tcp'): number | undefined {
  const b = info.NetworkSettings.Ports[`${containerPort}/${protocol}`]?.[0];
  return b ? Number(b.HostPort) : undefined;
}

/** The container's IPv4 address on a network, if attached. */
export function containerIp(info: ContainerInfo, network: string): string | undefined {
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  return ip ? ip : undefined;
}
