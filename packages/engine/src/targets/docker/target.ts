/**
 * The Docker target (one host or many): berth is the orchestrator. Its scheduler places
 * replicas (the plan carries where), its executor rolls them out health-gated through the
 * driver, and its proxy fronts Services. The driver (dockerode) is opened by the factory.
 */
import { dockerHostsOf, type GraphJson } from '@berth/core';
import { execute } from '../../execute/executor.ts';
import { isReadyNow } from '../../execute/rollout.ts';
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

  apply(input: ApplyInput): ReturnType<Target['apply']> {
    return execute({ ...input, driver: this.driver });
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
      const running = reps.filter(isReadyNow);
      rows.push({
        id: r.id,
        kind: r.kind,
        ready: r.kind === 'Job' ? jobState(reps[0]) : `${running.length}/${want}`,
        health: [...new Set(reps.map((x) => x.health))].join(','),
        nodes: [...new Set(reps.map((x) => x.node))].join(','),
        ports: r.props.ports.map((p) => String(p.containerPort)).join(','),
        release: [...new Set(reps.map((x) => x.release))].join(','),
        containers: reps.map((x) => ({ name: x.name, state: x.state, health: x.health, node: x.node, spec: x.specHash.slice(0, 12) })),
      });
    }
    return rows;
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
