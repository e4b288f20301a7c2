/**
 * The Docker target (one host or many): berth is the orchestrator. Its scheduler places
 * replicas (the plan carries where), its executor rolls them out health-gated through the
 * driver, and its proxy fronts Services. The driver (dockerode) is opened by the factory.
 */
import { dockerHostsOf, type GraphJson } from '@berth/core';
import { execute } from '../../execute/executor.ts';
import { retainImages } from '../../execute/retain-images.ts';
import { DRAIN_TIMEOUT_MS, isReadyNow } from '../../execute/rollout.ts';
import type { State } from '../../state/schema.ts';
import type { Driver, NodeStatus, Replica } from '../driver.ts';
import type { ApplyInput, LogOptions, StatusRow, Target, TargetObservation } from '../target.ts';

/** The address other nodes and clients reach a host at: its own, or else its endpoint's host. */
export function hostAddress(host: { readonly address?: string | undefined; readonly endpoint: string }): string {
  if (host.address !== undefined) return host.address;
  const m = /^(?:tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(host.endpoint);
  return m?.[1] ?? '127.0.0.1';
}

/** A Job's run as `status` shows it: how it ended, with its exit code. */
export function jobState(run: Replica | undefined): string {
  if (!run) return 'not run';
  if (run.state !== 'exited') return run.state;
  if (run.exitCode === undefined) return 'exited';
  return run.exitCode === 0 ? 'succeeded (exit 0)' : `failed (exit ${run.exitCode})`;
}

export class DockerTarget implements Target {
  readonly kind = 'docker' as const;

  /** `driver`: the engine(s) behind the target, one host or many. */
  constructor(readonly driver: Driver) {}

  async observe(signal?: AbortSignal): Promise<TargetObservation> {
    // Asked together: the node facts do not depend on what runs, and each answer is a wait.
    const nodes = this.driver.nodeStatus();
    nodes.catch(() => undefined);
    const observed = await this.driver.observe(signal);
    return { observed, nodes: await nodes };
  }

  async apply(input: ApplyInput): ReturnType<Target['apply']> {
    const { keepImages, ...rest } = input;
    const result = await execute({ ...rest, driver: this.driver });
    // Only after success: a failed deploy may be rolled back to what it replaced.
    if (!result.ok || keepImages === undefined) return result;
    const kept = await retainImages(this.driver, input.store, input.lock, result.state, keepImages);
    return kept ? { ...result, state: kept.state, images: { removed: kept.removed, kept: kept.kept } } : result;
  }

  destroy(opts: Parameters<Target['destroy']>[0]): ReturnType<Target['destroy']> {
    return this.driver.destroy({ volumes: opts.volumes });
  }

  async status(graph: GraphJson, state: State | undefined): Promise<StatusRow[]> {
    const driver = this.driver;
    const rows: StatusRow[] = [];
    const [listed, observed] = await Promise.all([
      Promise.all(graph.resources.filter((r) => r.kind === 'Deployment' || r.kind === 'Job').map(async (r) => [r.id, await driver.listReplicas(r.id, { addresses: false })] as const)).then((e) => new Map(e)),
      // A Service's health is its proxy as it runs now, not what state remembers.
      graph.resources.some((r) => r.kind === 'Service') ? driver.observe() : undefined,
    ]);
    for (const r of graph.resources) {
      if (r.kind !== 'Deployment' && r.kind !== 'Service' && r.kind !== 'Job') continue;
      if (r.kind === 'Service') {
        const pub = r.props.ports.map((p) => (p.publish !== undefined ? `${p.publish}→${p.port}` : `${p.port}`)).join(', ');
        const backends = (state?.resources[r.id]?.outputs['backends'] as string[] | undefined) ?? [];
        const proxy = observed?.resources[r.id];
        const health = proxy === undefined ? (state?.resources[r.id] ? 'proxy missing' : '') : proxy.exists ? 'proxy running' : 'proxy stopped';
        const ready = state?.resources[r.id] ? `${backends.length} backend${backends.length === 1 ? '' : 's'}` : 'not deployed';
        rows.push({ id: r.id, kind: 'Service', ready, health, nodes: '', ports: pub, release: '', containers: [] });
        continue;
      }
      const reps = listed.get(r.id) ?? [];
      const want = r.kind === 'Deployment' ? r.props.replicas : 1;
      // A held canary runs beside the replicas state records: counted apart.
      const canary = state?.resources[r.id]?.canary;
      const isCanary = (x: (typeof reps)[number]): boolean => canary !== undefined && x.specHash === canary.replicaHash;
      const running = reps.filter((x) => isReadyNow(x) && !isCanary(x));
      const canaryText = canary ? ` + canary ${reps.filter((x) => isReadyNow(x) && isCanary(x)).length}/${canary.replicas} of ${canary.release} (berth promote ${r.id} | berth abort ${r.id})` : '';
      rows.push({
        id: r.id,
        kind: r.kind,
        ready: r.kind === 'Job' ? jobState(reps[0]) : `${running.length}/${want}${canaryText}`,
        health: [...new Set(reps.map((x) => x.health))].join(','),
        nodes: [...new Set(reps.map((x) => x.node))].join(','),
        ports: r.props.ports.map((p) => String(p.containerPort)).join(','),
        release: [...new Set(reps.map((x) => x.release))].join(','),
        containers: reps.map((x) => ({ name: x.name, state: x.state, health: x.health, node: x.node, spec: x.specHash.slice(0, 12) })),
      });
    }
    return rows;
  }

  /**
   * Removes a held canary of Deployment `id` (its containers carry `replicaHash`): the Services
   * point at the other ready replicas first, the canary drains, then it stops and goes.
   * Returns how many canary containers were removed.
   */
  async abortCanary(id: string, replicaHash: string, services: ReadonlyArray<{ readonly id: string; readonly targetPorts: readonly number[] }>): Promise<number> {
    const reps = await this.driver.listReplicas(id);
    const canary = reps.filter((r) => r.specHash === replicaHash);
    const serving = reps.filter((r) => r.specHash !== replicaHash && isReadyNow(r));
    for (const s of services) await this.driver.setServiceBackends(s.id, s.targetPorts, serving);
    const ids = services.map((s) => s.id);
    if (this.driver.drainReplica && ids.length > 0) await Promise.all(canary.filter((r) => r.state === 'running').map((r) => this.driver.drainReplica?.(r, ids, DRAIN_TIMEOUT_MS).catch(() => false)));
    for (const r of canary) {
      if (r.state === 'running') await this.driver.stopReplica(r).catch(() => undefined);
      await this.driver.removeReplica(r);
    }
    return canary.length;
  }

  async missingImages(ids: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const id of ids) {
      try {
        await this.driver.resolveImage(id, id);
      } catch {
        out.push(id);
      }
    }
    return out;
  }

  logs(resourceId: string, opts: LogOptions): Promise<void> {
    return this.driver.logs(resourceId, opts);
  }

  endpoints(graph: GraphJson, nodes: readonly NodeStatus[]): Array<{ service: string; url: string }> {
    const hosts = dockerHostsOf(graph.target);
    // Several hosts: the Service's proxy publishes the port on every node, at the node's address.
    const down = new Set(nodes.filter((n) => !n.reachable).map((n) => n.name));
    const addresses = hosts.length > 0 ? hosts.filter((h) => !down.has(h.name)).map(hostAddress) : ['127.0.0.1'];
    const urls: Array<{ service: string; url: string }> = [];
    for (const r of graph.resources) {
      if (r.kind !== 'Service') continue;
      for (const p of r.props.ports) {
        if (p.publish === undefined) continue;
        for (const host of addresses) urls.push({ service: r.props.name ?? r.id, url: `http://${host}:${p.publish}/` });
      }
    }
    return urls;
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
