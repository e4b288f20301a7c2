/**
 * The pure half of the Kubernetes target: a resolved graph → Kubernetes objects, by resource id.
 * No I/O, no clock: the same graph and context give the same objects (synth writes them as
 * YAML, diff dry-runs them, deploy applies them).
 *
 *   Deployment → apps/v1 Deployment    Service → v1 Service (ClusterIP; publish → NodePort)
 *   Volume → PersistentVolumeClaim     Secret → v1 Secret (data only at deploy time)
 *   Config → ConfigMap (+ a checksum annotation on its consumers' pod templates)
 *   Job → batch/v1 Job (named by its spec, so a change runs a new one)
 *   Network (internal) → NetworkPolicy   priority → PriorityClass   the namespace → Namespace
 *   Image / ImageBuild → the image reference the containers use
 *
 * What cannot be expressed is collected as located diagnostics (cluster.ts line, construct
 * path, property) and thrown once, as synth does.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { sortDiagnostics, SynthFailure, type Diagnostic, type GraphJson, type ResourceJson, type ResourceOf, type ValueJson } from '@berth/core';
import type { TranslateContext, Translator } from '@berth/engine';

/** A Kubernetes object as berth writes it: plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** The id under which the cluster-wide objects (Namespace, PriorityClasses) are listed. */
export const CLUSTER_OBJECTS = '(cluster)';

export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_CLUSTER = 'berth.cluster';
export const LABEL_RESOURCE = 'berth.resource';
/** Annotations: the resource's spec hash and release (a hash is longer than a label value may be). */
export const ANNOTATION_SPEC = 'berth.spec';
export const ANNOTATION_RELEASE = 'berth.release';
/** The NodePort range of a default API server (--service-node-port-range). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** What translation needs besides the graph. All optional: synth translates without a cluster. */
export interface KubeTranslateContext extends Partial<TranslateContext> {
  /** Secret versions (HMAC, never values) by Secret id: a changed secret rolls its consumers. */
  readonly secretVersions?: Readonly<Record<string, string>>;
  /**
   * Registry berth pushed built images to; without it an ImageBuild cannot be pulled by the
   * cluster, which deploy refuses (`target.image-unpullable`). Synth writes a placeholder.
   */
  readonly builtImages?: 'placeholder' | 'refuse';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The Kubernetes name of a graph id: ids are `shop-api`; anything else is lowered and dashed. */
export function kubeName(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** The labels every object carries: ownership is decided by them (and the inventory in state). */
export function ownerLabels(cluster: string, resourceId: string): Record<string, string> {
  // The cluster's own objects carry an empty berth.resource: no construct id is empty.
  return { [LABEL_MANAGED_BY]: 'berth', [LABEL_CLUSTER]: cluster, [LABEL_RESOURCE]: resourceId === CLUSTER_OBJECTS ? '' : labelValue(resourceId) };
}

export function labelValue(v: string): string {
  const s = v.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 63);
  return s.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'x';
}

export function serviceHost(svc: ResourceOf<'Service'>, namespace: string): string {
  return `${svc.props.name ?? kubeName(svc.id)}.${namespace}.svc`;
}

/** A PriorityClass per distinct non-zero priority, named after the cluster. */
export function priorityClassName(cluster: string, priority: number): string {
  return kubeName(`berth-${cluster}-p${priority < 0 ? `m${-priority}` : priority}`);
}

function shortHash(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 10);
}

/** The Kubernetes translator (`Translator` of the target seam). */
export const kubernetesTranslator: Translator<readonly KubeObject[]> = {
  translate: (graph, ctx) => translateGraph(graph, ctx),
};

/** Every object of the graph, by resource id; throws a SynthFailure listing every problem. */
export function translateGraph(graph: GraphJson, ctx: KubeTranslateContext = {}): ReadonlyMap<string, readonly KubeObject[]> {
  if (graph.target.kind !== 'kubernetes') throw new SynthFailure([{ code: 'target.invalid', message: `cluster ${graph.cluster} does not target kubernetes`, constructPath: graph.cluster, kind: 'Cluster' }]);
  const ns = graph.target.namespace;
  const diags: Diagnostic[] = [];
  const out = new Map<string, KubeObject[]>();
  const byId = new Map(graph.resources.map((r) => [r.id, r] as const));
  const problem = (r: ResourceJson | undefined, property: string | undefined, message: string, hint?: string, code: Diagnostic['code'] = 'target.invalid'): void => {
    diags.push({ code, message, constructPath: r?.path ?? graph.cluster, kind: r?.kind ?? 'Cluster', property, location: r?.source ?? targetSource(graph), hint });
  };
  const meta = (r: ResourceJson, name: string, annotations: Record<string, string> = {}) => {
    const spec = ctx.specHashes?.get(r.id);
    const a: Record<string, string> = { ...annotations };
    if (spec !== undefined) a[ANNOTATION_SPEC] = spec;
    if (ctx.release !== undefined) a[ANNOTATION_RELEASE] = ctx.release;
    return { name, namespace: ns, labels: ownerLabels(graph.cluster, r.id), ...(Object.keys(a).length > 0 ? { annotations: sortKeys(a) } : {}) };
  };
  const names = new Map<string, string>();
  const nameOf = (r: ResourceJson, kind: string, name: string): string => {
    const key = `${kind}/${name}`;
    const other = names.get(key);
    if (!DNS_LABEL.test(name)) problem(r, 'id', `"${name}" is not a valid Kubernetes name (a DNS label: lowercase letters, digits, dashes)`, 'give the construct an id of lowercase letters, digits and dashes');
    else if (other !== undefined && other !== r.id) problem(r, 'id', `${kind} "${name}" would be made by both ${other} and ${r.id}`, 'rename one of the constructs');
    names.set(key, r.id);
    return name;
  };

  // The namespace itself (created when missing; deleted by destroy only if berth created it).
  const clusterObjects: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: ownerLabels(graph.cluster, CLUSTER_OBJECTS) } }];
  const priorities = new Set<number>();

  for (const r of graph.resources) {
    switch (r.kind) {
      case 'Deployment':
      case 'Job': {
        const pod = podTemplate(r);
        if (r.kind === 'Deployment') {
          const p = r.props;
          if (p.restart !== 'always') problem(r, 'restart', `restart "${p.restart}" cannot be expressed: a Kubernetes Deployment always restarts its containers`, 'use restart: "always" (the default), or a Job for a container that runs to completion');
          if (p.placement.priority !== 0) priorities.add(p.placement.priority);
          const name = nameOf(r, 'Deployment', kubeName(r.id));
          out.set(r.id, [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: meta(r, name),
              spec: {
                replicas: p.replicas,
                selector: { matchLabels: selectorOf(graph.cluster, r.id) },
                strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: p.update.maxSurge, maxUnavailable: p.update.maxUnavailable } },
                progressDeadlineSeconds: Math.max(1, Math.ceil(p.update.progressDeadline / 1000)),
                revisionHistoryLimit: 5,
                template: pod,
              },
            },
          ]);
        } else {
          // A Job's template cannot change in place: the name carries the template's hash, so a
          // change runs a new Job (and the old one is pruned).
          const spec = { backoffLimit: r.props.backoffLimit, activeDeadlineSeconds: Math.max(1, Math.ceil(r.props.timeout / 1000)), template: pod };
          const name = nameOf(r, 'Job', `${kubeName(r.id).slice(0, 52)}-${shortHash(spec)}`);
          out.set(r.id, [{ apiVersion: 'batch/v1', kind: 'Job', metadata: meta(r, name), spec }]);
        }
        break;
      }
      case 'Service': {
        const target = byId.get(r.props.target.$ref);
        const name = nameOf(r, 'Service', r.props.name ?? kubeName(r.id));
        const published = r.props.ports.filter((p) => p.publish !== undefined);
        for (const [i, p] of r.props.ports.entries()) {
          if (p.publish !== undefined && (p.publish < NODE_PORT_RANGE.min || p.publish > NODE_PORT_RANGE.max)) {
            problem(r, `ports[${i}].publish`, `publish ${p.publish} is outside the NodePort range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}: on Kubernetes a published port is a NodePort, open on every node`, `publish a port in ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max} (e.g. ${NODE_PORT_RANGE.min + (p.publish % 2768)}), or leave publish out and put an Ingress in front`);
          }
          if (p.hostIp !== undefined) problem(r, `ports[${i}].hostIp`, 'hostIp cannot be expressed: a NodePort listens on every node address', 'leave hostIp out for the kubernetes target');
        }
        const annotations: Record<string, string> = {};
        // Why NodePort: it works on every cluster; a LoadBalancer needs a cloud controller,
        // an Ingress an ingress controller, neither of which berth can assume.
        if (published.length > 0) annotations['berth.publish'] = `NodePort: ${published.map((p) => `${p.publish}→${p.port}`).join(', ')} on every node (a LoadBalancer needs a cloud controller; NodePort works on any cluster)`;
        out.set(r.id, [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: meta(r, name, annotations),
            spec: {
              type: published.length > 0 ? 'NodePort' : 'ClusterIP',
              selector: selectorOf(graph.cluster, target?.id ?? r.props.target.$ref),
              // protocol always written: on 1.20 server-side apply refuses a port without it
              // ("associative list with keys has an element that omits key field protocol").
              ports: r.props.ports.map((p) => ({
                name: `p${p.port}`,
                port: p.port,
                protocol: 'TCP',
                targetPort: p.targetPort ?? p.port,
                ...(p.publish !== undefined ? { nodePort: p.publish } : {}),
              })),
            },
          },
        ]);
        break;
      }
      case 'Volume': {
        const size = r.props.options['size'] ?? '1Gi';
        const cls = r.props.options['storageClass'];
        if (r.props.node !== undefined) problem(r, 'node', 'node cannot be expressed: the storage class decides where a PersistentVolume lives', 'leave node out for the kubernetes target (use a storage class with the topology you need: options.storageClass)');
        out.set(r.id, [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: meta(r, nameOf(r, 'PersistentVolumeClaim', kubeName(r.id))),
            spec: { accessModes: [r.props.options['accessMode'] ?? 'ReadWriteOnce'], resources: { requests: { storage: size } }, ...(cls !== undefined ? { storageClassName: cls } : {}) },
          },
        ]);
        break;
      }
      case 'Secret': {
        const value = ctx.secrets?.get(r.id);
        const source = r.props.fromEnv !== undefined ? `env ${r.props.fromEnv}` : `file ${String(r.props.fromFile)}`;
        // The value only exists in the object sent at deploy time; synth and export write the
        // Secret without data, and everything berth prints or stores is redacted (redact.ts).
        out.set(r.id, [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: meta(r, nameOf(r, 'Secret', kubeName(r.id)), { 'berth.secret-source': `${source} (value set by berth deploy)` }),
            type: 'Opaque',
            ...(value !== undefined ? { data: { value: Buffer.from(value, 'utf8').toString('base64') } } : {}),
          },
        ]);
        break;
      }
      case 'Config':
        out.set(r.id, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(r, nameOf(r, 'ConfigMap', kubeName(r.id)), { 'berth.sha256': r.props.sha256 }), data: { data: r.props.data } }]);
        break;
      case 'Network':
        if (r.props.internal) {
          const member = { [networkLabel(r.id)]: 'member' };
          out.set(r.id, [
            {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'NetworkPolicy',
              metadata: meta(r, nameOf(r, 'NetworkPolicy', kubeName(r.id))),
              spec: {
                // Internal: members talk to members only (and to cluster DNS to find them).
                podSelector: { matchLabels: member },
                policyTypes: ['Ingress', 'Egress'],
                ingress: [{ from: [{ podSelector: { matchLabels: member } }] }],
                egress: [{ to: [{ podSelector: { matchLabels: member } }] }, { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
              },
            },
          ]);
        } else out.set(r.id, []); // the pod network is flat: an ordinary network needs no object
        break;
      case 'Image':
      case 'ImageBuild':
        out.set(r.id, []); // nothing to create: containers name the image
        break;
    }
  }
  for (const pr of [...priorities].sort((a, b) => a - b)) {
    clusterObjects.push({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: priorityClassName(graph.cluster, pr), labels: ownerLabels(graph.cluster, CLUSTER_OBJECTS) }, value: pr, preemptionPolicy: 'PreemptLowerPriority', description: `berth: placement.priority ${pr} of cluster ${graph.cluster}` });
  }
  out.set(CLUSTER_OBJECTS, clusterObjects);
  if (diags.length > 0) throw new SynthFailure(sortDiagnostics(diags));
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

  function podTemplate(r: ResourceOf<'Deployment'> | ResourceOf<'Job'>): Record<string, unknown> {
    const p = r.props;
    const env: Array<Record<string, unknown>> = [];
    const hidden: Array<Record<string, unknown>> = [];
    const annotations: Record<string, string> = {};
    const value = (v: ValueJson, key: string): Record<string, unknown> => {
      if (typeof v === 'string') return { name: key, value: v };
      if ('$ref' in v) {
        const t = byId.get(v.$ref);
        if (t?.kind === 'Secret') return { name: key, valueFrom: { secretKeyRef: { name: kubeName(t.id), key: 'value' } } };
        if (t?.kind === 'Config') return { name: key, valueFrom: { configMapKeyRef: { name: kubeName(t.id), key: 'data' } } };
        return { name: key, value: refValue(r, v.$ref, v.attr, `env.${key}`) };
      }
      // A concatenation with a secret in it: the secret goes in through its own variable and
      // Kubernetes' $(VAR) expansion, so the value never appears in the Deployment.
      const parts = v.$concat.map((part) => {
        if (typeof part === 'string') return part.replace(/\$\(/g, '$$$$(');
        const t = byId.get(part.$ref);
        if (t?.kind === 'Secret' || t?.kind === 'Config') {
          const hiddenName = `BERTH_${t.kind.toUpperCase()}_${t.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
          if (!hidden.some((h) => h['name'] === hiddenName)) hidden.push(value(part, hiddenName));
          return `$(${hiddenName})`;
        }
        return refValue(r, part.$ref, part.attr, `env.${key}`);
      });
      return { name: key, value: parts.join('') };
    };
    for (const key of Object.keys(p.env).sort()) env.push(value(p.env[key] as ValueJson, key));
    const volumes: Array<Record<string, unknown>> = [];
    const volumeMounts: Array<Record<string, unknown>> = [];
    for (const [i, m] of p.mounts.entries()) {
      const vname = `m${i}`;
      if ('volume' in m) {
        volumes.push({ name: vname, persistentVolumeClaim: { claimName: kubeName(m.volume.$ref) } });
        volumeMounts.push({ name: vname, mountPath: m.path, ...(m.readOnly ? { readOnly: true } : {}) });
      } else if ('config' in m) {
        volumes.push({ name: vname, configMap: { name: kubeName(m.config.$ref), items: [{ key: 'data', path: basename(m.path) }] } });
        volumeMounts.push({ name: vname, mountPath: m.path, subPath: basename(m.path), readOnly: true });
      } else {
        volumes.push({ name: vname, secret: { secretName: kubeName(m.secret.$ref), defaultMode: 0o400, items: [{ key: 'value', path: basename(m.path) }] } });
        volumeMounts.push({ name: vname, mountPath: m.path, subPath: basename(m.path), readOnly: true });
      }
    }
    // Kubernetes does not restart pods when a ConfigMap or Secret changes: the checksum of every
    // one the pod consumes is on its template, so a change rolls the Deployment.
    for (const dep of consumed(r)) {
      const t = byId.get(dep);
      if (t?.kind === 'Config') annotations[`checksum.berth/${kubeName(t.id)}`] = t.props.sha256.slice(0, 63);
      if (t?.kind === 'Secret') annotations[`checksum.berth/${kubeName(t.id)}`] = (ctx.secretVersions?.[t.id] ?? 'unknown').slice(0, 63);
    }
    const labels: Record<string, string> = { ...ownerLabels(graph.cluster, r.id) };
    for (const n of p.networks ?? []) {
      const net = byId.get(n.$ref);
      if (net?.kind === 'Network' && net.props.internal) labels[networkLabel(net.id)] = 'member';
    }
    const container: Record<string, unknown> = {
      name: kubeName(r.id).slice(0, 63),
      image: imageOf(r),
      ...(p.command ? { command: p.command } : {}),
      ...(p.args ? { args: p.args } : {}),
      ...(env.length + hidden.length > 0 ? { env: [...hidden, ...env] } : {}),
      ...(p.ports.length > 0 ? { ports: p.ports.map((x) => ({ containerPort: x.containerPort, protocol: x.protocol.toUpperCase(), ...('name' in x && x.name !== undefined ? { name: x.name } : {}) })) } : {}),
      ...resourcesOf(p.resources),
      ...probesOf(p.health),
      ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
      ...(p.workingDir !== undefined ? { workingDir: p.workingDir } : {}),
      ...securityOf(r),
    };
    const spec: Record<string, unknown> = {
      containers: [container],
      restartPolicy: r.kind === 'Job' ? 'Never' : 'Always',
      ...(volumes.length > 0 ? { volumes } : {}),
      ...(p.stopGracePeriod !== undefined ? { terminationGracePeriodSeconds: Math.ceil(p.stopGracePeriod / 1000) } : {}),
      ...(r.kind === 'Deployment' ? placementOf(r) : {}),
    };
    return { metadata: { labels: sortKeys(labels), ...(Object.keys(annotations).length > 0 ? { annotations: sortKeys(annotations) } : {}) }, spec };
  }

  function consumed(r: ResourceOf<'Deployment'> | ResourceOf<'Job'>): string[] {
    const ids = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o['$ref'] === 'string') ids.add(o['$ref']);
        else Object.values(o).forEach(walk);
      }
    };
    walk(r.props.env);
    walk(r.props.mounts);
    return [...ids].sort();
  }

  function imageOf(r: ResourceOf<'Deployment'> | ResourceOf<'Job'>): string {
    const img = r.props.image;
    if (typeof img === 'string') return img;
    return refValue(r, img.$ref, img.attr, 'image');
  }

  /** A reference's value as the container sees it: Services by their cluster DNS name. */
  function refValue(from: ResourceJson, id: string, attr: string, property: string): string {
    const t = byId.get(id);
    switch (t?.kind) {
      case 'Service': {
        const host = serviceHost(t, ns);
        const port = String(t.props.ports[0]?.port ?? '');
        if (attr === 'host') return host;
        if (attr === 'port') return port;
        if (attr === 'address') return `${host}:${port}`;
        return host;
      }
      case 'Image':
        return t.props.name;
      case 'ImageBuild': {
        const built = ctx.outputs?.get(id)?.['image'];
        if (typeof built === 'string' && /@sha256:[0-9a-f]{64}$/.test(built)) return built;
        if (ctx.builtImages === 'refuse') {
          problem(from, property, `${from.path} runs the image built by ${t.path} on this machine, and a Kubernetes cluster can only pull images from a registry; no registry is configured`, `push the image to a registry the cluster can pull from and use new Image(this, '${t.id}', { name: 'registry.example/${kubeName(t.id)}@sha256:…' }) instead of the ImageBuild`, 'target.image-unpullable');
        }
        // Synth and export: a placeholder that names the build (what a registry push would replace).
        return `berth.local/${kubeName(t.id)}:${t.props.contentHash.replace(/^sha256:/, '').slice(0, 12)}`;
      }
      case 'Volume':
        return kubeName(t.id);
      case 'Deployment':
      case 'Job':
        return kubeName(t.id);
      default:
        return id;
    }
  }

  function placementOf(r: ResourceOf<'Deployment'>): Record<string, unknown> {
    const pl = r.props.placement;
    const out: Record<string, unknown> = {};
    if (Object.keys(pl.constraints).length > 0) out['nodeSelector'] = sortKeys({ ...pl.constraints });
    const sel = { matchLabels: selectorOf(graph.cluster, r.id) };
    const spread: Array<Record<string, unknown>> = [];
    if (pl.spreadBy) spread.push({ maxSkew: pl.spreadBy.maxSkew, topologyKey: pl.spreadBy.label, whenUnsatisfiable: 'DoNotSchedule', labelSelector: sel });
    if (pl.maxPerNode !== undefined && pl.maxPerNode > 1) {
      problem(r, 'placement.maxPerNode', `maxPerNode ${pl.maxPerNode} cannot be expressed: Kubernetes limits replicas per node only to one (pod anti-affinity)`, 'use maxPerNode: 1, or spreadBy: { label: "kubernetes.io/hostname" } to spread them evenly');
    }
    const anti: Record<string, unknown> = {};
    if (pl.maxPerNode === 1) anti['requiredDuringSchedulingIgnoredDuringExecution'] = [{ labelSelector: sel, topologyKey: 'kubernetes.io/hostname' }];
    else if (pl.strategy === 'spread') anti['preferredDuringSchedulingIgnoredDuringExecution'] = [{ weight: 100, podAffinityTerm: { labelSelector: sel, topologyKey: 'kubernetes.io/hostname' } }];
    if (Object.keys(anti).length > 0) out['affinity'] = { podAntiAffinity: anti };
    if (spread.length > 0) out['topologySpreadConstraints'] = spread;
    if (pl.priority !== 0) out['priorityClassName'] = priorityClassName(graph.cluster, pl.priority);
    return out;
  }

  function securityOf(r: ResourceOf<'Deployment'> | ResourceOf<'Job'>): Record<string, unknown> {
    const u = r.props.user;
    if (u === undefined) return {};
    const m = /^(\d+)(?::(\d+))?$/.exec(u);
    if (!m) {
      problem(r, 'user', `user "${u}" cannot be expressed: Kubernetes runs a container as a numeric user id`, 'give the user as "uid" or "uid:gid", e.g. "1000:1000"');
      return {};
    }
    return { securityContext: { runAsUser: Number(m[1]), ...(m[2] !== undefined ? { runAsGroup: Number(m[2]) } : {}) } };
  }
}

/** Where cluster.ts declared the Cluster's target (a kubernetes target carries it). */
export function targetSource(graph: GraphJson): { file: string; line: number; column: number } | undefined {
  return 'source' in graph.target ? graph.target.source : undefined;
}

function selectorOf(cluster: string, id: string): Record<string, string> {
  return { [LABEL_CLUSTER]: cluster, [LABEL_RESOURCE]: labelValue(id) };
}

function networkLabel(id: string): string {
  return `berth.network/${kubeName(id).slice(0, 63)}`;
}

type Resources = ResourceOf<'Deployment'>['props']['resources'];
function resourcesOf(res: Resources): Record<string, unknown> {
  const list = (l: { cpu?: number | undefined; memory?: number | undefined } | undefined): Record<string, string> | undefined => {
    if (!l) return undefined;
    const o: Record<string, string> = {};
    if (l.cpu !== undefined) o['cpu'] = `${l.cpu}m`;
    if (l.memory !== undefined) o['memory'] = String(l.memory);
    return Object.keys(o).length > 0 ? o : undefined;
  };
  const requests = list(res.requests);
  const limits = list(res.limits);
  if (!requests && !limits) return {};
  return { resources: { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) } };
}

type Health = NonNullable<ResourceOf<'Deployment'>['props']['health']>;
function probesOf(h: Health | undefined): Record<string, unknown> {
  if (!h) return {};
  const handler = h.type === 'http' ? { httpGet: { path: h.path, port: h.port } } : h.type === 'tcp' ? { tcpSocket: { port: h.port } } : { exec: { command: h.command } };
  const timing = { periodSeconds: Math.max(1, Math.ceil(h.interval / 1000)), timeoutSeconds: Math.max(1, Math.ceil(h.timeout / 1000)), failureThreshold: h.retries };
  // Readiness gates traffic and the rollout; liveness restarts a container that stays unhealthy
  // after its start period, as Docker's health check with restart does.
  return {
    readinessProbe: { ...handler, ...timing },
    livenessProbe: { ...handler, ...timing, ...(h.startPeriod > 0 ? { initialDelaySeconds: Math.ceil(h.startPeriod / 1000) } : {}) },
  };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k] as T;
  return out;
}
