/**
 * Is a saved plan still the plan? `deploy --plan plan.json` applies exactly what `diff`
 * showed, so it must refuse when state, the program or the live system moved on since.
 */
import { basisOf } from './plan.ts';
import type { Plan, PlanInput } from './types.ts';

export interface StaleReason {
  readonly what: 'state' | 'lineage' | 'graph' | 'observed' | 'secrets' | 'cluster' | 'version';
  readonly message: string;
}

/** Reasons the plan no longer holds; empty when it can be applied as saved. */
export function checkPlanBasis(plan: Plan, now: Pick<PlanInput, 'graph' | 'state' | 'observed' | 'secretVersions'>): StaleReason[] {
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
  return out;
}
