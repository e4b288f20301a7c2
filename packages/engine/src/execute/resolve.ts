/**
 * Resolving references: a graph resource's `{ $ref, attr }` placeholders become the values a
 * container needs (image ids from builds, service names, secret values, config contents).
 * Pure: everything it needs is passed in, so it is unit-testable without a runtime.
 */
import { BerthError, type DeploymentSpec, type GraphJson, type JobSpec, type ResourceJson, type ResourceOf, type ValueJson } from '@berth/core';
import type { RunFile, RunSpec, ServiceRunSpec } from '../targets/driver.ts';

/** What resolution may read: the graph, outputs of resources already applied, secret values. */
export interface ResolveContext {
  readonly graph: GraphJson;
  /** Outputs by resource id (`image` for builds and images). */
  readonly outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Secret values by Secret id; read by the CLI at deploy time, never stored. */
  readonly secrets: ReadonlyMap<string, string>;
}

function byId(graph: GraphJson, id: string): ResourceJson {
  const r = graph.resources.find((x) => x.id === id);
  if (!r) throw new BerthError('internal', `reference to unknown resource ${id}`);
  return r;
}

/** The value of `target.attr` at deploy time. */
export function resolveRef(ctx: ResolveContext, id: string, attr: string, from: string): string {
  const target = byId(ctx.graph, id);
  switch (target.kind) {
    case 'Service':
      if (attr === 'host') return target.props.name ?? id;
      if (attr === 'port') return String(target.props.ports[0]?.port ?? '');
      if (attr === 'address') return `${target.props.name ?? id}:${target.props.ports[0]?.port ?? ''}`;
      break;
    case 'Secret': {
      const v = ctx.secrets.get(id);
      if (v === undefined) {
        throw new BerthError('plan.invalid', `the value of secret ${target.path} is not available`, {
          constructPath: from,
          hint: target.props.fromEnv ? `set the environment variable ${target.props.fromEnv}` : `create the file ${String(target.props.fromFile)}`,
        });
      }
      return v;
    }
    case 'Config':
      return target.props.data;
    case 'ImageBuild':
    case 'Image': {
      const image = ctx.outputs.get(id)?.['image'];
      if (typeof image !== 'string') throw new BerthError('internal', `image of ${id} is not known yet`);
      return image;
    }
    case 'Volume':
      return String(ctx.outputs.get(id)?.['name'] ?? id);
    default:
      return id;
  }
  return id;
}

export function resolveValue(ctx: ResolveContext, v: ValueJson, from: string): string {
  if (typeof v === 'string') return v;
  if ('$ref' in v) return resolveRef(ctx, v.$ref, v.attr, from);
  return v.$concat.map((p) => (typeof p === 'string' ? p : resolveRef(ctx, p.$ref, p.attr, from))).join('');
}

/**
 * Owner and mode of a Config/Secret file: as the mount asks, else the container's numeric
 * `user` ("1000" or "1000:1000"), so a non-root container can read its own secret by default;
 * a user given by name cannot be resolved here (it lives in the image's /etc/passwd): root.
 */
export function fileOwner(m: { uid?: number | undefined; gid?: number | undefined; mode?: number | undefined }, user: string | undefined, defaultMode: number): { uid: number; gid: number; mode: number } {
  const u = /^(\d+)(?::(\d+))?$/.exec(user ?? '');
  const userUid = u?.[1] !== undefined ? Number(u[1]) : 0;
  const userGid = u?.[2] !== undefined ? Number(u[2]) : userUid;
  const uid = m.uid ?? userUid;
  return { uid, gid: m.gid ?? (m.uid !== undefined ? m.uid : userGid), mode: m.mode ?? defaultMode };
}

/** The container a Deployment replica or a Job run is made of. */
export function resolveRunSpec(
  ctx: ResolveContext,
  r: { id: string; path: string; kind: 'Deployment' | 'Job'; props: DeploymentSpec | JobSpec },
  ordinal: number,
  specHash: string,
  release: string,
): RunSpec {
  const p = r.props;
  const image = typeof p.image === 'string' ? p.image : resolveRef(ctx, p.image.$ref, p.image.attr, r.path);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.env)) env[k] = resolveValue(ctx, v, r.path);
  const files: RunFile[] = [];
  const mounts: Array<{ volumeId: string; volumeName?: string; path: string; readOnly: boolean }> = [];
  for (const m of p.mounts) {
    if ('volume' in m) {
      const name = ctx.outputs.get(m.volume.$ref)?.['name'];
      mounts.push({ volumeId: m.volume.$ref, ...(typeof name === 'string' ? { volumeName: name } : {}), path: m.path, readOnly: m.readOnly });
    }
    else if ('config' in m) files.push({ path: m.path, content: resolveRef(ctx, m.config.$ref, 'data', r.path), ...fileOwner(m, p.user, 0o444) });
    else files.push({ path: m.path, content: resolveRef(ctx, m.secret.$ref, 'value', r.path), ...fileOwner(m, p.user, 0o400) });
  }
  const restart = 'restart' in p ? p.restart : 'no';
  return {
    resourceId: r.id,
    kind: r.kind,
    ordinal,
    specHash,
    release,
    image,
    ...(p.command ? { command: p.command } : {}),
    ...(p.args ? { args: p.args } : {}),
    env,
    ports: p.ports.map((x) => ({ containerPort: x.containerPort, protocol: x.protocol })),
    ...(p.resources.limits?.cpu !== undefined ? { cpuMillis: p.resources.limits.cpu } : {}),
    ...(p.resources.limits?.memory !== undefined ? { memoryBytes: p.resources.limits.memory } : {}),
    ...(p.health ? { health: p.health } : {}),
    mounts,
    files,
    restart,
    ...(p.workingDir !== undefined ? { workingDir: p.workingDir } : {}),
    ...(p.user !== undefined ? { user: p.user } : {}),
    ...(p.networks ? { networks: p.networks.map((n) => n.$ref) } : {}),
    ...(p.stopSignal !== undefined ? { stopSignal: p.stopSignal } : {}),
    ...(p.stopGracePeriod !== undefined ? { stopGracePeriodMs: p.stopGracePeriod } : {}),
  };
}

/** A Service as the runtime needs it: its DNS name and ports (a port's target defaults to the port). */
export function serviceRunSpec(r: ResourceOf<'Service'>, specHash: string, release: string): ServiceRunSpec {
  return {
    resourceId: r.id,
    name: r.props.name ?? r.id,
    specHash,
    release,
    ports: r.props.ports.map((p) => ({ port: p.port, targetPort: p.targetPort ?? p.port, ...(p.publish !== undefined ? { publish: p.publish } : {}), ...(p.hostIp !== undefined ? { hostIp: p.hostIp } : {}) })),
  };
}
