/**
 * The Swarm target: Swarm schedules, heals and rolls; berth translates (translate.ts), applies
 * the plan in dependency order (journalled to state like the executor), waits for each service
 * to converge, and explains (a rollback's reason, tasks per node, hand-made drift).
 *
 *   observe ─▶ services/secrets/configs/networks labelled berth.cluster=<cluster> (+ tasks)
 *   apply   ─▶ per change: build once on the manager, ship to every declared node (save/load),
 *              create/update the Swarm object, wait for UpdateStatus + running healthy tasks
 *   destroy ─▶ everything labelled for the cluster (volumes on the nodes only when asked)
 *
 * The manager is the one endpoint berth needs; the declared `nodes` are reached directly only
 * to ship images (no registry) and to read a failed task's health output.
 */
import path from 'node:path';
import { BerthError, DriverError, type GraphJson, type ResourceJson } from '@berth/core';
import { runPlanSteps, type ExecuteResult } from '../../execute/executor.ts';
import { Journal } from '../../execute/journal.ts';
import { RolloutFailed } from '../../execute/rollout.ts';
import { sleep } from '../../execute/sleep.ts';
import { StateWriter } from '../../execute/state-writer.ts';
import type { Observed, ObservedReplica, ObservedResource } from '../../plan/observed.ts';
import { recordChange, type RecordOptions } from '../../plan/record.ts';
import { resolveSpecs } from '../../plan/spec-hash.ts';
import type { Change } from '../../plan/types.ts';
import type { State } from '../../state/schema.ts';
import { connect, type DockerClient } from '../docker/connect.ts';
import { buildImage, transferImages, tryImageId } from '../docker/images.ts';
import { LogDemuxer } from '../docker/logs.ts';
import { buildProxyImage } from '../docker/proxy.ts';
import type { DestroyResult, NodeStatus, VolumeChoice } from '../driver.ts';
import type { ApplyInput, LogOptions, StatusRow, Target, TargetObservation } from '../target.ts';
import { SwarmClient, type NodeInfo, type ServiceInfo, type TaskInfo } from './client.ts';
import {
  clusterNetworkName,
  LABEL_CLUSTER,
  LABEL_COMPONENT,
  LABEL_REPLICA,
  LABEL_RESOURCE,
  LABEL_SENT,
  LABEL_SPEC,
  objectName,
  swarmTranslator,
  type SwarmObject,
  type SwarmServiceSpec,
} from './translate.ts';
import { specView, viewDrift, viewHash } from './view.ts';

export interface SwarmTargetOptions {
  readonly cluster: string;
  readonly manager: string;
  /** Nodes reached directly (to ship images); matched to Swarm nodes by hostname. */
  readonly nodes: ReadonlyArray<{ readonly name: string; readonly endpoint: string }>;
  readonly proxyDir?: string;
  /** How often convergence is polled. @default 250 */
  readonly pollMs?: number;
}

const KIND_OF_COMPONENT: Record<string, ResourceJson['kind']> = { deployment: 'Deployment', job: 'Job', proxy: 'Service' };

/** A task that is up: running (and healthy, for a service with a health check: Swarm reports `running` only then). */
const isRunning = (t: TaskInfo): boolean => t.DesiredState === 'running' && t.Status.State === 'running';

export class SwarmTarget implements Target {
  readonly kind = 'swarm' as const;
  readonly swarm: SwarmClient;
  private readonly nodeClients = new Map<string, DockerClient>();
  private nodeCache: NodeInfo[] | undefined;
  private readonly pollMs: number;

  constructor(readonly options: SwarmTargetOptions) {
    this.swarm = new SwarmClient(connect(options.manager));
    for (const n of options.nodes) if (n.endpoint !== options.manager) this.nodeClients.set(n.name, connect(n.endpoint));
    this.pollMs = options.pollMs ?? 250;
  }

  private get cluster(): string {
    return this.options.cluster;
  }

  private async swarmNodes(fresh = false): Promise<NodeInfo[]> {
    if (fresh || !this.nodeCache) this.nodeCache = await this.swarm.nodes();
    return this.nodeCache;
  }

  private async hostnames(): Promise<Map<string, string>> {
    return new Map((await this.swarmNodes()).map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
  }

  // ------------------------------------------------------------------ observe

  async observe(): Promise<TargetObservation> {
    await this.swarm.info();
    const labels = { [LABEL_CLUSTER]: this.cluster };
    const [services, secrets, configs, networks, allNetworks, hostnames] = await Promise.all([
      this.swarm.services(labels),
      this.swarm.list('secrets', labels),
      this.swarm.list('configs', labels),
      this.swarm.networks(labels),
      this.swarm.allNetworks(),
      this.swarmNodes(true).then(() => this.hostnames()),
    ]);
    const netName = new Map(allNetworks.map((n) => [n.Id, n.Name]));
    const resources: Record<string, ObservedResource> = {};
    const tasks = await this.tasksOf(services.filter((s) => s.Spec.Labels[LABEL_COMPONENT] === 'deployment'));
    for (const s of services) {
      const id = s.Spec.Labels[LABEL_RESOURCE];
      const kind = KIND_OF_COMPONENT[s.Spec.Labels[LABEL_COMPONENT] ?? ''];
      if (id === undefined || kind === undefined) continue;
      const drift = handDrift(s, (x) => netName.get(x) ?? x);
      let replicas: ObservedReplica[] | undefined;
      if (kind === 'Deployment') {
        replicas = tasks
          .filter((t) => t.ServiceID === s.ID && isRunning(t))
          .sort((a, b) => (a.Slot ?? 0) - (b.Slot ?? 0) || (a.ID < b.ID ? -1 : 1))
          .map((t, i) => ({
            ordinal: i,
            node: hostnames.get(t.NodeID ?? '') ?? t.NodeID ?? '?',
            containerId: t.Status.ContainerStatus?.ContainerID ?? t.ID,
            specHash: t.Spec.ContainerSpec?.Labels?.[LABEL_SPEC] ?? '',
            state: 'running',
          }));
      }
      resources[id] = { kind, exists: true, ...(s.Spec.Labels[LABEL_SPEC] ? { specHash: s.Spec.Labels[LABEL_SPEC] } : {}), ...(replicas ? { replicas } : {}), ...(drift.length > 0 ? { drift } : {}) };
    }
    for (const [kind, list] of [['Secret', secrets], ['Config', configs]] as const) {
      const byId = new Map<string, string[]>();
      for (const o of list) {
        const id = o.Spec.Labels?.[LABEL_RESOURCE];
        if (id !== undefined) byId.set(id, [...(byId.get(id) ?? []), o.Spec.Labels?.[LABEL_SPEC] ?? '']);
      }
      // Versions left by a rotation are pruned after their consumers rolled; with several, none is "the" spec.
      for (const [id, hashes] of byId) resources[id] = { kind, exists: true, ...(hashes.length === 1 && hashes[0] ? { specHash: hashes[0] } : {}) };
    }
    for (const n of networks) {
      const id = n.Labels?.[LABEL_RESOURCE];
      if (id !== undefined) resources[id] = { kind: 'Network', exists: true, ...(n.Labels?.[LABEL_SPEC] ? { specHash: n.Labels[LABEL_SPEC] } : {}) };
    }
    const observed: Observed = { cluster: this.cluster, kinds: ['Deployment', 'Job', 'Service', 'Secret', 'Config', 'Network'], resources };
    // No `nodes`: Swarm schedules, so the plan holds no placement.
    return { observed };
  }

  private async tasksOf(services: readonly ServiceInfo[]): Promise<TaskInfo[]> {
    const all = await Promise.all(services.map((s) => this.swarm.tasks({ service: [s.ID], 'desired-state': ['running'] })));
    return all.flat();
  }

  // ------------------------------------------------------------------ apply

  async apply(input: ApplyInput): Promise<ExecuteResult> {
    const { graph, plan } = input;
    await this.swarm.info();
    const byId = new Map(graph.resources.map((r) => [r.id, r]));
    const resolved = resolveSpecs(graph, input.secretVersions, input.state);
    const writer = new StateWriter(input.store, input.lock, input.state);
    const journal = new Journal(writer, { release: input.release, planGraphHash: plan.basis.graphHash });
    const outputs = new Map<string, Record<string, unknown>>();
    for (const [id, r] of Object.entries(input.state.resources)) outputs.set(id, { ...r.outputs });
    const specHashes = new Map([...resolved].map(([id, s]) => [id, s.specHash]));
    const replicaHashes = new Map([...resolved].map(([id, s]) => [id, s.replicaHash]));
    const step: StepEnv = {
      graph,
      input,
      outputs,
      translate: (r) => {
        const objects = swarmTranslator.translate(graph, { outputs, secrets: input.secrets, specHashes, replicaHashes, release: input.release, ...(this.proxyImage ? { proxyImage: this.proxyImage } : {}) });
        const o = objects.get(r.id);
        if (!o) throw new BerthError('internal', `the Swarm translator made nothing for ${r.id}`);
        return o;
      },
    };

    await this.ensureClusterNetwork();
    const steps = plan.changes.filter((c) => c.action !== 'noop');
    const runStep = async (change: Change): Promise<void> => {
      const r = byId.get(change.id);
      const intent = { creates: [objectName(graph.cluster, change.id)], ...(change.specHash ? { specHash: change.specHash } : {}) };
      await journal.started(change, intent);
      let opts: RecordOptions = {};
      try {
        if (change.action === 'delete' || r === undefined) await this.deleteResource(change.id, change.kind);
        else opts = { outputs: await this.runResource(step, r, change) };
      } catch (e) {
        if (!input.signal.aborted) await journal.failed(change, intent, e instanceof Error ? e.message : String(e)).catch(() => undefined);
        throw e;
      }
      if (opts.outputs) outputs.set(change.id, { ...opts.outputs });
      await journal.done(change, (s: State) => recordChange(s, graph, change, resolved.get(change.id), opts));
    };
    const { ok, failures, skipped } = await runPlanSteps(input, steps, runStep);
    await writer.idle();
    // Secret and config versions no service uses any more (a rotation's old value) go now.
    if (!input.signal.aborted) await this.pruneVersions();
    return { ok, failures, skipped, state: writer.state };
  }

  private proxyImage: string | undefined;

  private async ensureClusterNetwork(): Promise<void> {
    const name = clusterNetworkName(this.cluster);
    const found = await this.swarm.networks({ [LABEL_CLUSTER]: this.cluster, [LABEL_COMPONENT]: 'cluster-network' });
    if (found.some((n) => n.Name === name)) return;
    await this.swarm.createNetwork(name, { [LABEL_CLUSTER]: this.cluster, [LABEL_COMPONENT]: 'cluster-network' }, false, 'cluster network');
  }

  /** The engines of the declared nodes that are not the manager: where images are shipped. */
  private shipTargets(): Array<[string, DockerClient]> {
    return [...this.nodeClients];
  }

  private async ship(ref: string, resourceId: string, signal: AbortSignal): Promise<void> {
    await Promise.all(
      this.shipTargets().map(async ([name, client]) => {
        try {
          await transferImages(this.swarm.client, client, [ref], signal);
        } catch (e) {
          throw new DriverError('driver.failed', `swarm: shipping ${ref} to node ${name} failed: ${e instanceof Error ? e.message : String(e)}`, { driver: 'swarm', resourceId, cause: e });
        }
      }),
    );
  }

  private async runResource(env: StepEnv, r: ResourceJson, change: Change): Promise<Record<string, unknown>> {
    const { input } = env;
    const progress = (message: string): void => input.emit({ type: 'step-progress', id: r.id, message });
    switch (r.kind) {
      case 'ImageBuild': {
        const built = await buildImage(this.swarm.client, {
          cluster: this.cluster,
          resource: r.id,
          contentHash: r.props.contentHash,
          context: path.resolve(input.appDir, r.props.context),
          dockerfile: r.props.dockerfile,
          buildArgs: r.props.buildArgs,
          ...(r.props.target !== undefined ? { target: r.props.target } : {}),
          onProgress: (line) => progress(line),
          signal: input.signal,
        });
        progress(`shipping ${built.tag} to ${this.shipTargets().length} node(s)`);
        // By tag: the id is what services run, the tag keeps the image from being pruned as dangling.
        await this.ship(built.tag, r.id, input.signal);
        return { image: built.imageId, tag: built.tag };
      }
      case 'Image': {
        const id = await tryImageId(this.swarm.client, r.props.name);
        if (id === undefined) {
          throw new DriverError('driver.failed', `swarm: image ${r.props.name} is not on the manager ${this.swarm.endpoint}`, {
            driver: 'swarm',
            resourceId: r.id,
            hint: `load it there (docker -H ${this.swarm.endpoint} load -i image.tar): berth ships it to the other nodes by save/load`,
          });
        }
        await this.ship(r.props.name, r.id, input.signal);
        return { image: id };
      }
      case 'Secret':
      case 'Config': {
        const o = env.translate(r);
        if (o.kind !== 'secret' && o.kind !== 'config') throw new BerthError('internal', `${r.id} did not translate to a ${r.kind}`);
        const kind = o.kind === 'secret' ? 'secrets' : 'configs';
        const existing = (await this.swarm.list(kind, { [LABEL_CLUSTER]: this.cluster, [LABEL_RESOURCE]: r.id })).find((x) => x.Spec.Name === o.name);
        const id = existing?.ID ?? (await this.swarm.create(kind, o.name, o.labels, o.data, r.id));
        return { swarmName: o.name, swarmId: id };
      }
      case 'Network': {
        const o = env.translate(r);
        if (o.kind !== 'network') throw new BerthError('internal', `${r.id} did not translate to a network`);
        const found = (await this.swarm.networks({ [LABEL_CLUSTER]: this.cluster, [LABEL_RESOURCE]: r.id })).find((n) => n.Name === o.name);
        if (found && (found.Labels?.[LABEL_SPEC] ?? '') !== o.labels[LABEL_SPEC]) {
          // A network's options cannot change in place: a new one (its services are updated after it).
          if (!(await this.retry(() => this.swarm.removeNetwork(found.Id), 30_000))) throw new DriverError('driver.failed', `swarm: network ${o.name} is still in use`, { driver: 'swarm', resourceId: r.id });
        } else if (found) return { name: o.name };
        await this.swarm.createNetwork(o.name, o.labels, o.internal, r.id);
        return { name: o.name };
      }
      case 'Volume': {
        const o = env.translate(r);
        if (o.kind !== 'volume') throw new BerthError('internal', `${r.id} did not translate to a volume`);
        // The node the volume lives on: kept once chosen; else the first ready node by name.
        const ready = (await this.swarmNodes(true)).filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active').map((n) => n.Description?.Hostname ?? '');
        const node = o.node !== undefined && ready.includes(o.node) ? o.node : (o.node ?? [...ready].sort()[0]);
        if (node === undefined) throw new DriverError('driver.failed', 'swarm: no ready node to make the volume on', { driver: 'swarm', resourceId: r.id });
        progress(`volume ${o.name} lives on node ${node}; its users run there`);
        return { name: o.name, node };
      }
      case 'Deployment':
      case 'Job':
      case 'Service': {
        if (r.kind === 'Service' && !this.proxyImage) {
          progress('berth proxy image: building on the manager and shipping it to the nodes');
          const built = await buildProxyImage(this.swarm.client, { ...(this.options.proxyDir ? { proxyDir: this.options.proxyDir } : {}), signal: input.signal });
          await this.ship(built.tag, r.id, input.signal);
          this.proxyImage = built.imageId;
        }
        const o = env.translate(r);
        if (o.kind !== 'service') throw new BerthError('internal', `${r.id} did not translate to a service`);
        const spec: SwarmServiceSpec = { ...o.spec, Labels: { ...o.spec.Labels, [LABEL_SENT]: viewHash(specView(o.spec)) } };
        return this.applyService(r, change, spec, o.role, progress, input.signal);
      }
    }
  }

  private async applyService(
    r: ResourceJson,
    change: Change,
    spec: SwarmServiceSpec,
    role: Extract<SwarmObject, { kind: 'service' }>['role'],
    progress: (m: string) => void,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    let existing = await this.swarm.service(spec.Name);
    if (existing && role === 'job') {
      // A Job runs again: a new replicated-job service (the old run's task history goes with the old one).
      await this.swarm.removeService(existing.ID);
      await this.retry(async () => (await this.swarm.service(spec.Name)) === undefined, 30_000);
      existing = undefined;
    }
    let id: string;
    let since = 0;
    if (existing) {
      id = existing.ID;
      since = existing.Version.Index;
      // A repair of a hand-edited service puts berth's spec back; a forced re-roll bumps ForceUpdate.
      const force = change.action === 'repair' && viewHash(specView(existing.Spec)) === spec.Labels[LABEL_SENT] ? (existing.Spec.TaskTemplate.ForceUpdate ?? 0) + 1 : (existing.Spec.TaskTemplate.ForceUpdate ?? 0);
      await this.swarm.updateService(id, existing.Version.Index, { ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: force } }, r.id);
    } else {
      id = await this.swarm.createService(spec, r.id);
    }
    if (role === 'job') return this.awaitJob(r, id, progress, signal);
    return this.awaitService(r, id, spec, role, since, progress, signal);
  }

  /** Waits until the update converged (UpdateStatus completed, every wanted task running the new spec); a rollback fails the step with its reason. */
  private async awaitService(
    r: ResourceJson,
    id: string,
    spec: SwarmServiceSpec,
    role: 'deployment' | 'proxy',
    since: number,
    progress: (m: string) => void,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const replicaHash = spec.TaskTemplate.ContainerSpec.Labels[LABEL_SPEC];
    const perReplica = r.kind === 'Deployment' ? r.props.update.progressDeadline : 60_000;
    const replicas = 'Replicated' in spec.Mode ? spec.Mode.Replicated.Replicas : undefined;
    const deadline = Date.now() + perReplica * Math.max(1, replicas ?? 1) + 30_000;
    let last = '';
    for (;;) {
      if (signal.aborted) throw new BerthError('deploy.interrupted', `interrupted while ${spec.Name} converged`);
      const [svc, tasks, nodes] = await Promise.all([this.swarm.service(id), this.swarm.tasks({ service: [id] }), this.swarmNodes(true)]);
      if (!svc) throw new DriverError('driver.failed', `swarm: service ${spec.Name} disappeared while it converged`, { driver: 'swarm', resourceId: r.id });
      const hostnames = new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
      // Tasks made from the service's spec as it is now (a repair keeps berth's labels, so labels cannot tell).
      const current = tasks.filter((t) => isRunning(t) && sameTaskSpec(t, svc));
      const want = replicas ?? nodes.filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active').length;
      const state = svc.UpdateStatus?.State;
      const perNode = new Map<string, number>();
      for (const t of current) perNode.set(hostnames.get(t.NodeID ?? '') ?? '?', (perNode.get(hostnames.get(t.NodeID ?? '') ?? '?') ?? 0) + 1);
      const where = [...perNode].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, k]) => `${n}: ${k}`).join(', ');
      const line = `${current.length}/${want} running${where ? ` (${where})` : ''}${state ? ` · ${state.replace('_', ' ')}` : ''}`;
      if (line !== last) progress((last = line));
      if (state === 'rollback_started' || state === 'rollback_completed' || state === 'rollback_paused' || state === 'paused') {
        const why = await this.failureOf(tasks, replicaHash, hostnames);
        if (state === 'rollback_started') await this.retry(async () => (await this.swarm.service(id))?.UpdateStatus?.State !== 'rollback_started', perReplica);
        throw new RolloutFailed(`Swarm ${state === 'paused' ? 'paused' : 'rolled back'} the update of ${spec.Name}: ${why.reason}`, [...(svc.UpdateStatus?.Message ? [`swarm: ${svc.UpdateStatus.Message}`] : []), ...why.detail], state !== 'paused');
      }
      const updated = state === undefined || state === 'completed' || svc.Version.Index <= since;
      if (updated && state !== 'updating' && current.length >= want && want > 0) {
        return { serviceId: id, tasks: current.length, nodes: [...perNode.keys()].sort() };
      }
      if (Date.now() > deadline) {
        const why = await this.failureOf(tasks, replicaHash, hostnames);
        throw new RolloutFailed(`${spec.Name} did not converge in time (${line}): ${why.reason}`, why.detail, false);
      }
      await sleep(this.pollMs, signal);
    }
  }

  /** Why new tasks failed: the task's error, and its container's last health check output when its node is reachable. */
  private async failureOf(tasks: readonly TaskInfo[], replicaHash: string | undefined, hostnames: ReadonlyMap<string, string>): Promise<{ reason: string; detail: string[] }> {
    const failed = tasks
      .filter((t) => (replicaHash === undefined || t.Spec.ContainerSpec?.Labels?.[LABEL_SPEC] === replicaHash) && ['failed', 'rejected', 'shutdown', 'complete'].includes(t.Status.State) && (t.Status.Err || t.Status.State !== 'shutdown'))
      .sort((a, b) => ((a.Status.Timestamp ?? '') < (b.Status.Timestamp ?? '') ? 1 : -1));
    const t = failed[0];
    if (!t) return { reason: 'no task of the new spec became ready', detail: [] };
    const node = hostnames.get(t.NodeID ?? '') ?? t.NodeID ?? '?';
    const detail: string[] = [`task ${t.ID.slice(0, 12)} on ${node}: ${t.Status.State}${t.Status.Err ? ` (${t.Status.Err})` : ''}`];
    const containerId = t.Status.ContainerStatus?.ContainerID;
    const engine = this.engineOf(node);
    if (containerId && engine) {
      try {
        const info = (await engine.docker.getContainer(containerId).inspect()) as { State?: { Health?: { Log?: Array<{ ExitCode: number; Output: string }> } } };
        const log = info.State?.Health?.Log ?? [];
        const lastProbe = log[log.length - 1];
        if (lastProbe) detail.push(`health check output (exit ${lastProbe.ExitCode}): ${lastProbe.Output.trim() || '(none)'}`);
      } catch {
        // the container is gone or the node does not answer: the task's error is what there is
      }
    }
    return { reason: t.Status.Err ?? t.Status.Message ?? t.Status.State, detail };
  }

  private engineOf(node: string): DockerClient | undefined {
    if (this.nodeClients.has(node)) return this.nodeClients.get(node);
    const declared = this.options.nodes.find((n) => n.name === node);
    return declared ? this.swarm.client : undefined;
  }

  /** A Job's run: its one task completes (exit 0) or fails; the step fails with the reason. */
  private async awaitJob(r: ResourceJson, id: string, progress: (m: string) => void, signal: AbortSignal): Promise<Record<string, unknown>> {
    const timeout = r.kind === 'Job' ? r.props.timeout : 600_000;
    const deadline = Date.now() + timeout + 30_000;
    let last = '';
    for (;;) {
      const tasks = await this.swarm.tasks({ service: [id] });
      const done = tasks.find((t) => t.Status.State === 'complete');
      if (done) return { serviceId: id, exitCode: 0 };
      const failed = tasks.filter((t) => ['failed', 'rejected'].includes(t.Status.State));
      const states = tasks.map((t) => t.Status.State).join(',') || 'pending';
      if (states !== last) progress((last = `job task: ${states}`));
      if (r.kind === 'Job' && failed.length > r.props.backoffLimit) {
        const hostnames = await this.hostnames();
        const why = await this.failureOf(failed, undefined, hostnames);
        const logs = await this.tailLogs(id, 20);
        throw new RolloutFailed(`job ${r.path} failed: ${why.reason}`, [...why.detail, ...logs.map((l) => `log | ${l}`)], false);
      }
      if (Date.now() > deadline) throw new RolloutFailed(`job ${r.path} did not finish within ${Math.round(timeout / 1000)}s (tasks: ${states})`, [], false);
      await sleep(this.pollMs, signal);
    }
  }

  private async tailLogs(serviceId: string, tail: number): Promise<string[]> {
    const lines: string[] = [];
    try {
      await this.readLogs(serviceId, { follow: false, tail, onLine: (_r, l) => lines.push(l) });
    } catch {
      // logs are a courtesy in an error message
    }
    return lines;
  }

  private async retry(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    for (;;) {
      if (await fn()) return true;
      if (Date.now() > end) return false;
      await sleep(250);
    }
  }

  private async deleteResource(id: string, kind: string): Promise<void> {
    const labels = { [LABEL_CLUSTER]: this.cluster, [LABEL_RESOURCE]: id };
    if (kind === 'Deployment' || kind === 'Job' || kind === 'Service') {
      for (const s of await this.swarm.services(labels)) await this.swarm.removeService(s.ID);
    } else if (kind === 'Secret' || kind === 'Config') {
      const k = kind === 'Secret' ? 'secrets' : 'configs';
      for (const o of await this.swarm.list(k, labels)) await this.retry(() => this.swarm.remove(k, o.ID), 30_000);
    } else if (kind === 'Network') {
      for (const n of await this.swarm.networks(labels)) await this.retry(() => this.swarm.removeNetwork(n.Id), 30_000);
    } else if (kind === 'Volume') {
      await this.removeVolumes([id]);
    }
  }

  /** Secret/config versions of the cluster that no service of it mounts. */
  private async pruneVersions(): Promise<void> {
    const labels = { [LABEL_CLUSTER]: this.cluster };
    const services = await this.swarm.services(labels);
    const used = new Set(services.flatMap((s) => [...(s.Spec.TaskTemplate.ContainerSpec.Secrets ?? []).map((x) => x.SecretName), ...(s.Spec.TaskTemplate.ContainerSpec.Configs ?? []).map((x) => x.ConfigName)]));
    for (const kind of ['secrets', 'configs'] as const) {
      const all = await this.swarm.list(kind, labels);
      const byResource = new Map<string, number>();
      for (const o of all) byResource.set(o.Spec.Labels?.[LABEL_RESOURCE] ?? '', (byResource.get(o.Spec.Labels?.[LABEL_RESOURCE] ?? '') ?? 0) + 1);
      for (const o of all) {
        // The only version of a resource stays (nothing mounts a new Secret yet); older ones go once unused.
        if (used.has(o.Spec.Name) || (byResource.get(o.Spec.Labels?.[LABEL_RESOURCE] ?? '') ?? 0) <= 1) continue;
        if (await this.swarm.remove(kind, o.ID)) byResource.set(o.Spec.Labels?.[LABEL_RESOURCE] ?? '', (byResource.get(o.Spec.Labels?.[LABEL_RESOURCE] ?? '') ?? 1) - 1);
      }
    }
  }

  // ------------------------------------------------------------------ destroy, status, logs

  async destroy(opts: { readonly volumes: VolumeChoice }): Promise<DestroyResult> {
    const labels = { [LABEL_CLUSTER]: this.cluster };
    const services = await this.swarm.services(labels);
    for (const s of services) await this.swarm.removeService(s.ID);
    // Swarm stops a removed service's running tasks itself, but (20.10) leaves the exited container
    // of a finished replicated-job behind: task containers of the cluster are removed on each node.
    await this.removeTaskContainers();
    // Tasks leave their networks a moment after their service is gone: removals below retry.
    for (const kind of ['secrets', 'configs'] as const) for (const o of await this.swarm.list(kind, labels)) await this.retry(() => this.swarm.remove(kind, o.ID), 30_000);
    const networks = await this.swarm.networks(labels);
    let removedNetworks = 0;
    for (const n of networks) if (await this.retry(() => this.swarm.removeNetwork(n.Id), 30_000)) removedNetworks++;
    // The manager removes a network once its last attachment left; destroy returns when it is gone.
    await this.retry(async () => (await this.swarm.networks(labels)).length === 0, 30_000);
    const volumes = opts.volumes === false ? { removed: 0, unreachable: [] } : await this.removeVolumes(opts.volumes === true ? undefined : opts.volumes);
    return { containers: services.length, networks: removedNetworks, volumes: volumes.removed, unreachable: volumes.unreachable };
  }

  /** The cluster's Swarm task containers (berth labels and a swarm task id) on every reachable engine, until none is left. */
  private async removeTaskContainers(): Promise<void> {
    const engines: DockerClient[] = [this.swarm.client, ...this.nodeClients.values()];
    const filters = JSON.stringify({ label: [`${LABEL_CLUSTER}=${this.cluster}`, 'com.docker.swarm.task.id'] });
    for (const engine of engines) {
      await this.retry(async () => {
        const left = await engine.docker.listContainers({ all: true, filters }).catch(() => undefined);
        // An unreachable node is destroy's volume pass to report; its containers go when it is back.
        if (left === undefined) return true;
        for (const c of left) await engine.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        return left.length === 0;
      }, 60_000);
    }
  }

  /** Volumes live on nodes: removed through each reachable node's engine (all of the cluster's, or these ids). */
  private async removeVolumes(ids: readonly string[] | undefined): Promise<{ removed: number; unreachable: Array<{ node: string; why: string }> }> {
    let removed = 0;
    const unreachable: Array<{ node: string; why: string }> = [];
    const engines: Array<[string, DockerClient]> = [['manager', this.swarm.client], ...this.nodeClients];
    for (const [node, engine] of engines) {
      try {
        const list = await engine.docker.listVolumes({ filters: JSON.stringify({ label: [`${LABEL_CLUSTER}=${this.cluster}`] }) });
        for (const v of list.Volumes ?? []) {
          if (ids && !ids.includes(v.Labels?.[LABEL_RESOURCE] ?? '')) continue;
          await this.retry(async () => engine.docker.getVolume(v.Name).remove().then(() => true, () => false), 15_000);
          removed++;
        }
      } catch (e) {
        unreachable.push({ node, why: e instanceof Error ? e.message : String(e) });
      }
    }
    return { removed, unreachable };
  }

  async status(graph: GraphJson): Promise<StatusRow[]> {
    const services = await this.swarm.services({ [LABEL_CLUSTER]: this.cluster });
    const swarmNodes = await this.swarmNodes(true);
    const hostnames = new Map(swarmNodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
    const perNode = new Map<string, number>();
    const byResource = new Map(services.map((s) => [s.Spec.Labels[LABEL_RESOURCE] ?? '', s]));
    const rows: StatusRow[] = [];
    for (const r of graph.resources) {
      if (r.kind !== 'Deployment' && r.kind !== 'Job' && r.kind !== 'Service') continue;
      const svc = byResource.get(r.id);
      const ports = r.kind === 'Service' ? r.props.ports.map((p) => (p.publish !== undefined ? `${p.publish}→${p.port}` : `${p.port}`)).join(', ') : r.props.ports.map((p) => String(p.containerPort)).join(',');
      if (!svc) {
        rows.push({ id: r.id, kind: r.kind, ready: 'not deployed', health: '', nodes: '', ports, release: '', containers: [] });
        continue;
      }
      const tasks = await this.swarm.tasks({ service: [svc.ID] });
      const live = tasks.filter((t) => t.DesiredState === 'running' || (r.kind === 'Job' && t.DesiredState === 'complete'));
      const running = live.filter(isRunning);
      for (const t of running) perNode.set(t.NodeID ?? '', (perNode.get(t.NodeID ?? '') ?? 0) + 1);
      const want = 'Replicated' in svc.Spec.Mode ? svc.Spec.Mode.Replicated.Replicas : r.kind === 'Job' ? 1 : swarmNodes.filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active').length;
      const health = r.kind !== 'Service' && svc.Spec.TaskTemplate.ContainerSpec.Healthcheck ? (running.length === live.length ? 'healthy' : 'starting') : 'none';
      const update = svc.UpdateStatus?.State;
      rows.push({
        id: r.id,
        kind: r.kind,
        ready: r.kind === 'Job' ? (tasks.find((t) => t.Status.State === 'complete') ? 'complete' : (tasks[0]?.Status.State ?? 'not run')) : `${running.length}/${want}${update && update !== 'completed' ? ` (${update.replace('_', ' ')})` : ''}`,
        health,
        nodes: [...new Set(running.map((t) => hostnames.get(t.NodeID ?? '') ?? '?'))].sort().join(','),
        ports,
        release: svc.Spec.Labels['berth.release'] ?? '',
        containers: live
          .sort((a, b) => (a.Slot ?? 0) - (b.Slot ?? 0))
          .map((t) => ({
            name: `${svc.Spec.Name}.${t.Slot ?? hostnames.get(t.NodeID ?? '') ?? t.ID.slice(0, 6)}`,
            state: `${t.Status.State}${t.Status.Err ? `: ${t.Status.Err}` : ''}`,
            health: isRunning(t) ? (svc.Spec.TaskTemplate.ContainerSpec.Healthcheck ? 'healthy' : 'none') : t.Status.State === 'starting' ? 'starting' : 'none',
            node: hostnames.get(t.NodeID ?? '') ?? '?',
            spec: (t.Spec.ContainerSpec?.Labels?.[LABEL_SPEC] ?? '').replace(/^[^:]*:/, '').slice(0, 12),
          })),
      });
    }
    // The nodes as Swarm sees them, with the cluster's running tasks on each: a dead node shows here.
    for (const n of [...swarmNodes].sort((a, b) => ((a.Description?.Hostname ?? '') < (b.Description?.Hostname ?? '') ? -1 : 1))) {
      const tasks = perNode.get(n.ID) ?? 0;
      rows.push({
        id: n.Description?.Hostname ?? n.ID,
        kind: 'Node',
        ready: n.Status?.State ?? 'unknown',
        health: n.Spec?.Availability ?? '',
        nodes: `${n.Spec?.Role ?? ''}${n.ManagerStatus?.Leader ? ' (leader)' : ''}, ${tasks} task${tasks === 1 ? '' : 's'}`,
        ports: n.Status?.Addr ?? '',
        release: '',
        containers: [],
      });
    }
    return rows;
  }

  async logs(resourceId: string, opts: LogOptions): Promise<void> {
    const svc = await this.swarm.service(objectName(this.cluster, resourceId));
    if (!svc) throw new DriverError('driver.failed', `swarm: ${resourceId} has no service on ${this.swarm.endpoint}`, { driver: 'swarm', resourceId, hint: 'deploy it first (berth deploy)' });
    await this.readLogs(svc.ID, opts);
  }

  private async readLogs(serviceId: string, opts: Pick<LogOptions, 'follow' | 'tail' | 'onLine' | 'signal'>): Promise<void> {
    const hostnames = await this.hostnames();
    const tasks = await this.swarm.tasks({ service: [serviceId] });
    const taskName = new Map(tasks.map((t) => [t.ID, `${t.Slot !== undefined ? `${t.Slot}@` : ''}${hostnames.get(t.NodeID ?? '') ?? '?'}`]));
    const stream = (await this.swarm.client.docker.getService(serviceId).logs({
      stdout: true,
      stderr: true,
      follow: opts.follow,
      details: true,
      ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
      ...(opts.signal ? { abortSignal: opts.signal } : {}),
    } as never)) as unknown as NodeJS.ReadableStream | Buffer;
    await new Promise<void>((resolve, reject) => {
      const demux = new LogDemuxer((l) => {
        // details=true: "com.docker.swarm.node.id=…,com.docker.swarm.service.id=…,com.docker.swarm.task.id=… text"
        const m = /^(\S*com\.docker\.swarm\.\S*) (.*)$/.exec(l.text);
        const task = m ? /com\.docker\.swarm\.task\.id=([^,\s]+)/.exec(m[1] ?? '')?.[1] : undefined;
        opts.onLine(task ? (taskName.get(task) ?? task.slice(0, 12)) : '?', m ? (m[2] ?? '') : l.text);
      });
      // Without follow the engine's whole answer comes back as one buffer.
      if (Buffer.isBuffer(stream)) {
        demux.push(stream);
        demux.end();
        resolve();
        return;
      }
      stream.on('data', (c: Buffer) => demux.push(c));
      stream.on('end', () => (demux.end(), resolve()));
      stream.on('close', () => (demux.end(), resolve()));
      stream.on('error', (e) => (opts.signal?.aborted ? resolve() : reject(e)));
      opts.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  endpoints(graph: GraphJson, _nodes: readonly NodeStatus[]): Array<{ service: string; url: string }> {
    // The proxy is global with host-mode ports: every ready node answers.
    const addresses = (this.nodeCache ?? []).filter((n) => n.Status?.State === 'ready').map((n) => n.Status?.Addr ?? '').filter((a) => a !== '' && a !== '0.0.0.0');
    const urls: Array<{ service: string; url: string }> = [];
    for (const r of graph.resources) {
      if (r.kind !== 'Service') continue;
      for (const p of r.props.ports) if (p.publish !== undefined) for (const a of addresses) urls.push({ service: r.props.name ?? r.id, url: `http://${a}:${p.publish}/` });
    }
    return urls;
  }

  async close(): Promise<void> {
    // dockerode holds no connection open between calls.
  }
}

/** Key-sorted JSON, so the same spec from the same manager compares equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A task made from the service's current task template (its container spec and force-update counter). */
function sameTaskSpec(t: TaskInfo, svc: ServiceInfo): boolean {
  return canonical(t.Spec.ContainerSpec ?? {}) === canonical(svc.Spec.TaskTemplate.ContainerSpec) && (t.Spec.ForceUpdate ?? 0) === (svc.Spec.TaskTemplate.ForceUpdate ?? 0);
}

interface StepEnv {
  readonly graph: GraphJson;
  readonly input: ApplyInput;
  readonly outputs: Map<string, Record<string, unknown>>;
  readonly translate: (r: ResourceJson) => SwarmObject;
}

/**
 * A service's spec edited outside berth: its view no longer hashes to the `berth.sent` label.
 * Property by property when the spec before the edit is berth's (one edit since berth's
 * update, as Swarm keeps one previous spec); otherwise as one item.
 */
export function handDrift(s: Pick<ServiceInfo, 'Spec' | 'PreviousSpec'>, networkName: (id: string) => string): Array<{ what: string; expected: string; observed: string }> {
  const sent = s.Spec.Labels[LABEL_SENT];
  if (sent === undefined) return [];
  const live = specView(s.Spec, networkName);
  if (viewHash(live) === sent) return [];
  if (s.PreviousSpec && s.PreviousSpec.Labels?.[LABEL_SENT] === sent) {
    const before = specView(s.PreviousSpec, networkName);
    if (viewHash(before) === sent) return viewDrift(before, live).map((d) => ({ ...d, what: `service ${d.what} (changed outside berth)` }));
  }
  return [{ what: 'service spec', expected: 'as berth sent it', observed: 'changed outside berth' }];
}

export { LABEL_REPLICA };
