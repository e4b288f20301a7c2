/**
 * The Swarm target's pure half: the resolved graph → the objects berth sends to a Swarm
 * manager (Engine API 1.41 service, secret, config and network specs). No I/O: image ids,
 * secret/config ids, the proxy image and a Volume's node come in through the context.
 *
 *   Deployment ─▶ replicated service (dnsrr endpoint, update_config / rollback_config)
 *   Job        ─▶ replicated-job service (dependents wait for its completion)
 *   Service    ─▶ global berth-proxy service: the Service's name is its alias on the cluster
 *                 network, it forwards to tasks.<deployment> (Docker's DNS round robin), and a
 *                 `publish` is a host-mode port of every proxy task, so it answers on every node.
 *                 (No IPVS on the kernels this runs on: no VIP, no ingress routing mesh.)
 *   Secret / Config ─▶ a Swarm secret / config named by its version (they are immutable: a new
 *                 value is a new object, and the services mounting it roll)
 *   Network    ─▶ attachable overlay; Volume ─▶ a named volume on one node (constrains its users)
 */
import { BerthError, type DeploymentSpec, type GraphJson, type JobSpec, type ResourceJson, type ResourceOf } from '@berth/core';
import { resolveValue, type ResolveContext } from '../../execute/resolve.ts';
import type { HealthProbe } from '../driver.ts';
import type { TranslateContext, Translator } from '../target.ts';

export const LABEL_CLUSTER = 'berth.cluster';
export const LABEL_RESOURCE = 'berth.resource';
export const LABEL_SPEC = 'berth.spec';
export const LABEL_REPLICA = 'berth.replica';
export const LABEL_RELEASE = 'berth.release';
export const LABEL_COMPONENT = 'berth.component';
/** sha256 of the spec berth sent (its `fingerprint`): a service edited by hand no longer matches. */
export const LABEL_SENT = 'berth.sent';

const NS = 1_000_000;
/** Swarm's update monitor after each batch: a task failing this soon after starting fails the update. */
export const MONITOR_MS = 3000;

type Labels = Record<string, string>;

export interface SwarmMount {
  Type: 'volume';
  Source: string;
  Target: string;
  ReadOnly: boolean;
  VolumeOptions: { Labels: Labels; DriverConfig: { Name: string; Options: Record<string, string> } };
}

export interface SwarmFileRef {
  File: { Name: string; UID: string; GID: string; Mode: number };
  SecretID?: string;
  SecretName?: string;
  ConfigID?: string;
  ConfigName?: string;
}

export interface SwarmUpdateConfig {
  Parallelism: number;
  Delay: number;
  FailureAction: 'rollback' | 'pause' | 'continue';
  Monitor: number;
  MaxFailureRatio: number;
  Order: 'start-first' | 'stop-first';
}

/** A ServiceSpec as the Engine API takes it (the fields berth sets). */
export interface SwarmServiceSpec {
  Name: string;
  Labels: Labels;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels: Labels;
      Command?: string[];
      Args?: string[];
      Env: string[];
      Dir?: string;
      User?: string;
      Init: boolean;
      StopSignal?: string;
      StopGracePeriod?: number;
      Healthcheck?: { Test: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
      Mounts: SwarmMount[];
      Secrets: SwarmFileRef[];
      Configs: SwarmFileRef[];
    };
    Resources: { Limits: { NanoCPUs?: number; MemoryBytes?: number }; Reservations: { NanoCPUs?: number; MemoryBytes?: number } };
    RestartPolicy: { Condition: 'none' | 'on-failure' | 'any'; Delay: number; MaxAttempts: number };
    Placement: { Constraints: string[]; Preferences: Array<{ Spread: { SpreadDescriptor: string } }>; MaxReplicas?: number };
    Networks: Array<{ Target: string; Aliases?: string[] }>;
    ForceUpdate: number;
  };
  Mode: { Replicated: { Replicas: number } } | { Global: Record<string, never> } | { ReplicatedJob: { MaxConcurrent: number; TotalCompletions: number } };
  UpdateConfig?: SwarmUpdateConfig;
  RollbackConfig?: SwarmUpdateConfig;
  EndpointSpec: { Mode: 'dnsrr'; Ports?: Array<{ Protocol: 'tcp' | 'udp'; TargetPort: number; PublishedPort: number; PublishMode: 'host' }> };
}

export type SwarmObject =
  | { readonly kind: 'service'; readonly role: 'deployment' | 'job' | 'proxy'; readonly spec: SwarmServiceSpec }
  /** `data` is the value; it is sent to the manager and never stored or printed. */
  | { readonly kind: 'secret'; readonly name: string; readonly labels: Labels; readonly data: string }
  | { readonly kind: 'config'; readonly name: string; readonly labels: Labels; readonly data: string }
  | { readonly kind: 'network'; readonly name: string; readonly labels: Labels; readonly internal: boolean }
  | { readonly kind: 'volume'; readonly name: string; readonly labels: Labels; readonly node?: string };

/** What the Swarm translator needs besides the shared context. */
export interface SwarmTranslateContext extends TranslateContext {
  /** The berth-proxy image id (on every node), for Services. */
  readonly proxyImage?: string;
  /** Hash per Deployment of what its replicas run (without the replica count): the tasks' `berth.spec`. */
  readonly replicaHashes?: ReadonlyMap<string, string>;
}

/** The overlay network every service of the cluster joins; Services' names are aliases on it. */
export function clusterNetworkName(cluster: string): string {
  return `${cluster}-net`;
}

/** `<cluster>-<id>`: the Swarm name of a resource's service, network or volume. */
export function objectName(cluster: string, id: string): string {
  return `${cluster}-${id}`;
}

function hex(hash: string): string {
  return hash.slice(hash.indexOf(':') + 1);
}

/** A Secret's or Config's Swarm name: versioned by its spec hash, since Swarm never changes one in place. */
export function versionedName(cluster: string, id: string, specHash: string): string {
  return `${cluster}-${id}-${hex(specHash).slice(0, 12) || 'unversioned'}`;
}

/** The Docker HEALTHCHECK of a probe; http/tcp run inside the container with its own tools. */
export function healthTest(h: HealthProbe): string[] {
  if (h.type === 'exec') return ['CMD', ...h.command];
  if (h.type === 'http') {
    const url = `http://127.0.0.1:${h.port}${h.path}`;
    return ['CMD-SHELL', `wget -q -O /dev/null '${url}' || curl -fsS -o /dev/null '${url}' || exit 1`];
  }
  return ['CMD-SHELL', `nc -w 2 127.0.0.1 ${h.port} </dev/null >/dev/null 2>&1 || exit 1`];
}

/** Rolling update from maxSurge / maxUnavailable: start-first when surge is allowed, stop-first when it is not. */
export function updateConfigOf(update: { maxSurge: number; maxUnavailable: number }): SwarmUpdateConfig {
  const surge = update.maxSurge > 0;
  return {
    Parallelism: Math.max(1, surge ? update.maxSurge : update.maxUnavailable),
    Delay: 0,
    FailureAction: 'rollback',
    Monitor: MONITOR_MS * NS,
    MaxFailureRatio: 0,
    Order: surge ? 'start-first' : 'stop-first',
  };
}

function labelsOf(cluster: string, id: string, component: string, extra: Labels = {}): Labels {
  return { [LABEL_CLUSTER]: cluster, [LABEL_RESOURCE]: id, [LABEL_COMPONENT]: component, ...extra };
}

type Workload = { id: string; path: string; kind: 'Deployment' | 'Job'; props: DeploymentSpec | JobSpec; source?: ResourceJson['source'] };

/** The Volume a workload mounts, if any (its users must run on the Volume's node). */
function volumesOf(r: Workload): string[] {
  return r.props.mounts.flatMap((m) => ('volume' in m ? [m.volume.$ref] : []));
}

function workloadSpec(graph: GraphJson, r: Workload, ctx: SwarmTranslateContext): SwarmServiceSpec {
  const cluster = graph.cluster;
  const resolve: ResolveContext = { graph, outputs: ctx.outputs, secrets: new Map() };
  const p = r.props;
  const specHash = ctx.specHashes.get(r.id) ?? '';
  const byId = new Map(graph.resources.map((x) => [x.id, x]));
  const image = typeof p.image === 'string' ? p.image : String(ctx.outputs.get(p.image.$ref)?.['image'] ?? `(image of ${p.image.$ref})`);
  const env: string[] = [];
  for (const [k, v] of Object.entries(p.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // A Secret's value in an env var would be plain text in the service spec (docker service inspect).
    const refs = typeof v === 'string' ? [] : '$ref' in v ? [v.$ref] : v.$concat.flatMap((x) => (typeof x === 'string' ? [] : [x.$ref]));
    const secret = refs.find((id) => byId.get(id)?.kind === 'Secret');
    if (secret !== undefined) {
      throw new BerthError('plan.invalid', `env.${k} of ${r.path} uses the value of secret ${byId.get(secret)?.path ?? secret}: on Swarm it would be plain text in the service spec`, {
        constructPath: r.path,
        kind: r.kind,
        property: `env.${k}`,
        ...(r.source ? { location: r.source } : {}),
        hint: `mount the secret as a file instead: mounts: [{ secret: ..., path: '/run/secrets/${secret}' }]`,
      });
    }
    env.push(`${k}=${resolveValue(resolve, v, r.path)}`);
  }
  const mounts: SwarmMount[] = [];
  const secrets: SwarmFileRef[] = [];
  const configs: SwarmFileRef[] = [];
  for (const m of p.mounts) {
    if ('volume' in m) {
      const vol = byId.get(m.volume.$ref);
      const props = vol?.kind === 'Volume' ? vol.props : { driver: 'local', options: {} };
      mounts.push({
        Type: 'volume',
        Source: String(ctx.outputs.get(m.volume.$ref)?.['name'] ?? objectName(cluster, m.volume.$ref)),
        Target: m.path,
        ReadOnly: m.readOnly,
        VolumeOptions: { Labels: labelsOf(cluster, m.volume.$ref, 'volume'), DriverConfig: { Name: props.driver, Options: { ...props.options } } },
      });
    } else if ('config' in m) {
      const id = m.config.$ref;
      const name = versionedName(cluster, id, ctx.specHashes.get(id) ?? '');
      const sid = ctx.outputs.get(id)?.['swarmName'] === name ? ctx.outputs.get(id)?.['swarmId'] : undefined;
      configs.push({ File: { Name: m.path, UID: '0', GID: '0', Mode: 0o444 }, ConfigName: name, ...(typeof sid === 'string' ? { ConfigID: sid } : {}) });
    } else {
      const id = m.secret.$ref;
      const name = versionedName(cluster, id, ctx.specHashes.get(id) ?? '');
      const sid = ctx.outputs.get(id)?.['swarmName'] === name ? ctx.outputs.get(id)?.['swarmId'] : undefined;
      secrets.push({ File: { Name: m.path, UID: '0', GID: '0', Mode: 0o400 }, SecretName: name, ...(typeof sid === 'string' ? { SecretID: sid } : {}) });
    }
  }
  const constraints: string[] = [];
  const preferences: Array<{ Spread: { SpreadDescriptor: string } }> = [];
  let maxReplicas: number | undefined;
  if (r.kind === 'Deployment') {
    const pl = (p as DeploymentSpec).placement;
    for (const [k, v] of Object.entries(pl.constraints).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) constraints.push(`node.labels.${k}==${v}`);
    if (pl.spreadBy) preferences.push({ Spread: { SpreadDescriptor: `node.labels.${pl.spreadBy.label}` } });
    if (pl.maxPerNode !== undefined) maxReplicas = pl.maxPerNode;
  }
  // A named volume lives on one node: its users are pinned to the node it was made on.
  for (const v of volumesOf(r)) {
    const node = ctx.outputs.get(v)?.['node'];
    constraints.push(`node.hostname==${typeof node === 'string' ? node : '(the node the volume is made on)'}`);
  }
  const limits = p.resources.limits ?? {};
  const requests = p.resources.requests ?? {};
  const health = p.health;
  const restart = r.kind === 'Job' ? 'no' : (p as DeploymentSpec).restart;
  const replicaHash = ctx.replicaHashes?.get(r.id) ?? specHash;
  const labels = labelsOf(cluster, r.id, r.kind === 'Job' ? 'job' : 'deployment', { [LABEL_SPEC]: specHash, [LABEL_REPLICA]: replicaHash, [LABEL_RELEASE]: ctx.release });
  const spec: SwarmServiceSpec = {
    Name: objectName(cluster, r.id),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Labels: labelsOf(cluster, r.id, r.kind === 'Job' ? 'job' : 'replica', { [LABEL_SPEC]: replicaHash }),
        ...(p.command ? { Command: [...p.command] } : {}),
        ...(p.args ? { Args: [...p.args] } : {}),
        Env: env,
        ...(p.workingDir !== undefined ? { Dir: p.workingDir } : {}),
        ...(p.user !== undefined ? { User: p.user } : {}),
        // tini as PID 1: a process that ignores SIGTERM must not hold every stop for its grace period.
        Init: true,
        ...(p.stopSignal !== undefined ? { StopSignal: p.stopSignal } : {}),
        ...(p.stopGracePeriod !== undefined ? { StopGracePeriod: p.stopGracePeriod * NS } : {}),
        ...(health
          ? { Healthcheck: { Test: healthTest(health), Interval: health.interval * NS, Timeout: health.timeout * NS, Retries: health.retries, StartPeriod: health.startPeriod * NS } }
          : {}),
        Mounts: mounts,
        Secrets: secrets,
        Configs: configs,
      },
      Resources: {
        Limits: { ...(limits.cpu !== undefined ? { NanoCPUs: limits.cpu * NS } : {}), ...(limits.memory !== undefined ? { MemoryBytes: limits.memory } : {}) },
        Reservations: { ...(requests.cpu !== undefined ? { NanoCPUs: requests.cpu * NS } : {}), ...(requests.memory !== undefined ? { MemoryBytes: requests.memory } : {}) },
      },
      RestartPolicy:
        r.kind === 'Job'
          ? { Condition: (p as JobSpec).backoffLimit > 0 ? 'on-failure' : 'none', Delay: 1000 * NS, MaxAttempts: (p as JobSpec).backoffLimit }
          : { Condition: restart === 'no' ? 'none' : restart === 'on-failure' ? 'on-failure' : 'any', Delay: 1000 * NS, MaxAttempts: 0 },
      Placement: { Constraints: constraints, Preferences: preferences, ...(maxReplicas !== undefined ? { MaxReplicas: maxReplicas } : {}) },
      Networks: [{ Target: clusterNetworkName(cluster) }, ...(p.networks ?? []).map((n) => ({ Target: objectName(cluster, n.$ref) }))],
      ForceUpdate: 0,
    },
    Mode: r.kind === 'Job' ? { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } } : { Replicated: { Replicas: (p as DeploymentSpec).replicas } },
    ...(r.kind === 'Deployment' ? { UpdateConfig: updateConfigOf((p as DeploymentSpec).update), RollbackConfig: { ...updateConfigOf((p as DeploymentSpec).update), FailureAction: 'pause' } } : {}),
    EndpointSpec: { Mode: 'dnsrr' },
  };
  return spec;
}

/** The global proxy service of a berth Service: alias on the cluster network, host-mode publish on every node. */
function proxySpec(graph: GraphJson, r: ResourceOf<'Service'>, ctx: SwarmTranslateContext): SwarmServiceSpec {
  const cluster = graph.cluster;
  const backend = `tasks.${objectName(cluster, r.props.target.$ref)}`;
  const config = { listeners: r.props.ports.map((p) => ({ port: p.port, backends: [`${backend}:${p.targetPort ?? p.port}`] })) };
  const published = r.props.ports.filter((p) => p.publish !== undefined);
  const update: SwarmUpdateConfig = { Parallelism: 1, Delay: 0, FailureAction: 'rollback', Monitor: MONITOR_MS * NS, MaxFailureRatio: 0, Order: 'stop-first' };
  return {
    Name: objectName(cluster, r.id),
    Labels: labelsOf(cluster, r.id, 'proxy', { [LABEL_SPEC]: ctx.specHashes.get(r.id) ?? '', [LABEL_RELEASE]: ctx.release }),
    TaskTemplate: {
      ContainerSpec: {
        Image: ctx.proxyImage ?? '(the berth proxy image)',
        Labels: labelsOf(cluster, r.id, 'proxy'),
        Env: [`BERTH_PROXY_CONFIG=${JSON.stringify(config)}`],
        Init: true,
        Mounts: [],
        Secrets: [],
        Configs: [],
      },
      Resources: { Limits: {}, Reservations: {} },
      RestartPolicy: { Condition: 'any', Delay: 1000 * NS, MaxAttempts: 0 },
      Placement: { Constraints: [], Preferences: [] },
      Networks: [{ Target: clusterNetworkName(cluster), Aliases: [r.props.name ?? r.id] }],
      ForceUpdate: 0,
    },
    Mode: { Global: {} },
    // stop-first: a host port is held by one task per node, so a new proxy task starts after the old one left.
    UpdateConfig: update,
    RollbackConfig: { ...update, FailureAction: 'pause' },
    EndpointSpec: {
      Mode: 'dnsrr',
      ...(published.length > 0 ? { Ports: published.map((p) => ({ Protocol: p.protocol, TargetPort: p.port, PublishedPort: p.publish as number, PublishMode: 'host' as const })) } : {}),
    },
  };
}

export const swarmTranslator: Translator<SwarmObject> & { translate(graph: GraphJson, ctx: SwarmTranslateContext): ReadonlyMap<string, SwarmObject> } = {
  translate(graph: GraphJson, ctx: SwarmTranslateContext): ReadonlyMap<string, SwarmObject> {
    const out = new Map<string, SwarmObject>();
    const cluster = graph.cluster;
    for (const r of graph.resources) {
      switch (r.kind) {
        case 'Deployment':
        case 'Job':
          out.set(r.id, { kind: 'service', role: r.kind === 'Job' ? 'job' : 'deployment', spec: workloadSpec(graph, r, ctx) });
          break;
        case 'Service':
          out.set(r.id, { kind: 'service', role: 'proxy', spec: proxySpec(graph, r, ctx) });
          break;
        case 'Secret':
          out.set(r.id, { kind: 'secret', name: versionedName(cluster, r.id, ctx.specHashes.get(r.id) ?? ''), labels: labelsOf(cluster, r.id, 'secret', { [LABEL_SPEC]: ctx.specHashes.get(r.id) ?? '' }), data: ctx.secrets.get(r.id) ?? '' });
          break;
        case 'Config':
          out.set(r.id, { kind: 'config', name: versionedName(cluster, r.id, ctx.specHashes.get(r.id) ?? ''), labels: labelsOf(cluster, r.id, 'config', { [LABEL_SPEC]: ctx.specHashes.get(r.id) ?? '' }), data: r.props.data });
          break;
        case 'Network':
          out.set(r.id, { kind: 'network', name: objectName(cluster, r.id), labels: labelsOf(cluster, r.id, 'network', { [LABEL_SPEC]: ctx.specHashes.get(r.id) ?? '' }), internal: r.props.internal });
          break;
        case 'Volume': {
          const node = ctx.outputs.get(r.id)?.['node'];
          out.set(r.id, { kind: 'volume', name: objectName(cluster, r.id), labels: labelsOf(cluster, r.id, 'volume'), ...(typeof node === 'string' ? { node } : {}) });
          break;
        }
        default:
          // Images are built or resolved, then shipped to every node; they are not Swarm objects.
          break;
      }
    }
    return out;
  },
};

/**
 * What a user of this target must know before deploying (diff prints these): constructs Swarm
 * handles differently from berth's own scheduler.
 */
export function swarmNotes(graph: GraphJson): string[] {
  const notes: string[] = [];
  const byId = new Map(graph.resources.map((r) => [r.id, r]));
  for (const r of graph.resources) {
    if (r.kind !== 'Deployment' && r.kind !== 'Job') continue;
    const where = r.source ? ` (${r.source.file.split(/[\\/]/).pop() ?? r.source.file}:${r.source.line})` : '';
    if (r.kind === 'Deployment' && r.props.placement.priority !== 0) {
      notes.push(`${r.path}: placement.priority ${r.props.placement.priority} is ignored: Swarm has no priorities or preemption${where}`);
    }
    if (r.kind === 'Deployment' && r.props.placement.strategy === 'binpack') {
      notes.push(`${r.path}: placement.strategy binpack is ignored: Swarm always spreads${where}`);
    }
    for (const v of volumesOf(r)) {
      notes.push(`${r.path}: runs on one node only: it mounts volume ${byId.get(v)?.path ?? v}, and a Swarm named volume lives on the node it was made on${where}`);
    }
  }
  return [...new Set(notes)];
}
