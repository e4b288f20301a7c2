/**
 * The effectful half of the Kubernetes target. Kubernetes schedules, heals and rolls; berth
 * translates, applies (server-side apply, field manager `berth`), waits and explains.
 *
 *   observe   list berth's objects by label → Observed (spec annotation, desired replicas,
 *             fields other managers own = drift)
 *   preview   per object a server-side apply dry-run: property changes, conflicts (named
 *             manager), immutable fields (replace, because …), and the prune list
 *   apply     dry-run everything first (nothing half-applied on 403/422/409), then apply in
 *             dependency order, await Jobs and rollouts from status, roll back a failed
 *             rollout to the previous release's spec, prune, record state + inventory
 *   destroy   delete exactly the objects labelled for this cluster (PVCs only when asked)
 */
import { BerthError, type GraphJson } from '@berth/core';
import { recordChange, resolveSpecs, type ApplyInput, type DeployEvent, type ExecuteResult, type Observed, type ObservedResource, type State, type StatusRow, type Target, type TargetObservation, type LogOptions, type NodeStatus } from '@berth/engine';
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { fieldChanges, foreignFields, type ManagedFieldsEntry } from './compare.ts';
import { apiError, loadKubeConfig, messageOf, statusOf, type ConnectOptions } from './connect.ts';
import { inApplyOrder, manifestsOf } from './manifest.ts';
import { redact, scrub } from './redact.ts';
import { deploymentRollout, jobRollout, type DeploymentLike, type JobLike } from './rollout.ts';
import { ANNOTATION_SPEC, CLUSTER_OBJECTS, LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_RESOURCE, targetSource, type KubeObject } from './translate.ts';

export const FIELD_MANAGER = 'berth';
/** Annotation with a Deployment's replica hash: what its pods run (scaling does not change it). */
const ANNOTATION_REPLICA = 'berth.replica-spec';

/** The kinds berth makes, with where they live. */
const KINDS: ReadonlyArray<{ apiVersion: string; kind: string; namespaced: boolean; graphKind?: string }> = [
  { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true, graphKind: 'Config' },
  { apiVersion: 'v1', kind: 'Secret', namespaced: true, graphKind: 'Secret' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespaced: true, graphKind: 'Volume' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', namespaced: true, graphKind: 'Job' },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true, graphKind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service', namespaced: true, graphKind: 'Service' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', namespaced: false },
];

export interface KubernetesTargetOptions extends ConnectOptions {
  /** Take over fields another field manager owns (`deploy --force-conflicts`). */
  readonly forceConflicts?: boolean;
  /** Extra seconds a rollout may take beyond its progressDeadlineSeconds before berth gives up. @default 30 */
  readonly rolloutSlackSeconds?: number;
}

/** One object as found on the cluster. */
type Live = KubernetesObject & { metadata: NonNullable<KubernetesObject['metadata']>; spec?: unknown; status?: unknown };

const keyOf = (o: { kind?: string; metadata?: { name?: string } }): string => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`;
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((done) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), done()), { once: true });
  });

/** Opens the target: reads the kubeconfig (nothing is contacted yet). */
export async function openKubernetesTarget(graph: GraphJson, opts: KubernetesTargetOptions): Promise<KubernetesTarget> {
  await Promise.resolve();
  const { kc } = loadKubeConfig(graph, opts);
  return new KubernetesTarget(graph, kc, opts);
}

/** What a dry-run found for one object. */
export interface ObjectPreview {
  readonly key: string;
  readonly resource: string;
  readonly action: 'create' | 'update' | 'replace' | 'delete' | 'noop' | 'conflict';
  readonly lines: readonly string[];
}

export interface TargetPreview {
  readonly changed: boolean;
  readonly objects: readonly ObjectPreview[];
}

export class KubernetesTarget implements Target {
  readonly kind = 'kubernetes' as const;
  readonly namespace: string;
  readonly server: string;
  private readonly api: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  private live: Live[] | undefined;

  constructor(
    readonly graph: GraphJson,
    kc: KubeConfig,
    private readonly opts: KubernetesTargetOptions,
  ) {
    this.namespace = graph.target.kind === 'kubernetes' ? graph.target.namespace : 'default';
    this.server = kc.getCurrentCluster()?.server ?? '(no server)';
    this.api = KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  private err(e: unknown, what: string, secrets?: Iterable<string>, resourceId?: string): BerthError {
    const r = resourceId ? this.graph.resources.find((x) => x.id === resourceId) : undefined;
    return apiError(e, what, { server: this.server, ...(secrets ? { secrets } : {}), constructPath: r?.path ?? this.graph.cluster, kind: r?.kind ?? 'Cluster', location: r?.source ?? targetSource(this.graph) });
  }

  /** Every object labelled for this cluster, of the kinds berth makes. */
  async listOwned(): Promise<Live[]> {
    const selector = `${LABEL_CLUSTER}=${this.graph.cluster},${LABEL_MANAGED_BY}=berth`;
    const lists = await Promise.all(
      KINDS.map(async (k) => {
        try {
          const l = await this.api.list<Live>(k.apiVersion, k.kind, k.namespaced ? this.namespace : undefined, undefined, undefined, undefined, undefined, selector);
          return l.items.map((o) => ({ ...o, apiVersion: k.apiVersion, kind: k.kind }));
        } catch (e) {
          throw this.err(e, `list ${k.kind}s of ${this.graph.cluster}`);
        }
      }),
    );
    return lists.flat();
  }

  async observe(): Promise<TargetObservation> {
    const live = await this.listOwned();
    this.live = live;
    const resources: Record<string, ObservedResource> = {};
    for (const o of live) {
      const id = o.metadata.labels?.[LABEL_RESOURCE];
      const k = KINDS.find((x) => x.kind === o.kind);
      if (!id || !k?.graphKind) continue;
      const foreign = foreignFields(o.metadata.managedFields as ManagedFieldsEntry[] | undefined, FIELD_MANAGER);
      // Fields another manager changed are drift: the spec no longer is berth's alone.
      const spec = foreign.size > 0 ? `changed by ${[...foreign.keys()].join(', ')}` : o.metadata.annotations?.[ANNOTATION_SPEC];
      const entry: ObservedResource = {
        kind: k.graphKind as ObservedResource['kind'],
        exists: true,
        ...(spec !== undefined ? { specHash: spec } : {}),
        ...(o.kind === 'Deployment' ? { replicas: desiredReplicas(o) } : {}),
      };
      resources[graphIdOf(this.graph, id)] = entry;
    }
    const observed: Observed = { cluster: this.graph.cluster, kinds: ['Config', 'Secret', 'Volume', 'Job', 'Deployment', 'Service'], resources };
    return { observed };
  }

  /** The objects a deploy would send, with secret values when given. */
  desired(input: { readonly state: State | undefined; readonly secrets: ReadonlyMap<string, string>; readonly secretVersions: Readonly<Record<string, string>>; readonly release?: string; readonly refuseBuilt?: boolean }): { objects: KubeObject[]; byResource: ReadonlyMap<string, readonly KubeObject[]>; specs: ReturnType<typeof resolveSpecs> } {
    const specs = resolveSpecs(this.graph, input.secretVersions, input.state);
    const specHashes = new Map([...specs].map(([id, s]) => [id, s.specHash] as const));
    const { objects, byResource } = manifestsOf(this.graph, {
      secrets: input.secrets,
      secretVersions: input.secretVersions,
      specHashes,
      ...(input.release !== undefined ? { release: input.release } : {}),
      builtImages: input.refuseBuilt ? 'refuse' : 'placeholder',
    });
    // The replica hash on each Deployment: observe reports it as what the pods run.
    const withReplica = objects.map((o) => {
      if (o.kind !== 'Deployment') return o;
      const rh = specs.get(o.metadata.labels[LABEL_RESOURCE] ? idOfObject(this.graph, o) : '')?.replicaHash;
      return rh ? { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [ANNOTATION_REPLICA]: rh } } } : o;
    });
    return { objects: withReplica, byResource, specs };
  }

  private async read(o: KubeObject): Promise<Live | undefined> {
    try {
      return (await this.api.read(o as never)) as Live;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw this.err(e, `read ${keyOf(o)}`, undefined, idOfObject(this.graph, o));
    }
  }

  private ssa(o: KubeObject, opts: { dryRun: boolean; force: boolean }): Promise<Live> {
    return this.api.patch(o as never, undefined, opts.dryRun ? 'All' : undefined, FIELD_MANAGER, opts.force, PatchStrategy.ServerSideApply) as Promise<Live>;
  }

  /** What deploy would do to each object, from server-side apply dry-runs (nothing is changed). */
  async preview(input: { readonly state: State | undefined; readonly secrets: ReadonlyMap<string, string>; readonly secretVersions: Readonly<Record<string, string>> }): Promise<TargetPreview> {
    const { objects } = this.desired(input);
    const secretValues = [...input.secrets.values()];
    const live = this.live ?? (await this.listOwned());
    const nsLive = await this.read(objects[0] as KubeObject);
    const out: ObjectPreview[] = [];
    for (const o of objects) {
      const resource = idOfObject(this.graph, o);
      const key = keyOf(o);
      if (o.kind === 'Secret' && !input.secrets.has(resource)) {
        out.push({ key, resource, action: 'noop', lines: ['value not readable here: not compared (deploy needs it)'] });
        continue;
      }
      const before = o.kind === 'Namespace' ? nsLive : nsLive ? await this.read(o) : undefined;
      if (o.kind === 'Namespace' && before && !ownNamespace(before, this.graph.cluster)) {
        out.push({ key, resource, action: 'noop', lines: [] }); // someone else's namespace: berth only uses it
        continue;
      }
      if (!before) {
        out.push({ key, resource, action: 'create', lines: [] });
        continue;
      }
      const lines: string[] = [];
      for (const [manager, paths] of foreignFields(before.metadata.managedFields as ManagedFieldsEntry[] | undefined, FIELD_MANAGER)) {
        lines.push(`drift: ${manager} changed ${paths.slice(0, 4).join(', ')}${paths.length > 4 ? ` (+${paths.length - 4})` : ''}`);
      }
      let after: Live;
      let action: ObjectPreview['action'] = 'update';
      try {
        after = await this.ssa(o, { dryRun: true, force: this.opts.forceConflicts ?? false });
      } catch (e) {
        const status = statusOf(e);
        const msg = scrub(messageOf(e), secretValues);
        if (status === 409) {
          lines.push(`conflict: ${msg.replace(/\n/g, ' ')}`, 'deploy --force-conflicts takes these fields over for berth');
          action = 'conflict';
          try {
            after = await this.ssa(o, { dryRun: true, force: true });
          } catch (e2) {
            const m2 = scrub(messageOf(e2), secretValues);
            if (statusOf(e2) !== 422 || !/immutable/i.test(m2)) throw this.err(e2, `dry-run of ${key}`, secretValues, resource);
            lines.push(`replace because ${immutableField(m2)} cannot change in place: ${m2}`);
            out.push({ key, resource, action: 'conflict', lines });
            continue;
          }
        } else if (status === 422 && /immutable/i.test(msg)) {
          out.push({ key, resource, action: 'replace', lines: [`replace because ${immutableField(msg)} cannot change in place: ${msg}`] });
          continue;
        } else throw this.err(e, `dry-run of ${key}`, secretValues, resource);
      }
      for (const c of fieldChanges(redact(before), redact(after))) lines.push(`${c.path}: ${show(c.before)} → ${show(c.after)}`);
      out.push({ key, resource, action: lines.length > 0 ? action : 'noop', lines });
    }
    const wanted = new Set(objects.map(keyOf));
    const inventory = inventoryOf(input.state);
    for (const o of live) {
      const key = keyOf(o);
      if (wanted.has(key)) continue;
      const id = o.metadata.labels?.[LABEL_RESOURCE] ?? '';
      if (inventory.has(key)) out.push({ key, resource: id, action: 'delete', lines: ['left the program: pruned by deploy'] });
      else out.push({ key, resource: id, action: 'noop', lines: ["labelled for this cluster but not in berth's inventory: left alone"] });
    }
    return { changed: out.some((p) => p.action !== 'noop'), objects: out };
  }

  async apply(input: ApplyInput): Promise<ExecuteResult> {
    const emit = input.emit;
    const force = this.opts.forceConflicts ?? false;
    const secretValues = [...input.secrets.values()];
    const { objects, byResource, specs } = this.desired({ state: input.state, secrets: input.secrets, secretVersions: input.secretVersions, release: input.release, refuseBuilt: true });
    const ns = objects.find((o) => o.kind === 'Namespace') as KubeObject;
    const nsExists = (await this.read(ns)) !== undefined;

    // 1. Dry-run everything before changing anything: a 403, a refused object or a conflict
    //    stops the deploy with nothing applied. (A namespace that does not exist yet cannot
    //    hold dry-runs of its objects: then only the cluster-wide objects are checked first.)
    const replace = new Set<string>();
    for (const o of objects) {
      if (!nsExists && o.metadata.namespace !== undefined) continue;
      if (o.kind === 'Namespace' && nsExists) continue;
      try {
        await this.ssa(o, { dryRun: true, force });
      } catch (e) {
        const msg = messageOf(e);
        if (statusOf(e) === 422 && /immutable/i.test(msg)) replace.add(keyOf(o));
        else throw this.err(e, `${o.kind} ${o.metadata.name}`, secretValues, idOfObject(this.graph, o));
      }
    }

    // 2. Apply in dependency order; Jobs and changed Deployments are awaited.
    const failures: Array<{ id: string; reason: string; detail: string[]; rolledBack: boolean }> = [];
    const done = new Set<string>();
    let stopped = false;
    for (const o of inApplyOrder(objects)) {
      const id = idOfObject(this.graph, o);
      if (stopped) continue;
      // A namespace that existed before berth is only used, never labelled (destroy would take it).
      if (o.kind === 'Namespace' && nsExists) {
        done.add(keyOf(o));
        continue;
      }
      const action = replace.has(keyOf(o)) ? 'replace' : 'apply';
      const started = Date.now();
      emit({ type: 'step-start', id, kind: o.kind, action });
      try {
        const before = await this.read(o);
        if (action === 'replace' && before) await this.deleteAndWait(before, input.signal);
        const after = await this.ssa(o, { dryRun: false, force });
        if (o.kind === 'Job') await this.awaitJob(o, id, emit, input.signal);
        if (o.kind === 'Deployment' && (!before || before.metadata.generation !== after.metadata.generation || action === 'replace')) {
          const failed = await this.awaitRollout(o, id, emit, input.signal);
          if (failed) {
            const rolledBack = await this.rollBack(id, input.state);
            failures.push({ id, reason: `rollout of ${keyOf(o)} failed: ${failed}`, detail: rolledBack ? [`re-applied the spec of the previous release (${rolledBack})`] : ['no previous release to roll back to'], rolledBack: Boolean(rolledBack) });
            emit({ type: 'step-failed', id, kind: o.kind, action, reason: failed, detail: rolledBack ? [`rolled back to ${rolledBack}`] : [], rolledBack: Boolean(rolledBack) });
            stopped = true;
            continue;
          }
        }
        done.add(keyOf(o));
        emit({ type: 'step-done', id, kind: o.kind, action, ms: Date.now() - started });
      } catch (e) {
        const err = BerthError.is(e) ? e : this.err(e, `${action} ${keyOf(o)}`, secretValues, id);
        failures.push({ id, reason: scrub(err.message, secretValues), detail: [], rolledBack: false });
        emit({ type: 'step-failed', id, kind: o.kind, action, reason: scrub(err.message, secretValues), detail: [], rolledBack: false });
        stopped = true;
      }
    }

    // 3. Prune: objects labelled for this cluster AND in berth's inventory that left the program.
    if (!stopped) {
      const wanted = new Set(objects.map(keyOf));
      const inventory = inventoryOf(input.state);
      for (const o of await this.listOwned()) {
        const key = keyOf(o);
        if (wanted.has(key) || !inventory.has(key)) continue;
        const id = o.metadata.labels?.[LABEL_RESOURCE] ?? '';
        // A volume's claim goes only when the plan deletes it (--delete-volume): data is not pruned.
        if (o.kind === 'PersistentVolumeClaim' && !input.plan.changes.some((c) => c.id === id && c.action === 'delete' && !c.blocked)) continue;
        emit({ type: 'step-start', id, kind: o.kind ?? '', action: 'prune' });
        await this.deleteAndWait(o, input.signal).catch((e: unknown) => {
          throw this.err(e, `prune ${key}`);
        });
        emit({ type: 'step-done', id, kind: o.kind ?? '', action: 'prune', ms: 0 });
      }
    }

    // 4. State: what was applied, with each resource's objects as berth's inventory.
    let next: State = input.state;
    const failedIds = new Set(failures.map((f) => f.id));
    for (const c of input.plan.changes) {
      if (failedIds.has(c.id)) continue;
      const objs = byResource.get(c.id) ?? [];
      if (c.action !== 'delete' && objs.some((o) => !done.has(keyOf(o)))) continue;
      const dep = objs.find((o) => o.kind === 'Deployment');
      next = recordChange(next, this.graph, c, specs.get(c.id), { outputs: { objects: objs.map(keyOf), ...(dep ? { applied: dep } : {}) } });
    }
    next = await input.store.write(input.lock, next);
    return { ok: failures.length === 0, failures, skipped: [], state: next };
  }

  private async deleteAndWait(o: KubeObject | Live, signal?: AbortSignal, timeoutMs = 60_000): Promise<void> {
    try {
      await this.api.delete(o as never, undefined, undefined, undefined, undefined, 'Foreground');
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw e;
    }
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && !signal?.aborted) {
      if ((await this.read(o as KubeObject)) === undefined) return;
      await sleep(250, signal);
    }
  }

  /** Waits for a Job's Complete condition; a Failed condition or its deadline fails the step. */
  private async awaitJob(o: KubeObject, id: string, emit: (e: DeployEvent) => void, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + ((((o['spec'] as { activeDeadlineSeconds?: number }).activeDeadlineSeconds ?? 600) + (this.opts.rolloutSlackSeconds ?? 30)) * 1000);
    let last = '';
    while (!signal.aborted) {
      const j = (await this.read(o)) as JobLike | undefined;
      const r = jobRollout(j ?? {});
      if (r.phase === 'complete') return;
      if (r.phase === 'failed') throw new BerthError('deploy.job-failed', `Job ${o.metadata.name} failed: ${r.message}`, { constructPath: this.graph.resources.find((x) => x.id === id)?.path ?? id });
      if (r.message !== last) emit({ type: 'step-progress', id, message: r.message });
      last = r.message;
      if (Date.now() > deadline) throw new BerthError('deploy.job-failed', `Job ${o.metadata.name} did not complete in time (${r.message})`, { hint: 'is a kubelet running the pods? kubectl describe job' });
      await sleep(500, signal);
    }
    throw new BerthError('deploy.interrupted', 'interrupted');
  }

  /** Waits for a rollout; returns the reason when it failed (controller verdict or berth's timeout). */
  private async awaitRollout(o: KubeObject, id: string, emit: (e: DeployEvent) => void, signal: AbortSignal): Promise<string | undefined> {
    const deadlineS = (o['spec'] as { progressDeadlineSeconds?: number }).progressDeadlineSeconds ?? 600;
    const end = Date.now() + (deadlineS + (this.opts.rolloutSlackSeconds ?? 30)) * 1000;
    let last = '';
    while (!signal.aborted) {
      const d = (await this.read(o)) as DeploymentLike | undefined;
      const r = deploymentRollout(d ?? {});
      if (r.phase === 'complete') return undefined;
      if (r.phase === 'failed') return r.message;
      if (r.message !== last) emit({ type: 'step-progress', id, message: r.message });
      last = r.message;
      if (Date.now() > end) return `no progress within ${deadlineS}s + ${this.opts.rolloutSlackSeconds ?? 30}s (${r.message})`;
      await sleep(500, signal);
    }
    return 'interrupted';
  }

  /** Re-applies the Deployment of the previous release, recorded in state; returns that release or undefined. */
  private async rollBack(id: string, state: State): Promise<string | undefined> {
    const prev = state.resources[id]?.outputs['applied'] as KubeObject | undefined;
    if (!prev) return undefined;
    await this.ssa(prev, { dryRun: false, force: true });
    return prev.metadata.annotations?.['berth.release'] ?? 'the previous release';
  }

  async destroy(opts: { readonly volumes: boolean | readonly string[] }): Promise<{ containers: number; networks: number; volumes: number; unreachable: [] }> {
    const owned = await this.listOwned();
    let objectsRemoved = 0;
    let volumes = 0;
    for (const o of owned.sort((a, b) => KINDS.findIndex((k) => k.kind === b.kind) - KINDS.findIndex((k) => k.kind === a.kind))) {
      const id = o.metadata.labels?.[LABEL_RESOURCE] ?? '';
      if (o.kind === 'PersistentVolumeClaim' && !(opts.volumes === true || (Array.isArray(opts.volumes) && opts.volumes.includes(id)))) continue;
      try {
        await this.deleteAndWait(o);
      } catch (e) {
        throw this.err(e, `delete ${keyOf(o)}`);
      }
      if (o.kind === 'PersistentVolumeClaim') volumes++;
      else objectsRemoved++;
    }
    // The namespace goes only when berth created it (it carries this cluster's labels) and
    // nothing of anybody else is left in it.
    const ns = await this.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace, labels: {} } });
    if (ns && ownNamespace(ns, this.graph.cluster) && !(await this.holdsOthers())) {
      await this.deleteAndWait(ns as KubeObject).catch((e: unknown) => {
        throw this.err(e, `delete namespace ${this.namespace}`);
      });
    }
    return { containers: objectsRemoved, networks: 0, volumes, unreachable: [] };
  }

  /** True when the namespace holds objects berth does not own (or claims it keeps). */
  private async holdsOthers(): Promise<boolean> {
    for (const k of KINDS.filter((x) => x.namespaced)) {
      const l = await this.api.list<Live>(k.apiVersion, k.kind, this.namespace);
      const others = l.items.filter((o) => {
        if (o.metadata.labels?.[LABEL_CLUSTER] === this.graph.cluster) return k.kind === 'PersistentVolumeClaim';
        // what the cluster itself puts in every namespace
        return !((o as { type?: string }).type === 'kubernetes.io/service-account-token' || o.metadata.name === 'kube-root-ca.crt');
      });
      if (others.length > 0) return true;
    }
    return false;
  }

  async status(graph: GraphJson): Promise<StatusRow[]> {
    const live = await this.listOwned();
    const rows: StatusRow[] = [];
    for (const r of graph.resources) {
      if (r.kind !== 'Deployment' && r.kind !== 'Job' && r.kind !== 'Service') continue;
      const o = live.find((x) => x.metadata.labels?.[LABEL_RESOURCE] === r.id && x.kind === r.kind);
      const release = o?.metadata.annotations?.['berth.release'] ?? '';
      if (!o) {
        rows.push({ id: r.id, kind: r.kind, ready: 'not deployed', health: '', nodes: '', ports: '', release: '', containers: [] });
        continue;
      }
      if (r.kind === 'Deployment') {
        const s = (o.status ?? {}) as { readyReplicas?: number };
        rows.push({ id: r.id, kind: r.kind, ready: `${s.readyReplicas ?? 0}/${r.props.replicas}`, health: deploymentRollout(o as DeploymentLike).message, nodes: '', ports: r.props.ports.map((p) => String(p.containerPort)).join(','), release, containers: [] });
      } else if (r.kind === 'Job') rows.push({ id: r.id, kind: r.kind, ready: jobRollout(o as JobLike).phase, health: jobRollout(o as JobLike).message, nodes: '', ports: '', release, containers: [] });
      else {
        const ports = ((o.spec as { ports?: Array<{ port: number; nodePort?: number }> }).ports ?? []).map((p) => (p.nodePort ? `${p.nodePort}→${p.port}` : String(p.port))).join(', ');
        rows.push({ id: r.id, kind: r.kind, ready: (o.spec as { type?: string }).type ?? 'ClusterIP', health: '', nodes: '', ports, release, containers: [] });
      }
    }
    return rows;
  }

  async logs(resourceId: string, opts: LogOptions): Promise<void> {
    if (opts.follow) throw new BerthError('cli.usage', 'logs -f is not supported on the kubernetes target yet', { hint: 'use berth logs without -f, or kubectl logs -f' });
    const pods = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `${LABEL_CLUSTER}=${this.graph.cluster},${LABEL_RESOURCE}=${resourceId}` }).catch((e: unknown) => {
      throw this.err(e, `list pods of ${resourceId}`);
    });
    const running = pods.items.filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
    if (running.length === 0) {
      throw new BerthError('driver.failed', `no pod of ${resourceId} has run yet (${pods.items.length} pending)`, { hint: 'kubectl describe pods shows why they are pending' });
    }
    for (const p of running) {
      const name = p.metadata?.name ?? '?';
      const text = await this.core.readNamespacedPodLog({ name, namespace: this.namespace, ...(opts.tail !== undefined ? { tailLines: opts.tail } : {}) }).catch((e: unknown) => {
        throw this.err(e, `logs of pod ${name}`);
      });
      for (const line of String(text).split('\n')) if (line !== '') opts.onLine(name, line);
    }
  }

  endpoints(_graph: GraphJson, _nodes: readonly NodeStatus[]): Array<{ service: string; url: string }> {
    return [];
  }

  async close(): Promise<void> {
    // client-node keeps no connection we own
  }
}

/** `Kind/name` of every object berth recorded as its own in state. */
function inventoryOf(state: State | undefined): Set<string> {
  const out = new Set<string>();
  for (const r of Object.values(state?.resources ?? {})) {
    const objs = r.outputs['objects'];
    if (Array.isArray(objs)) for (const k of objs) if (typeof k === 'string') out.add(k);
  }
  return out;
}

/** The graph id of an object (its berth.resource label is the id made label-safe). */
function idOfObject(graph: GraphJson, o: { metadata: { labels?: Readonly<Record<string, string>> } }): string {
  const v = o.metadata.labels?.[LABEL_RESOURCE] ?? '';
  return v === '' ? CLUSTER_OBJECTS : graphIdOf(graph, v);
}
function graphIdOf(graph: GraphJson, labelValue: string): string {
  return graph.resources.find((r) => r.id === labelValue)?.id ?? labelValue;
}

function desiredReplicas(o: Live): NonNullable<ObservedResource['replicas']> {
  const n = (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const hash = o.metadata.annotations?.[ANNOTATION_REPLICA] ?? o.metadata.annotations?.[ANNOTATION_SPEC] ?? '';
  // Kubernetes heals pods itself: the Deployment's desired count and pod spec are what berth
  // compares (a `kubectl scale` shows as replicas to add or remove).
  return Array.from({ length: n }, (_, ordinal) => ({ ordinal, node: 'kubernetes', containerId: `${o.metadata.name ?? ''}#${ordinal}`, specHash: hash, state: 'running' as const }));
}

/** Berth created the namespace (and so may delete it) when it carries this cluster's labels. */
function ownNamespace(ns: Live, cluster: string): boolean {
  return ns.metadata.labels?.[LABEL_CLUSTER] === cluster && ns.metadata.labels[LABEL_MANAGED_BY] === 'berth';
}

function immutableField(msg: string): string {
  const m = /(spec\.[A-Za-z.[\]0-9]+)[^:]*:.*immutable/i.exec(msg);
  return m?.[1] ?? 'a field';
}

function show(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}
