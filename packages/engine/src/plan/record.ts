/**
 * What state looks like once a change has been applied. The executor calls `recordChange`
 * after each step it journals; tests use `stateAfter` to check that planning again after
 * applying a plan finds nothing to do.
 */
import type { GraphJson } from '@berth/core';
import type { State, StateResource } from '../state/schema.ts';
import { resolveSpecs, UNKNOWN_SECRET_VERSION, type ResolvedSpec } from './spec-hash.ts';
import type { Change, Plan, PlanInput } from './types.ts';

export interface RecordOptions {
  /** What the runtime reported for the resource (image id, container ids…); kept from before when absent. */
  readonly outputs?: Readonly<Record<string, unknown>>;
  /** Where its replicas now run; kept from before when absent. */
  readonly placements?: readonly { readonly ordinal: number; readonly node: string }[];
}

/**
 * State after `change` was applied. `spec` is the change's entry from `resolveSpecs` — computed
 * with the secret versions actually deployed, so a secret `diff` could not read is recorded
 * with its real version. Blocked and no-op changes leave state as it is (for a no-op, nothing
 * was done; recording would only churn the serial). Returns a new object; `state` is not changed.
 */
export function recordChange(state: State, graph: GraphJson, change: Change, spec: ResolvedSpec | undefined, options: RecordOptions = {}): State {
  if (change.blocked || change.action === 'noop') return state;
  const resources = { ...state.resources };
  if (change.action === 'delete') {
    delete resources[change.id];
    return { ...state, resources };
  }
  const r = graph.resources.find((x) => x.id === change.id);
  if (!r || !spec) return state;
  const prior: StateResource | undefined = resources[change.movedFrom ?? change.id];
  if (change.movedFrom !== undefined) delete resources[change.movedFrom];
  const secretVersions: Record<string, string> = {};
  // An unknown version is not recorded: the next plan with the value readable then compares
  // against nothing and does not invent a change.
  for (const [k, v] of Object.entries(spec.secretVersions)) if (v !== UNKNOWN_SECRET_VERSION) secretVersions[k] = v;
  const placements = options.placements ?? prior?.placements;
  resources[change.id] = {
    kind: r.kind,
    path: r.path,
    specHash: spec.specHash,
    ...(spec.replicaHash !== spec.specHash ? { replicaHash: spec.replicaHash } : {}),
    props: r.props as Record<string, unknown>,
    inputs: { ...spec.inputs },
    dependsOn: [...r.dependsOn],
    outputs: { ...(prior?.outputs ?? {}), ...(options.outputs ?? {}) },
    ...(placements ? { placements: placements.map((p) => ({ ordinal: p.ordinal, node: p.node })) } : {}),
    ...(Object.keys(secretVersions).length > 0 ? { secretVersions } : {}),
  };
  return { ...state, resources };
}

/** State after every change of `plan` was applied (serial and lineage unchanged: the store bumps the serial). */
export function stateAfter(input: PlanInput, plan: Plan, base: State): State {
  const specs = resolveSpecs(input.graph, input.secretVersions, input.state);
  let s = base;
  for (const c of plan.changes) s = recordChange(s, input.graph, c, specs.get(c.id));
  return s;
}
