/**
 * Is a saved plan still the plan? `deploy --plan plan.json` applies exactly what `diff`
 * showed, so it must refuse when state, the program or the live system moved on since.
 */
import { basisOf } from './plan.ts';
import type { Plan, PlanInput } from './types.ts';

export interface StaleReason {
  readonly what: 'state' | 'lineage' | 'graph' | 'observed' | 'secrets' | 'nodes' | 'cluster' | 'version';
  readonly message: string;
}

/** Reasons the plan no longer holds; empty when it can be applied as saved. */
export function checkPlanBasis(plan: Plan, now: Pick<PlanInput, 'graph' | 'state' | 'observed' | 'secretVersions' | 'nodes' | 'drained'>): StaleReason[] {
  const out: StaleReason[] = [];
  const cur = basisOf(now);
  const was = plan.basis;
  if (plan.cluster !== now.graph.cluster) out.push({ what: 'cluster', message: `the plan is for cluster "${plan.cluster}", not "${now.graph.cluster}"` });
  if (was.stateLineage !== cur.stateLineage) {
    out.push({ what: 'lineage', message: `state lineage is ${cur.stateLineage ?? '(none)'}, the plan was made against ${was.stateLineage ?? '(no state)'}` });
  } else if (was.stateSerial !== cur.stateSerial) {
    out.push({ what: 'state', message: `state is at serial ${cur.stateSerial ?? '(none)'}, the plan was made at serial ${was.stateSerial ?? '(no state)'}: something was deployed since` });
  }
  if (was.graphHash !== cur.graphHash) out.push({ what: 'graph', message: 'the program changed since the plan was made' });
  // A plan made without observing cannot vouch for the live system, and need not: only compare when both observed.
  if (was.observedHash !== null && cur.observedHash !== null && was.observedHash !== cur.observedHash) {
    out.push({ what: 'observed', message: 'the live system changed since the plan was made' });
  }
  if (was.secretsHash !== null && cur.secretsHash !== null && was.secretsHash !== cur.secretsHash) {
    out.push({ what: 'secrets', message: 'a secret value changed since the plan was made' });
  }
  // The placement is part of the plan: it holds only while the nodes are as they were.
  const wasNodes = was.nodesHash ?? null;
  if (wasNodes !== null && cur.nodesHash !== null && wasNodes !== cur.nodesHash) {
    out.push({ what: 'nodes', message: 'the nodes changed since the plan was made (one was drained, went down, came back or changed labels or capacity)' });
  } else if (wasNodes === null && cur.nodesHash !== null && (now.nodes?.length ?? 0) > 1 && now.graph.resources.some((r) => r.kind === 'Deployment')) {
    out.push({ what: 'nodes', message: 'the plan was made without looking at the nodes (--no-observe), so it places no replica on this multi-host cluster' });
  }
  return out;
}
