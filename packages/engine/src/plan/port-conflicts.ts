/**
 * Host ports a Service publishes that someone else already holds: found when planning, so `diff`
 * shows them and `deploy` refuses before anything changes — instead of Docker's bare "address
 * already in use" from the proxy's start, after other resources were already changed.
 *
 * Pure: the driver reports who holds which port on each node (`PlanNodeFacts.hostPorts`), this
 * decides which of them conflict. This cluster's own containers never do: its proxy holding
 * its own port is the normal case, and a port moving between its own Services is handled in
 * order by the executor.
 */
import type { GraphJson } from '@berth/core';
import type { HostPortHolder, HostPortOwner, PlanIssue, PlanNodeFacts } from './types.ts';

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** Two binds of one port clash when they share an address or either takes every address. */
function overlaps(a: string, b: string): boolean {
  return a === b || WILDCARD.has(a) || WILDCARD.has(b);
}

export function ownerText(o: HostPortOwner): string {
  switch (o.kind) {
    case 'berth':
      return `berth cluster "${o.cluster}" (${o.resource}, container ${o.container})`;
    case 'container':
      return `container ${o.container} (image ${o.image})`;
    case 'process':
      return o.pid !== undefined ? `process ${o.pid}${o.command ? ` (${o.command})` : ''}` : 'a process on the host (its owner is not visible from here)';
  }
}

function hintFor(o: HostPortOwner, service: string): string {
  const elsewhere = `or publish Service ${service} on another port (ports: [{ …, publish: <free port> }])`;
  switch (o.kind) {
    case 'berth':
      return `destroy or change that cluster (berth destroy in its directory), ${elsewhere}`;
    case 'container':
      return `stop it (docker stop ${o.container}), ${elsewhere}`;
    case 'process':
      return `stop ${o.pid !== undefined ? `process ${o.pid}` : 'the process holding it'}, ${elsewhere}`;
  }
}

/** One error issue per published Service port held on a reachable node by anyone else. */
export function portConflicts(graph: GraphJson, nodes: readonly PlanNodeFacts[] | undefined): PlanIssue[] {
  if (!nodes) return [];
  const issues: PlanIssue[] = [];
  for (const r of graph.resources) {
    if (r.kind !== 'Service') continue;
    const service = r.props.name ?? r.id;
    for (const p of r.props.ports) {
      if (p.publish === undefined || p.publish === 0) continue;
      const address = p.hostIp ?? '0.0.0.0';
      // The proxy publishes the port on every node of the cluster.
      for (const n of nodes) {
        if (!n.reachable) continue;
        const held: HostPortHolder | undefined = (n.hostPorts ?? []).find(
          (h) => h.port === p.publish && h.protocol === 'tcp' && overlaps(h.address, address) && !(h.owner.kind === 'berth' && h.owner.cluster === graph.cluster),
        );
        if (!held) continue;
        const where = nodes.length > 1 ? ` on node ${n.name}` : '';
        issues.push({
          code: 'plan.port-conflict',
          severity: 'error',
          id: r.id,
          message: `Service ${r.id} publishes host port ${p.publish}${where}, but ${ownerText(held.owner)} already holds it (${held.address}:${held.port})`,
          hint: hintFor(held.owner, r.id),
        });
      }
    }
  }
  return issues;
}
