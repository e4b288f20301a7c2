/**
 * The plan: the planner's output, `berth diff`'s content and `deploy --plan`'s input.
 * Serialised as-is to JSON (`planVersion`), so everything here is plain data.
 */
import type { GraphJson } from '@berth/core';
import type { State } from '../state/schema.ts';
import type { RejectionSummary, Rejection, Preemption, Move } from '../schedule/types.ts';
import type { Observed } from './observed.ts';

/** 2: the plan carries its placement (where each replica goes, what moves and why). */
export const PLAN_VERSION = 2;

/**
 * - create / delete: the resource is new / gone from the program.
 * - update: changed in place (scale, proxy reconfig, rewrite a config, rebuild an image).
 * - replace: new runtime objects replace the old (a rolling replace for Deployments, a re-run for Jobs).
 * - move: declared with `moved()`; same runtime objects under a new id.
 * - repair: the program and state agree but the live system drifted; put it back.
 * - noop: nothing to do.
 */
export const CHANGE_ACTIONS = ['create', 'update', 'replace', 'delete', 'move', 'repair', 'noop'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** One changed property: `env.LOG_LEVEL: "info" → "debug"`. */
export interface PropertyChange {
  /** Path inside props: `image`, `env.LOG_LEVEL`, `ports[0].containerPort`. */
  readonly path: string;
  /** Absent when the property is new or the value is sensitive. */
  readonly before?: unknown;
  /** Absent when the property was removed or the value is sensitive. */
  readonly after?: unknown;
  /** A secret: only the fact that it changed is shown, never a value or version. */
  readonly sensitive?: true;
  /** This property cannot change in place. */
  readonly forcesReplace?: true;
  /**
   * Set for a change that comes from something the property references (`api-image.image`):
   * the property's text is the same, what it resolves to changed.
   */
  readonly via?: string;
}

/** Live state that differs from recorded state. */
export interface DriftItem {
  /** What drifted: `resource`, `spec`, `replica 2`. */
  readonly what: string;
  readonly expected: string;
  readonly observed: string;
}

export interface Change {
  readonly id: string;
  readonly path: string;
  readonly kind: string;
  readonly action: ChangeAction;
  readonly propertyChanges: readonly PropertyChange[];
  /**
   * Why, as a chain: the first entry is the effect here, each following `because …` entry its
   * cause, each ending in the source line (`— cluster.ts:12`).
   */
  readonly reasons: readonly string[];
  /** Graph ids this change must wait for (for a delete: ids that must be deleted first). */
  readonly dependsOn: readonly string[];
  readonly source?: { readonly file: string; readonly line: number; readonly column: number };
  /** For a move (or a moved resource that also changed): its old id. */
  readonly movedFrom?: string;
  /** The spec hash after the change (absent for a delete); the `berth.spec` label to set. */
  readonly specHash?: string;
  /** The spec hash recorded in state before the change (absent for a create). */
  readonly priorSpecHash?: string;
  /** Drift found on the live system; with action `repair` when drift is the only change. */
  readonly drift?: readonly DriftItem[];
  /** Refused by a safety rule (see the plan's issues); deploy must not run a plan with blocked changes. */
  readonly blocked?: true;
}

export const PLAN_ISSUE_CODES = ['plan.protected', 'plan.secret-unknown', 'plan.port-conflict'] as const;
export type PlanIssueCode = (typeof PLAN_ISSUE_CODES)[number];

/** Something the user should know; `error` issues make the plan undeployable. */
export interface PlanIssue {
  readonly code: PlanIssueCode;
  readonly severity: 'error' | 'warning';
  readonly id: string;
  readonly message: string;
  readonly hint?: string;
}

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly move: number;
  readonly repair: number;
  readonly noop: number;
  readonly blocked: number;
}

/** What the plan was computed from; `deploy --plan` refuses a plan whose basis no longer holds. */
export interface PlanBasis {
  readonly stateSerial: number | null;
  readonly stateLineage: string | null;
  /** sha256 of the graph's JSON as synthesized (synth is deterministic). */
  readonly graphHash: string;
  /** sha256 of the drift-relevant part of the observation; null when nothing was observed. */
  readonly observedHash: string | null;
  /** sha256 over the secret versions the plan used (never the versions themselves). */
  readonly secretsHash: string | null;
  /** sha256 of the node facts the placement was made from (drain set applied); null without nodes. */
  readonly nodesHash: string | null;
}

/** A node as the plan saw it. */
export interface PlanNode {
  readonly name: string;
  readonly reachable: boolean;
  readonly draining: boolean;
  /** Why it is unreachable (the engine's error), when it is. */
  readonly error?: string;
}

/** A replica that leaves a node, and why (`node n3 is draining`): the scheduler's move as it is. */
export type PlanMove = Move;

/** Replicas of one Deployment no node could take, and each node's reason. */
export interface PlanUnplaced {
  readonly groupId: string;
  readonly ordinals: readonly number[];
  readonly rejected: readonly Rejection[];
  readonly summary: readonly RejectionSummary[];
}

/**
 * A replica found on a node its ordinal is no longer placed on, and not moving from there now:
 * what a node that was unreachable still had when it came back. Its Deployment's rollout removes it.
 */
export interface PlanLeftover {
  readonly groupId: string;
  readonly ordinal: number;
  readonly node: string;
  readonly state: string;
  readonly placedOn: string | null;
}

/** Where the replicas go: the scheduler's answer, as plain data the executor carries out. */
export interface PlanPlacement {
  readonly nodes: readonly PlanNode[];
  /** Node per ordinal, by Deployment id; null where a replica could not be placed. */
  readonly replicas: Readonly<Record<string, ReadonlyArray<string | null>>>;
  readonly moves: readonly PlanMove[];
  readonly unplaced: readonly PlanUnplaced[];
  readonly leftovers: readonly PlanLeftover[];
  readonly preemptions: readonly Preemption[];
  /** Some replica cannot be placed: deploy stops unless partial placement is allowed. */
  readonly incomplete: boolean;
}

export interface Plan {
  readonly planVersion: typeof PLAN_VERSION;
  readonly cluster: string;
  /** Every resource once, in execution order: creates and updates in dependency order, deletes last in reverse. */
  readonly changes: readonly Change[];
  readonly summary: PlanSummary;
  readonly issues: readonly PlanIssue[];
  readonly basis: PlanBasis;
  /** Present when the plan was made with the nodes (an observed Docker target). */
  readonly placement?: PlanPlacement;
}

export interface PlanOptions {
  /** Volume ids the user named (`--delete-volume`): only these may be replaced or deleted. */
  readonly allowDeleteVolumes?: readonly string[];
  /** Plan only these ids and what they depend on (`--target`); everything else is left as is. */
  readonly targetIds?: readonly string[];
  /** Evict lower-priority replicas when a higher-priority one does not fit (`--preempt`). */
  readonly allowPreemption?: boolean;
}

/** A node as the target reports it; `draining` comes from the drain set. */
/** Who holds a host port on a node, as the driver found it. */
export type HostPortOwner =
  | { readonly kind: 'berth'; readonly cluster: string; readonly resource: string; readonly container: string }
  | { readonly kind: 'container'; readonly container: string; readonly image: string }
  /** A listening process on the host (seen only where the engine is local: /proc/net). */
  | { readonly kind: 'process'; readonly pid?: number; readonly command?: string };

/** A host port in use on a node. */
export interface HostPortHolder {
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  /** The address it is bound to; `0.0.0.0` or `::` for every address. */
  readonly address: string;
  readonly owner: HostPortOwner;
}

export interface PlanNodeFacts {
  readonly name: string;
  /**
   * Host ports in use on the node and who holds them, when the driver looked (diff and deploy
   * do): a published Service port held by anyone but this cluster is a plan error. Not part of
   * the placement's basis: ports come and go without changing where replicas go.
   */
  readonly hostPorts?: readonly HostPortHolder[];
  readonly labels: Readonly<Record<string, string>>;
  /** millicores and bytes */
  readonly capacity: { readonly cpu: number; readonly memory: number };
  readonly reachable: boolean;
  readonly draining?: boolean;
  /** Volume resource ids present on the node. */
  readonly volumes: readonly string[];
  readonly error?: string;
}

export interface PlanInput {
  readonly graph: GraphJson;
  /** undefined for a cluster never deployed. */
  readonly state: State | undefined;
  /** What the driver found; without it, no drift is detected. */
  readonly observed?: Observed;
  /**
   * Current secret versions by Secret id (`secretVersion(value, the store's secret key)`), computed by the
   * CLI where the value is readable. A missing entry means "unknown": the version recorded in
   * state is assumed unchanged.
   */
  readonly secretVersions?: Readonly<Record<string, string>>;
  /**
   * The target's nodes (berth schedules on them): with them the plan places every replica and
   * turns moves into changes. Without them (not observed) the plan holds no placement.
   */
  readonly nodes?: readonly PlanNodeFacts[];
  /** Drained node names. @default the drain set recorded in state */
  readonly drained?: readonly string[];
  readonly options?: PlanOptions;
}
