/**
 * A Cluster spanning several Docker hosts: one DockerDriver per node behind the same Driver
 * interface. It routes each replica to the node the scheduler chose, ships images built once
 * to the nodes that need them (no registry: save/load), runs a Service proxy on every
 * reachable node (so a published Service answers on each of them), and treats a node whose
 * engine does not answer as unreachable rather than failing the whole cluster.
 */
import { hostPortHolders } from './host-ports.ts';
import { DriverError, type ImageBuildSpec } from '@berth/core';
import type { DestroyResult, Driver, NodeStatus, JobOutcome, Readiness, Replica, RunSpec, ServiceOutputs, ServiceRunSpec, VolumeChoice } from '../driver.ts';
import type { Observed, ObservedResource } from '../../plan/observed.ts';
import { tryPing } from './connect.ts';
import { DockerDriver } from './driver.ts';
import { transferImages, tryImageId } from './images.ts';
import { listVolumes, volumeName } from './volumes.ts';
import { listContainers } from './containers.ts';
import { LABEL_CLUSTER, LABEL_COMPONENT, LABEL_RESOURCE, LABEL_SPEC } from './labels.ts';

export interface DockerNode {
  readonly name: string;
  readonly endpoint: string;
  /** Where other nodes and clients reach this node. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Overrides what the engine's /info reports. */
  readonly capacity?: { readonly cpu: number; readonly memory: number };
}

export class DockerClusterDriver implements Driver {
  readonly name = 'docker';
  private readonly drivers = new Map<string, DockerDriver>();
  private readonly nodes: readonly DockerNode[];
  private reachable = new Set<string>();
  private checked: Promise<void> | undefined;
  /** Which node holds each image id built or resolved in this run (the source for transfers). */
  private readonly imageHome = new Map<string, string>();

  constructor(
    private readonly cluster: string,
    nodes: readonly DockerNode[],
    proxyDir?: string,
  ) {
    this.nodes = nodes;
    for (const n of nodes) {
      this.drivers.set(n.name, new DockerDriver({ cluster, endpoint: n.endpoint, node: n.name, address: n.address, publishReplicaPorts: true, ...(proxyDir ? { proxyDir } : {}) }));
    }
  }

  /** Pings every node once per driver; concurrent callers (observe and nodeStatus) share the answer. */
  private checkReachable(): Promise<void> {
    this.checked ??= (async () => {
      const results = await Promise.all(this.nodes.map(async (n) => [n.name, await tryPing(this.node(n.name).client, 3000)] as const));
      this.reachable = new Set(results.filter(([, err]) => err === undefined).map(([name]) => name));
      this.unreachableWhy = new Map(results.flatMap(([name, err]) => (err === undefined ? [] : [[name, err] as const])));
    })();
    return this.checked;
  }
  private unreachableWhy = new Map<string, string>();

  private node(name: string): DockerDriver {
    const d = this.drivers.get(name);
    if (!d) throw new DriverError('driver.failed', `no node "${name}" in the cluster's target`, { driver: 'docker' });
    return d;
  }

  private live(): DockerDriver[] {
    return this.nodes.filter((n) => this.reachable.has(n.name)).map((n) => this.node(n.name));
  }

  /** The first reachable node: where images are built before being shipped to the others. */
  private builder(): DockerDriver {
    const d = this.live()[0];
    if (!d) {
      throw new DriverError('driver.unreachable', `no node of cluster ${this.cluster} answers: ${[...this.unreachableWhy].map(([n, e]) => `${n}: ${e}`).join('; ')}`, {
        driver: 'docker',
        hint: 'start the Docker engines or fix the endpoints in the Cluster target',
      });
    }
    return d;
  }

  async nodeStatus(): Promise<NodeStatus[]> {
    await this.checkReachable();
    return Promise.all(
      this.nodes.map(async (n): Promise<NodeStatus> => {
        const up = this.reachable.has(n.name);
        const d = this.node(n.name);
        const [capacity, volumes, hostPorts] = await Promise.all([
          n.capacity ?? (up ? d.capacity().catch(() => ({ cpu: 0, memory: 0 })) : { cpu: 0, memory: 0 }),
          up ? listVolumes(d.client, { [LABEL_CLUSTER]: this.cluster }).then((vs) => vs.map((v) => v.labels['berth.resource'] ?? v.name), () => []) : [],
          up ? hostPortHolders(d.client).catch(() => []) : [],
        ]);
        const why = this.unreachableWhy.get(n.name);
        return { name: n.name, labels: n.labels, capacity, reachable: up, volumes, hostPorts, ...(why ? { error: why } : {}) };
      }),
    );
  }

  async observe(signal?: AbortSignal): Promise<Observed> {
    await this.checkReachable();
    const parts = await Promise.all(this.live().map((d) => d.observe()));
    const resources: Record<string, ObservedResource> = {};
    for (const p of parts) {
      for (const [id, r] of Object.entries(p.resources)) {
        const prev = resources[id];
        resources[id] = prev ? { ...prev, replicas: [...(prev.replicas ?? []), ...(r.replicas ?? [])] } : r;
      }
    }
    // A Service is one proxy per reachable node: it exists only when every one of them runs (a
    // node that was unreachable comes back with its proxy stopped, or never had one), so the
    // plan repairs it and the deploy brings the missing proxies up.
    const proxies = await Promise.all(this.live().map((d) => listContainers(d.client, { [LABEL_CLUSTER]: this.cluster, [LABEL_COMPONENT]: 'proxy' }, { all: true })));
    const services = new Set(proxies.flat().flatMap((c) => (c.labels[LABEL_RESOURCE] ? [c.labels[LABEL_RESOURCE]] : [])));
    for (const id of services) {
      const perNode = proxies.map((list) => list.find((c) => c.labels[LABEL_RESOURCE] === id && c.state === 'running'));
      const specs = new Set(proxies.flat().filter((c) => c.labels[LABEL_RESOURCE] === id).map((c) => c.labels[LABEL_SPEC] ?? ''));
      const spec = specs.size === 1 ? [...specs][0] : undefined;
      resources[id] = { kind: 'Service', exists: perNode.every((c) => c !== undefined), ...(spec ? { specHash: spec } : { specHash: 'mixed' }) };
    }
    void signal;
    return { cluster: this.cluster, kinds: ['Deployment', 'Service'], resources };
  }

  async prepare(signal?: AbortSignal): Promise<void> {
    await this.checkReachable();
    this.builder();
    void signal;
    await Promise.all(this.live().map((d) => d.prepare()));
  }

  async buildImage(id: string, props: ImageBuildSpec, appDir: string, onLog: (line: string) => void, signal?: AbortSignal): Promise<{ image: string; cached: boolean }> {
    const b = this.builder();
    const r = await b.buildImage(id, props, appDir, onLog, signal);
    this.imageHome.set(r.image, b.nodeName);
    return r;
  }

  async resolveImage(id: string, name: string): Promise<{ image: string }> {
    // Any node that has it can be the source; the image is shipped to the others on demand.
    let last: unknown;
    for (const d of this.live()) {
      try {
        const r = await d.resolveImage(id, name);
        this.imageHome.set(r.image, d.nodeName);
        return r;
      } catch (e) {
        last = e;
      }
    }
    throw last instanceof Error ? last : new DriverError('driver.failed', `image "${name}" is on no node`, { driver: 'docker', resourceId: id });
  }

  async ensureVolume(id: string, props: { driver: string; options: Readonly<Record<string, string>> }, name?: string): Promise<{ name: string }> {
    // Volumes are node-local: each is created on the node of the replica that mounts it
    // (startReplica), which the scheduler keeps where the volume already is.
    void props;
    return { name: name ?? volumeName(this.cluster, id) };
  }

  async removeVolume(id: string): Promise<void> {
    await Promise.all(this.live().map((d) => d.removeVolume(id).catch(() => undefined)));
  }

  async ensureNetwork(id: string, props: { internal: boolean }): Promise<{ name: string }> {
    const rs = await Promise.all(this.live().map((d) => d.ensureNetwork(id, props)));
    return rs[0] ?? { name: id };
  }

  async removeNetwork(id: string): Promise<void> {
    await Promise.all(this.live().map((d) => d.removeNetwork(id).catch(() => undefined)));
  }

  async listReplicas(resourceId: string, opts: { readonly addresses?: boolean } = {}): Promise<Replica[]> {
    await this.checkReachable();
    const lists = await Promise.all(this.live().map((d) => d.listReplicas(resourceId, opts)));
    return lists.flat().sort((a, b) => a.ordinal - b.ordinal || (a.name < b.name ? -1 : 1));
  }

  /**
   * Puts `image` on `to` unless it is there. Replicas start in parallel: the second replica for
   * the same node waits for the first one's transfer instead of saving and loading it again.
   */
  private shipImage(to: DockerDriver, image: string, signal?: AbortSignal): Promise<void> {
    const key = `${to.nodeName}\u0000${image}`;
    let p = this.shipping.get(key);
    if (!p) {
      p = this.transfer(to, image, signal);
      this.shipping.set(key, p);
      // A failed transfer is tried again by the next replica.
      p.catch(() => this.shipping.delete(key));
    }
    return p;
  }
  private readonly shipping = new Map<string, Promise<void>>();

  private async transfer(to: DockerDriver, image: string, signal?: AbortSignal): Promise<void> {
    if (await tryImageId(to.client, image)) return;
    // The source: where it was built or resolved in this run, else any reachable node that has it
    // (an image built by an earlier deploy may not be on the first node).
    const home = this.imageHome.get(image);
    let from: DockerDriver | undefined = home && this.reachable.has(home) ? this.node(home) : undefined;
    for (const d of from ? [] : this.live()) {
      if (d !== to && (await tryImageId(d.client, image))) {
        from = d;
        break;
      }
    }
    if (!from) {
      throw new DriverError('driver.failed', `image ${image} is on no reachable node, so it cannot be shipped to ${to.nodeName}`, {
        driver: 'docker',
        hint: 'the node that had it is down: deploy again once it is back, or change the ImageBuild so it is rebuilt',
      });
    }
    if (from === to) return;
    await transferImages(from.client, to.client, [image], signal);
  }

  async startReplica(spec: RunSpec, signal?: AbortSignal): Promise<Replica> {
    const d = this.node(spec.node ?? this.builder().nodeName);
    if (!this.reachable.has(d.nodeName)) {
      throw new DriverError('driver.unreachable', `node ${d.nodeName} does not answer`, { driver: 'docker', resourceId: spec.resourceId });
    }
    await this.shipImage(d, spec.image, signal);
    for (const m of spec.mounts) await d.ensureVolume(m.volumeId, { driver: 'local', options: {} }, m.volumeName);
    return d.startReplica(spec);
  }

  waitReady(replica: Replica, deadlineMs: number, signal?: AbortSignal): Promise<Readiness> {
    return this.node(replica.node).waitReady(replica, deadlineMs, signal);
  }
  /** Every node's proxies may front the replica (a Service has a proxy per node). */
  async drainReplica(replica: Replica, serviceIds: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const rs = await Promise.all(this.live().map((d) => d.drainReplica(replica, serviceIds, timeoutMs, signal).catch(() => false)));
    return rs.every(Boolean);
  }

  stopReplica(replica: Replica): Promise<void> {
    return this.node(replica.node).stopReplica(replica);
  }
  restartReplica(replica: Replica): Promise<Replica> {
    return this.node(replica.node).restartReplica(replica);
  }
  async removeReplica(replica: Replica): Promise<void> {
    // A replica on a dead node cannot be removed now; the node's engine removes nothing by
    // itself, so it is cleaned up by label when the node is back (destroy or the next deploy).
    if (!this.reachable.has(replica.node)) return;
    await this.node(replica.node).removeReplica(replica);
  }

  async runJob(spec: RunSpec, timeoutMs: number, signal?: AbortSignal): Promise<JobOutcome> {
    const d = spec.node ? this.node(spec.node) : this.builder();
    await this.shipImage(d, spec.image, signal);
    for (const m of spec.mounts) await d.ensureVolume(m.volumeId, { driver: 'local', options: {} }, m.volumeName);
    return d.runJob(spec, timeoutMs, signal);
  }

  async ensureService(spec: ServiceRunSpec, backends: readonly Replica[], signal?: AbortSignal): Promise<ServiceOutputs> {
    const outs = await Promise.all(this.live().map((d) => d.ensureService(spec, backends, signal)));
    return { proxyContainerId: outs.map((o) => o.proxyContainerId).join(','), backends: outs[0]?.backends ?? [] };
  }

  async setServiceBackends(resourceId: string, targetPorts: readonly number[], backends: readonly Replica[]): Promise<boolean> {
    const rs = await Promise.all(this.live().map((d) => d.setServiceBackends(resourceId, targetPorts, backends)));
    return rs.some(Boolean);
  }

  async removeService(resourceId: string): Promise<void> {
    await Promise.all(this.live().map((d) => d.removeService(resourceId)));
  }

  /** Every node's images: an image is built on one node and shipped to others, so each may hold it. */
  async listImages(): Promise<{ built: string[]; inUse: string[] }> {
    await this.checkReachable();
    const rs = await Promise.all(this.live().map((d) => d.listImages()));
    return { built: [...new Set(rs.flatMap((r) => r.built))], inUse: [...new Set(rs.flatMap((r) => r.inUse))] };
  }

  /** Removed where each node has it; an unreachable node keeps its copies until a later deploy. */
  async removeImages(ids: readonly string[]): Promise<string[]> {
    await this.checkReachable();
    const rs = await Promise.all(this.live().map((d) => d.removeImages(ids)));
    // Gone only where every live node removed (or never had) it.
    return ids.filter((id) => rs.every((r) => r.includes(id)));
  }

  /** Every node runs a proxy of each Service: the replica's errors are their sum. */
  async replicaErrors(replica: Replica, serviceIds: readonly string[]): Promise<number> {
    await this.checkReachable();
    const rs = await Promise.all(this.live().map((d) => d.replicaErrors(replica, serviceIds)));
    return rs.reduce((a, b) => a + b, 0);
  }

  async destroy(opts: { volumes: VolumeChoice }): Promise<DestroyResult> {
    await this.checkReachable();
    const rs = await Promise.all(this.live().map((d) => d.destroy(opts)));
    // In the target's order of nodes.
    const unreachable = [...this.unreachableWhy].map(([node, why]) => ({ node, why }));
    const sum = rs.reduce((a, b) => ({ containers: a.containers + b.containers, networks: a.networks + b.networks, volumes: a.volumes + b.volumes }), { containers: 0, networks: 0, volumes: 0 });
    return { ...sum, unreachable };
  }

  async logs(resourceId: string, opts: { follow: boolean; tail?: number; onLine: (replica: string, line: string) => void; signal?: AbortSignal }): Promise<void> {
    await this.checkReachable();
    await Promise.all(this.live().map((d) => d.logs(resourceId, opts)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.drivers.values()].map((d) => d.close()));
  }
}
