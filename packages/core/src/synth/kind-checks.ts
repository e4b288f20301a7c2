/**
 * Stage 7 of synthesis, per Cluster: the rules a schema cannot state because they span
 * properties or resources: a container's limits are not below its requests and it lists each
 * port and each mount path once; Service names are DNS labels, unique per cluster; a Service lists each port once,
 * forwards only to ports its Deployment exposes, and a host port is published by one Service.
 * Defaults that depend on other props are filled in here (a Service's name from its id, a
 * port's targetPort from its port).
 */
import type { SourceLocation } from '../errors.ts';
import type { Entry } from './collect.ts';
import { fmtLoc, type Diagnostics } from './diagnostics.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkKinds(mine: readonly Entry[], diags: Diagnostics): void {
  const published = new Map<number, { path: string; loc: SourceLocation | undefined }>();
  const serviceNames = new Map<string, string>();
  let byId: Map<string, Entry> | undefined;
  for (const e of mine) {
    const props = e.props;
    if (!props) continue;
    if (e.r.kind === 'Deployment' || e.r.kind === 'Job') {
      checkContainer(e, props, diags);
      continue;
    }
    if (e.r.kind !== 'Service') continue;
    const { r, loc } = e;
    const name = (props.name as string | undefined) ?? r.node.id.toLowerCase();
    if (!DNS_LABEL.test(name)) {
      diags.report({ code: 'props.invalid', message: `the service name "${name}" (from the construct id) is not a DNS label`, constructPath: e.path, kind: r.kind, property: 'name', location: loc, hint: 'set name: to lowercase letters, digits and dashes' });
    }
    const other = serviceNames.get(name);
    if (other) {
      diags.report({ code: 'synth.duplicate-id', message: `service name "${name}" is already used by ${other}`, constructPath: e.path, kind: r.kind, property: 'name', location: loc, hint: 'give each Service of a cluster its own name' });
    }
    serviceNames.set(name, e.path);
    props.name = name;
    const ports = props.ports as Array<{ port: number; targetPort?: number; publish?: number }>;
    const target = (props.target as { $ref?: string } | null)?.$ref;
    const te = target === undefined ? undefined : (byId ??= new Map(mine.map((x) => [x.id, x]))).get(target);
    const exposed = te?.props ? (te.props.ports as ContainerPort[]).filter((p) => p.protocol === 'tcp').map((p) => p.containerPort) : [];
    const seenPorts = new Map<number, number>();
    for (const [i, p] of ports.entries()) {
      const first = seenPorts.get(p.port);
      if (first !== undefined) {
        diags.report({ code: 'synth.port-conflict', message: `ports[${i}].port: port ${p.port} is already listed as ports[${first}]`, constructPath: e.path, kind: r.kind, property: `ports[${i}].port`, location: loc, hint: 'list each port of a Service once' });
      } else seenPorts.set(p.port, i);
      const forwarded = p.targetPort ?? p.port;
      // A Deployment that lists no ports still answers on them (Docker needs no EXPOSE between
      // containers); one that lists ports says where it listens.
      if (te && exposed.length > 0 && !exposed.includes(forwarded)) {
        const given = p.targetPort === undefined ? `ports[${i}]: no targetPort, so it forwards to port ${p.port}, which` : `ports[${i}].targetPort: port ${p.targetPort}`;
        diags.report({
          code: 'synth.port-not-exposed',
          message: `${given} is not a port ${te.path} exposes (its ports: ${exposed.join(', ')})`,
          constructPath: e.path,
          kind: r.kind,
          property: p.targetPort === undefined ? `ports[${i}]` : `ports[${i}].targetPort`,
          location: loc,
          hint: `set targetPort to ${exposed.length === 1 ? String(exposed[0]) : `one of ${exposed.join(', ')}`}, or add ${forwarded} to the ports of ${te.path}`,
        });
      }
      if (p.targetPort === undefined) ports[i] = sortedShallow({ ...p, targetPort: p.port });
      if (p.publish === undefined) continue;
      const prev = published.get(p.publish);
      if (prev) {
        const where = prev.loc ? (loc && prev.loc.file === loc.file ? ` (line ${prev.loc.line})` : ` (${fmtLoc(prev.loc)})`) : '';
        diags.report({ code: 'synth.port-conflict', message: `host port ${p.publish} is already published by ${prev.path}${where}`, constructPath: e.path, kind: r.kind, property: `ports[${i}].publish`, location: loc, hint: 'publish each host port from one Service only' });
      } else {
        published.set(p.publish, { path: e.path, loc });
      }
    }
  }
}

interface ContainerPort {
  readonly containerPort: number;
  readonly protocol: string;
}

/** A Deployment's or Job's container: each port once, limits not below requests. */
function checkContainer(e: Entry, props: Record<string, unknown>, diags: Diagnostics): void {
  const kind = e.r.kind;
  const seen = new Map<string, number>();
  for (const [i, p] of (props.ports as ContainerPort[]).entries()) {
    const key = `${p.containerPort}/${p.protocol}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      continue;
    }
    diags.report({ code: 'synth.port-conflict', message: `ports[${i}]: container port ${key} is already listed as ports[${first}]`, constructPath: e.path, kind, property: `ports[${i}]`, location: e.loc, hint: 'list each container port once' });
  }
  // Two mounts at one path: the engine refuses the container ("Duplicate mount point") only at deploy.
  const mounted = new Map<string, number>();
  for (const [i, m] of ((props.mounts as Array<{ path: string }> | undefined) ?? []).entries()) {
    const first = mounted.get(m.path);
    if (first === undefined) {
      mounted.set(m.path, i);
      continue;
    }
    diags.report({ code: 'props.invalid', message: `mounts[${i}].path: "${m.path}" is already mounted by mounts[${first}]`, constructPath: e.path, kind, property: `mounts[${i}].path`, location: e.loc, hint: 'mount each path once: remove one of the two, or give it another path' });
  }
  const res = props.resources as { requests?: Quantities; limits?: Quantities };
  // What the program wrote ("256Mi"), to echo it as given.
  const given = (e.r.props as { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } } | undefined)?.resources;
  for (const q of ['cpu', 'memory'] as const) {
    const limit = res.limits?.[q];
    const request = res.requests?.[q];
    if (limit === undefined || request === undefined || limit >= request) continue;
    diags.report({
      code: 'synth.limit-below-request',
      message: `resources.limits.${q}: ${show(given?.limits?.[q], limit)} is below the request of ${show(given?.requests?.[q], request)}`,
      constructPath: e.path,
      kind,
      property: `resources.limits.${q}`,
      location: e.loc,
      hint: `a container is given its request and may grow up to its limit: raise limits.${q} to at least ${show(given?.requests?.[q], request)}, or lower requests.${q}`,
    });
  }
}

interface Quantities {
  readonly cpu?: number;
  readonly memory?: number;
}

function show(given: unknown, value: number): string {
  return typeof given === 'string' ? JSON.stringify(given) : String(given ?? value);
}

/** `o` with its own keys in sorted order (values as they are). */
export function sortedShallow<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = (o as Record<string, unknown>)[k];
  return out as T;
}
