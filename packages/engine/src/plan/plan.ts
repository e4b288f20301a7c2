/**
 * The planner: a pure function of (graph, state, live observation) → plan.
 *
 *   graph ──resolveSpecs──▶ spec hash per resource ──compare with state──▶ own changes
 *                                                     │ inputs moved? ──▶ derived changes (+ why)
 *   state ids not in graph ─────────────────────────────────────────────▶ deletes
 *   observed vs state ──────────────────────────────────────────────────▶ drift (repair)
 *   safety rules (volumes) ─────────────────────────────────────────────▶ blocked + issues
 *   nodes + drain set + observed ──scheduler──▶ placement; moves ───────▶ Deployment updates (+ why)
 *
 * No I/O, clocks, randomness or environment: the same input gives the same plan, byte for byte.
 */
import { portConflicts } from './port-conflicts.ts';
import type { GraphJson, ResourceJson } from '@berth/core';
import { canaryCount } from './canary.ts';
import { interruptedSteps } from '../state/journal.ts';
import type { JournalEntry, State, StateResource } from '../state/schema.ts';
import type { Observed, ObservedResource } from './observed.ts';
import { byId, topoOrder } from './order.ts';
import { nodeFactsOf, placeReplicas, placementChanges, recordedPlacements, toPlanPlacement } from './place.ts';
import { diffProps } from './prop-diff.ts';
import { CONTAINER_KINDS, ruleFor, topKey } from './rules.ts';
import { resolveSpecs, type ResolvedSpec } from './spec-hash.ts';
import { canonicalJson, hashOf, sha256 } from './stable-hash.ts';
import {
  PLAN_VERSION,
  type Change,
  type ChangeAction,
  type DriftItem,
  type Plan,
  type PlanBasis,
  type PlanInput,
  type PlanIssue,
  type PlanPlacement,
  type PlanSummary,
  type PropertyChange,
} from './types.ts';

type Source = NonNullable<Change['source']>;

/** `cluster.ts:12` — the file's base name keeps reasons short and free of machine paths. */
export function sourceRef(source: Source | undefined): string {
  if (!source) return '';
  const file = source.file.split(/[\\/]/).pop() ?? source.file;
  return ` — ${file}:${source.line}`;
}

function shortHash(h: string): string {
  const i = h.indexOf(':');
  const body = i >= 0 ? h.slice(i + 1) : h;
  return /^[0-9a-f]{16,}$/.test(body) ? `${i >= 0 ? h.slice(0, i + 1) : ''}${body.slice(0, 12)}` : h;
}

/** Short enough to quote inside a one-line reason (a config file is not). */
function scalar(v: unknown): boolean {
  if (typeof v === 'string') return v.length <= 60 && !v.includes('\n');
  return v === undefined || v === null || typeof v !== 'object';
}

function showValue(v: unknown): string {
  return v === undefined ? '(none)' : typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v);
}

interface Ctx {
  readonly input: PlanInput;
  readonly graph: GraphJson;
  readonly byId: ReadonlyMap<string, ResourceJson>;
  readonly specs: ReadonlyMap<string, ResolvedSpec>;
  readonly prior: Readonly<Record<string, StateResource>>;
  readonly changes: Map<string, Change>;
  readonly issues: PlanIssue[];
  readonly allowVolumes: ReadonlySet<string>;
  /** Steps the last deploy left half done (its journal): they run again even when nothing else changed. */
  readonly interrupted: ReadonlyMap<string, JournalEntry>;
}

export function plan(input: PlanInput): Plan {
  const { graph, state } = input;
  const prior = state?.resources ?? {};
  const resources = new Map(graph.resources.map((r) => [r.id, r]));
  const ctx: Ctx = {
    input,
    graph,
    byId: resources,
    // The versions are keyed by the store's secret key (not by state), so the spec hashes here
    // are the ones the executor records (and labels) for this deploy, first deploy included.
    specs: resolveSpecs(graph, input.secretVersions, state),
    prior,
    changes: new Map(),
    issues: [],
    allowVolumes: new Set(input.options?.allowDeleteVolumes ?? []),
    interrupted: interruptedSteps(state),
  };

  // Declared moves apply only while the old id is in state and the new one is not yet: once
  // recorded, a leftover moved() is harmless.
  const movedFrom = new Map<string, string>();
  for (const m of graph.moved) {
    if (prior[m.from] && !prior[m.to] && resources.has(m.to) && !resources.has(m.from)) movedFrom.set(m.to, m.from);
  }
  const movedAway = new Set(movedFrom.values());

  // Dependencies first, so a consumer can cite the change of what it consumes.
  // Default sort: UTF-16 code unit order, the same as byId, without a call per comparison.
  const graphIds = graph.resources.map((r) => r.id).sort();
  const forward = topoOrder(graphIds, (id) => resources.get(id)?.dependsOn ?? []);
  for (const id of forward) {
    const r = resources.get(id) as ResourceJson;
    const from = movedFrom.get(id);
    const before = prior[from ?? id];
    ctx.changes.set(id, before ? changeOf(ctx, r, before, from) : createOf(ctx, r));
  }

  // Deletes: in state, gone from the program, not moved. Dependents go first (reverse order).
  const gone = Object.keys(prior)
    .filter((id) => !resources.has(id) && !movedAway.has(id))
    .sort(byId);
  const goneSet = new Set(gone);
  const dependentsOf = new Map<string, string[]>();
  for (const id of gone) {
    for (const d of prior[id]?.dependsOn ?? []) if (goneSet.has(d)) (dependentsOf.get(d) ?? dependentsOf.set(d, []).get(d))?.push(id);
  }
  const deleteOrder = topoOrder(gone, (id) => dependentsOf.get(id) ?? []);
  for (const id of deleteOrder) ctx.changes.set(id, deleteOf(ctx, id, prior[id] as StateResource, dependentsOf.get(id) ?? []));

  unreadableSecrets(ctx);
  ctx.issues.push(...portConflicts(graph, input.nodes));
  const orphans = orphansOf(ctx, movedAway);
  for (const c of orphans) ctx.changes.set(c.id, c);

  let ordered = [...forward, ...deleteOrder, ...orphans.map((c) => c.id)].map((id) => ctx.changes.get(id) as Change);
  const placement = placementOf(input);
  if (placement) ordered = placementChanges(ordered, placement, input.observed);
  ordered = applyTargets(ordered, input, resources);

  const summary = summarize(ordered);
  return {
    planVersion: PLAN_VERSION,
    cluster: graph.cluster,
    changes: ordered,
    summary,
    issues: ctx.issues.sort((a, b) => byId(a.id, b.id) || byId(a.code, b.code)),
    basis: basisOf(input),
    ...(placement ? { placement } : {}),
  };
}

/** The drain set the plan uses: the input's, else the one recorded in state. */
function drainedOf(input: Pick<PlanInput, 'state' | 'drained'>): readonly string[] {
  return input.drained ?? input.state?.drained ?? [];
}

/**
 * Where every replica goes, given the nodes: running replicas stay unless a filter sends them
 * away (drained, unreachable, a constraint changed); replicas state puts on a node that does
 * not answer count as running there, so the scheduler reports them as moved.
 */
function placementOf(input: PlanInput): PlanPlacement | undefined {
  if (!input.nodes) return undefined;
  const nodes = nodeFactsOf(input.nodes, drainedOf(input));
  const placed = placeReplicas(input.graph, nodes, input.observed, input.options?.allowPreemption ?? false, recordedPlacements(input.state));
  return toPlanPlacement(nodes, placed);
}

function base(r: ResourceJson): Pick<Change, 'id' | 'path' | 'kind' | 'dependsOn'> & { source?: Source } {
  return { id: r.id, path: r.path, kind: r.kind, dependsOn: r.dependsOn, ...(r.source ? { source: r.source } : {}) };
}

function createOf(ctx: Ctx, r: ResourceJson): Change {
  const spec = ctx.specs.get(r.id) as ResolvedSpec;
  return { ...base(r), action: 'create', propertyChanges: [], reasons: [`new in the program${sourceRef(r.source)}`], specHash: spec.specHash };
}

const NONE: readonly never[] = Object.freeze([]);

/** A resource in both the program and state (possibly under its old id, `from`). */
function changeOf(ctx: Ctx, r: ResourceJson, before: StateResource, from: string | undefined): Change {
  const spec = ctx.specs.get(r.id) as ResolvedSpec;
  const drift = driftOf(ctx, r.kind, from ?? r.id, before);
  // The common case of a large no-op plan, built in one allocation.
  const cutShort = ctx.interrupted.get(r.id);
  if (before.specHash === spec.specHash && from === undefined && drift.length === 0 && before.kind === r.kind && cutShort === undefined) {
    const noop: Change = { id: r.id, path: r.path, kind: r.kind, dependsOn: r.dependsOn, specHash: spec.specHash, priorSpecHash: before.specHash, action: 'noop', propertyChanges: NONE, reasons: NONE };
    return r.source ? { ...noop, source: r.source } : noop;
  }
  const rule = ruleFor(r.kind);
  const loc = sourceRef(r.source);
  const common = {
    ...base(r),
    specHash: spec.specHash,
    priorSpecHash: before.specHash,
    ...(from !== undefined ? { movedFrom: from } : {}),
    ...(drift.length > 0 ? { drift } : {}),
  };

  if (before.kind !== r.kind) {
    return {
      ...common,
      action: 'replace',
      propertyChanges: [{ path: 'kind', before: before.kind, after: r.kind, forcesReplace: true }],
      reasons: [`kind changed from ${before.kind} to ${r.kind}: recreated${loc}`],
    };
  }

  if (before.specHash === spec.specHash) {
    if (from !== undefined) {
      return { ...common, action: 'move', propertyChanges: [], reasons: [`moved from ${from} (declared with moved())${loc}`] };
    }
    if (drift.length > 0) {
      // The items are in `drift`; the reason only says what kind of change this is.
      const what = drift.length === 1 ? driftText(drift[0] as DriftItem) : `${drift.length} differences`;
      return { ...common, action: 'repair', propertyChanges: [], reasons: [`the live system drifted from what was deployed (${what}): put back`] };
    }
    if (cutShort !== undefined) {
      // What the cut-short step made may still run (or be half made): the step runs again,
      // towards what state records, and reconciles from the runtime labels.
      return { ...common, action: 'repair', propertyChanges: [], reasons: [`an earlier deploy was interrupted during its ${cutShort.action} step (journal): finished now`] };
    }
    return { ...common, action: 'noop', propertyChanges: [], reasons: [] };
  }

  const propertyChanges: PropertyChange[] = [];
  const reasons: string[] = [];
  let replace = false;

  // 1. The resource's own props.
  const own = diffProps(before.props, r.props, rule.hidden);
  const replaceKeys: string[] = [];
  const inPlace = new Map<string, string[]>();
  for (const d of own) {
    const key = topKey(d.path);
    const how = rule.inPlace[key];
    const forces = how === undefined;
    if (forces) {
      replace = true;
      if (!replaceKeys.includes(key)) replaceKeys.push(key);
    } else {
      const list = inPlace.get(how) ?? [];
      if (!list.includes(key)) list.push(key);
      inPlace.set(how, list);
    }
    propertyChanges.push({
      path: d.path,
      ...(d.before !== undefined ? { before: d.before } : {}),
      ...(d.after !== undefined ? { after: d.after } : {}),
      ...(forces ? { forcesReplace: true as const } : {}),
    });
  }
  if (r.kind === 'ImageBuild' && own.length > 0 && own.every((d) => d.path === 'contentHash' || d.path === 'contextFiles')) {
    const ctxDir = (r.props as { context?: string }).context ?? '.';
    reasons.push(`files under ${ctxDir} changed: rebuilt${loc}`);
  } else {
    if (replaceKeys.length > 0) reasons.push(`${replaceKeys.join(', ')} changed: ${rule.replaceMeans}${loc}`);
    for (const [how, keys] of inPlace) {
      // A few scalar changes say exactly what moved: "replicas changed 2 → 5: scaled in place".
      const leaves = own.filter((d) => keys.includes(topKey(d.path)));
      const exact = leaves.length <= 3 && leaves.every((d) => scalar(d.before) && scalar(d.after));
      const what = exact ? leaves.map((d) => `${d.path} changed ${showValue(d.before)} → ${showValue(d.after)}`).join(', ') : `${keys.join(', ')} changed`;
      reasons.push(`${what}: ${how}${loc}`);
    }
  }

  // 2. What it consumes: same props text, different resolved values. Keys present on one side
  //    only are new or dropped references, which the props diff above already shows.
  const consumerForces = CONTAINER_KINDS.has(r.kind);
  const consumedVerb = consumerForces ? rule.replaceMeans : 'updated in place';
  const beforeInputs = before.inputs ?? {};
  for (const key of Object.keys(spec.inputs).sort()) {
    const was = beforeInputs[key];
    const now = spec.inputs[key];
    if (was === undefined || now === undefined || was === now) continue;
    const dep = key.slice(0, key.lastIndexOf('.'));
    for (const path of spec.refPaths[key] ?? []) {
      propertyChanges.push({ path, before: was, after: now, via: key, ...(consumerForces ? { forcesReplace: true as const } : {}) });
    }
    if (consumerForces) replace = true;
    reasons.push(...derivedReasons(ctx, r, dep, consumedVerb));
  }
  const beforeSecrets = before.secretVersions ?? {};
  for (const secretId of Object.keys(spec.secretVersions).sort()) {
    const was = beforeSecrets[secretId];
    const now = spec.secretVersions[secretId];
    if (was === undefined || now === undefined || was === now) continue;
    if (secretId === r.id) {
      // The Secret itself: its value is rewritten; consumers roll (their own changes say so).
      propertyChanges.push({ path: 'value', sensitive: true });
      reasons.push(`value changed (sensitive)${loc}`);
      continue;
    }
    for (const path of spec.refPaths[`${secretId}.value`] ?? []) {
      propertyChanges.push({ path, sensitive: true, via: `${secretId}.value`, ...(consumerForces ? { forcesReplace: true as const } : {}) });
    }
    if (consumerForces) replace = true;
    reasons.push(...derivedReasons(ctx, r, secretId, consumedVerb));
  }

  if (reasons.length === 0) reasons.push(`spec changed (${shortHash(before.specHash)} → ${shortHash(spec.specHash)})${loc}`);
  let action: ChangeAction = replace ? 'replace' : 'update';
  // An in-place update does not bring back what drifted away; a replace recreates it all.
  if (action === 'update' && drift.length > 0 && CONTAINER_KINDS.has(r.kind)) {
    action = 'replace';
    reasons.push(`the live system also drifted (${drift.map(driftText).join('; ')}): replaced to repair it`);
  }
  if (from !== undefined) reasons.unshift(`moved from ${from} (declared with moved())${loc}`);
  // The rollout carries the canary out; the plan says it will, so diff shows how the update goes.
  if (action === 'replace' && r.kind === 'Deployment' && r.props.update.canary) {
    const c = r.props.update.canary;
    const n = canaryCount(r.props.replicas, c);
    reasons.push(`canary first: ${n} replica${n === 1 ? '' : 's'} of the new spec beside the old for ${Math.round(c.pause / 1000)}s, then ${c.promote === 'auto' ? 'the rest roll' : 'held for berth promote / berth abort'}`);
  }
  const change: Change = { ...common, action, propertyChanges, reasons };
  return guardStateful(ctx, change);
}

/** "image changed: rolling replace — cluster.ts:14" followed by the dependency's own chain. */
function derivedReasons(ctx: Ctx, consumer: ResourceJson, depId: string, verb: string): string[] {
  const dep = ctx.byId.get(depId);
  const depChange = ctx.changes.get(depId);
  const what = dep ? (ruleFor(dep.kind).consumedAs ?? dep.kind) : depId;
  const out = [`${what} (${depId}) changed: ${verb}${sourceRef(consumer.source)}`];
  if (dep && depChange && depChange.reasons.length > 0) {
    for (const why of depChange.reasons) out.push(why.startsWith('because ') ? why : `because ${dep.kind} ${depId}: ${why}`);
  } else {
    out.push(`because ${depId} is at a version this resource has not run yet`);
  }
  return out;
}

function deleteOf(ctx: Ctx, id: string, before: StateResource, dependents: readonly string[]): Change {
  const change: Change = {
    id,
    path: before.path,
    kind: before.kind,
    action: 'delete',
    propertyChanges: [],
    reasons: [`no longer in the program (was ${before.path})`],
    dependsOn: [...dependents].sort(byId),
    priorSpecHash: before.specHash,
  };
  return guardStateful(ctx, change);
}

/** Volumes hold data: replacing or deleting one needs the user to name it. */
function guardStateful(ctx: Ctx, change: Change): Change {
  if (!ruleFor(change.kind).stateful) return change;
  if (change.action !== 'replace' && change.action !== 'delete') return change;
  if (ctx.allowVolumes.has(change.id)) return change;
  const verb = change.action === 'delete' ? 'delete' : 'replace';
  ctx.issues.push({
    code: 'plan.protected',
    severity: 'error',
    id: change.id,
    message: `refusing to ${verb} ${change.kind} ${change.id}: its data would be lost`,
    hint:
      change.action === 'delete'
        ? `put it back in the program (or declare a move with moved()), or pass --delete-volume ${change.id} to delete it and its data`
        : `revert the change, or pass --delete-volume ${change.id} to recreate it (its data is lost)`,
  });
  return { ...change, blocked: true };
}

/**
 * Secrets the CLI could not read (no entry in `secretVersions`). Planning goes on — the
 * recorded version is assumed — but the user should know the diff cannot see a new value.
 */
function unreadableSecrets(ctx: Ctx): void {
  const given = ctx.input.secretVersions;
  if (!given) return;
  for (const r of ctx.graph.resources) {
    if (r.kind !== 'Secret' || given[r.id] !== undefined) continue;
    const from = r.props.fromEnv !== undefined ? `the environment variable ${r.props.fromEnv}` : `the file ${r.props.fromFile ?? '?'}`;
    const known = ctx.prior[r.id] !== undefined;
    ctx.issues.push({
      code: 'plan.secret-unknown',
      severity: 'warning',
      id: r.id,
      message: known
        ? `the value of Secret ${r.id} is not available (${from}); assumed unchanged since the last deploy`
        : `the value of Secret ${r.id} is not available (${from}); deploy will need it`,
      hint: r.props.fromEnv !== undefined ? `set ${r.props.fromEnv}` : `create ${r.props.fromFile ?? 'the file'} (relative to cluster.ts)`,
    });
  }
}

function driftText(d: DriftItem): string {
  return `${d.what}: expected ${d.expected}, found ${d.observed}`;
}

/** Live vs recorded, for resources of the kinds the driver looked at. */
function driftOf(ctx: Ctx, kind: string, liveId: string, before: StateResource): DriftItem[] {
  const observed = ctx.input.observed;
  if (!observed || !(observed.kinds as readonly string[]).includes(kind)) return [];
  const o: ObservedResource | undefined = observed.resources[liveId];
  if (!o || !o.exists) return [{ what: 'resource', expected: 'present', observed: 'missing' }];
  const out: DriftItem[] = [...(o.drift ?? [])];
  if (o.specHash !== undefined && o.specHash !== before.specHash) {
    out.push({ what: 'spec label', expected: shortHash(before.specHash), observed: shortHash(o.specHash) });
  }
  if (kind === 'Deployment') {
    const want = typeof before.props.replicas === 'number' ? before.props.replicas : 1;
    const replicaHash = before.replicaHash ?? before.specHash;
    const byOrdinal = new Map((o.replicas ?? []).map((x) => [x.ordinal, x]));
    for (let i = 0; i < want; i++) {
      const rep = byOrdinal.get(i);
      if (!rep || rep.state === 'missing') out.push({ what: `replica ${i}`, expected: 'running', observed: 'missing' });
      else if (rep.state !== 'running') out.push({ what: `replica ${i}`, expected: 'running', observed: `${rep.state} on ${rep.node}` });
      else if (rep.specHash !== replicaHash) out.push({ what: `replica ${i}`, expected: `spec ${shortHash(replicaHash)}`, observed: `spec ${shortHash(rep.specHash)} on ${rep.node}` });
    }
    const extra = [...byOrdinal.keys()].filter((n) => n >= want && byOrdinal.get(n)?.state !== 'missing').sort((a, b) => a - b);
    for (const n of extra) out.push({ what: `replica ${n}`, expected: 'absent', observed: `${byOrdinal.get(n)?.state ?? 'running'} on ${byOrdinal.get(n)?.node ?? '?'}` });
  }
  return out;
}

/** Objects labelled for this cluster that neither state nor the program know: left behind by a crash. */
function orphansOf(ctx: Ctx, movedAway: ReadonlySet<string>): Change[] {
  const observed = ctx.input.observed;
  if (!observed) return [];
  const out: Change[] = [];
  for (const id of Object.keys(observed.resources).sort(byId)) {
    const o = observed.resources[id];
    if (!o || !o.exists || ctx.byId.has(id) || ctx.prior[id] || movedAway.has(id)) continue;
    if (ruleFor(o.kind).stateful) {
      ctx.issues.push({
        code: 'plan.protected',
        severity: 'warning',
        id,
        message: `${o.kind} ${id} exists on the live system but berth has no record of it; it is left alone`,
        hint: 'remove it by hand if its data is not needed, or add it back to the program',
      });
      continue;
    }
    out.push({
      id,
      path: id,
      kind: o.kind,
      action: 'delete',
      propertyChanges: [],
      reasons: ['found on the live system, labelled for this cluster, but neither in state nor in the program (left by an interrupted deploy?)'],
      dependsOn: [],
      drift: [{ what: 'resource', expected: 'absent', observed: 'present' }],
    });
  }
  return out;
}

/** `--target`: only the named ids and what they depend on; the rest is reported unchanged. */
function applyTargets(changes: Change[], input: PlanInput, resources: ReadonlyMap<string, ResourceJson>): Change[] {
  const targets = input.options?.targetIds;
  if (!targets || targets.length === 0) return changes;
  const keep = new Set<string>();
  const visit = (id: string): void => {
    if (keep.has(id)) return;
    keep.add(id);
    for (const d of resources.get(id)?.dependsOn ?? []) visit(d);
  };
  for (const t of targets) visit(t);
  return changes.map((c) =>
    keep.has(c.id) || c.action === 'noop'
      ? c
      : { id: c.id, path: c.path, kind: c.kind, action: 'noop' as const, propertyChanges: [], reasons: ['not targeted: left as it is'], dependsOn: c.dependsOn, ...(c.source ? { source: c.source } : {}), ...(c.priorSpecHash !== undefined ? { priorSpecHash: c.priorSpecHash, specHash: c.priorSpecHash } : {}) },
  );
}

function summarize(changes: readonly Change[]): PlanSummary {
  const s = { create: 0, update: 0, replace: 0, delete: 0, move: 0, repair: 0, noop: 0, blocked: 0 };
  for (const c of changes) {
    s[c.action]++;
    if (c.blocked) s.blocked++;
  }
  return s;
}

/** The drift-relevant part of an observation: health flaps constantly and is left out. */
function observedDigest(observed: Observed): unknown {
  const resources: Record<string, unknown> = {};
  for (const id of Object.keys(observed.resources).sort(byId)) {
    const o = observed.resources[id];
    if (!o) continue;
    resources[id] = {
      kind: o.kind,
      exists: o.exists,
      specHash: o.specHash ?? null,
      replicas: [...(o.replicas ?? [])]
        .sort((a, b) => a.ordinal - b.ordinal || byId(a.containerId, b.containerId))
        .map((x) => [x.ordinal, x.node, x.containerId, x.specHash, x.state]),
      ...(o.drift && o.drift.length > 0 ? { drift: o.drift.map((d) => [d.what, d.expected, d.observed]) } : {}),
    };
  }
  return { cluster: observed.cluster, kinds: [...observed.kinds].sort(byId), resources };
}

/** What placement depends on about the nodes (an unreachable node's error text is left out: it varies). */
function nodesDigest(input: Pick<PlanInput, 'nodes' | 'state' | 'drained'>): unknown {
  const nodes = nodeFactsOf(input.nodes ?? [], drainedOf(input));
  return [...nodes]
    .sort((a, b) => byId(a.name, b.name))
    .map((n) => ({ name: n.name, reachable: n.reachable, draining: n.draining, labels: n.labels, capacity: n.capacity, volumes: [...n.volumes].sort(byId) }));
}

export function basisOf(input: Pick<PlanInput, 'graph' | 'state' | 'observed' | 'secretVersions' | 'nodes' | 'drained'>): PlanBasis {
  return {
    stateSerial: input.state?.serial ?? null,
    stateLineage: input.state?.lineage ?? null,
    // The graph as synthesized: synth is deterministic (same program and berth ⇒ same
    // object, same key order), and native JSON keeps this cheap on large graphs.
    graphHash: sha256(JSON.stringify(input.graph)),
    observedHash: input.observed ? hashOf(observedDigest(input.observed)) : null,
    // Hashing the versions (themselves HMACs) keeps even those out of the plan file. Without
    // state there is nothing recorded to compare them with.
    secretsHash: input.secretVersions && input.state ? hashOf(input.secretVersions) : null,
    nodesHash: input.nodes ? hashOf(nodesDigest(input)) : null,
  };
}
