/**
 * The executor: carries out a plan. It decides order, parallelism and health gates — never
 * *what* changes (the plan did).
 *
 *   plan.changes ──▶ dag.ts (ready steps, ≤ parallelism at once, skip dependents of a failure)
 *                      │ per step: journal `started` ─▶ steps/<kind>.ts via the driver ─▶ `done` + record
 *                      ▼
 *                 state-writer.ts (serialised, group-committed, durable before a step goes on)
 *
 * Every effectful step is journalled ahead (journal.ts), so a deploy killed at any point is
 * finished by running deploy again: finished steps are recorded and plan as no-ops, a step
 * cut short is finished (rollouts reconcile from runtime labels, a Job's interrupted run is
 * adopted) or undone.
 */
import { BerthError, type GraphJson } from '@berth/core';
import type { Driver } from '../targets/driver.ts';
import { recordChange, type RecordOptions } from '../plan/record.ts';
import { resolveSpecs } from '../plan/spec-hash.ts';
import type { Change, Plan } from '../plan/types.ts';
import { finishRelease, markCanary, releasePins, startRelease, type ReleaseStart } from '../state/releases.ts';
import type { JournalEntry, State } from '../state/schema.ts';
import type { StateLock, StateStore } from '../state/store.ts';
import { crashPointFromEnv } from './crash-point.ts';
import { runDag } from './dag.ts';
import type { EventSink } from './events.ts';
import { Journal } from './journal.ts';
import { RolloutFailed } from './rollout.ts';
import { StateWriter } from './state-writer.ts';
import { deleteIsEffectful, deleteResource, intentOf, runKind, type StepContext, type StepIntent, type StepResult } from './steps/index.ts';

export interface ExecuteInput {
  readonly graph: GraphJson;
  readonly plan: Plan;
  readonly driver: Driver;
  readonly store: StateStore;
  readonly lock: StateLock;
  /** The state the plan was made against. */
  readonly state: State;
  /** Secret values by id (read by the CLI); used for containers, never stored. */
  readonly secrets: ReadonlyMap<string, string>;
  /** Secret versions by id (HMACs), recorded so the next plan sees what was deployed. */
  readonly secretVersions: Readonly<Record<string, string>>;
  /** Directory of cluster.ts: build contexts are relative to it. */
  readonly appDir: string;
  /** At most this many steps at once. @default 4 */
  readonly parallelism?: number;
  readonly release: string;
  /**
   * The release record to keep (state/releases.ts): written ahead as `running` before the first
   * step, ended with the outcome. Absent: no record (tests of the executor alone).
   */
  readonly record?: { readonly start: ReleaseStart; readonly keep?: number };
  /**
   * Image ids to use instead of building or looking up, by ImageBuild / Image id: a rollback
   * runs exactly the images its release ran, and never builds.
   */
  readonly pinnedImages?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly emit: EventSink;
}

export interface StepFailure {
  readonly id: string;
  readonly reason: string;
  readonly detail: readonly string[];
  readonly rolledBack: boolean;
}

export interface ExecuteResult {
  readonly ok: boolean;
  readonly failures: readonly StepFailure[];
  readonly skipped: readonly string[];
  readonly state: State;
  /** Deployments whose `manual` canary holds, waiting for `berth promote` / `berth abort`. */
  readonly canaries?: readonly string[];
  /** What image retention did after the apply (the Docker target's, when asked). */
  readonly images?: { readonly removed: readonly string[]; readonly kept: number };
}


export async function execute(input: ExecuteInput): Promise<ExecuteResult> {
  const { graph, plan, driver } = input;
  const byId = new Map(graph.resources.map((r) => [r.id, r]));
  const resolved = resolveSpecs(graph, input.secretVersions, input.state);
  const crashPoint = crashPointFromEnv();
  const writer = new StateWriter(input.store, input.lock, input.state, crashPoint ? { afterDurable: crashPoint } : {});
  const journal = new Journal(writer, { release: input.release, planGraphHash: plan.basis.graphHash });
  const outputs = new Map<string, Record<string, unknown>>();
  for (const [id, r] of Object.entries(input.state.resources)) outputs.set(id, { ...r.outputs });
  // Runtime labels carry the hash state will record (resolved with the secret versions of this
  // deploy), so a plan saved by diff under another salt cannot leave labels and state apart.
  const specOf = (c: Change): string => resolved.get(c.id)?.specHash ?? c.specHash ?? '';
  const ctx: StepContext = {
    graph,
    driver,
    appDir: input.appDir,
    release: input.release,
    signal: input.signal,
    outputs,
    resolve: { graph, outputs, secrets: input.secrets },
    // The scheduler's node per ordinal, by Deployment id, as the plan decided it.
    placements: plan.placement?.replicas,
    state: () => writer.state,
    specOf,
    replicaOf: (c) => resolved.get(c.id)?.replicaHash ?? specOf(c),
    pinnedImage: (id) => input.pinnedImages?.[id],
    interrupted: (id) => journal.interrupted.get(id),
    progress: (id, message) => input.emit({ type: 'step-progress', id, message }),
  };

  /** One step: journal ahead, act, then record and journal `done` in one write. */
  const runStep = async (change: Change): Promise<void> => {
    const record = (opts: RecordOptions) => (s: State) => recordChange(s, graph, change, resolved.get(change.id), opts);
    const r = byId.get(change.id);
    if (change.action !== 'delete' && !r) throw new BerthError('internal', `plan names ${change.id}, which is not in the graph`);
    const intent: StepIntent | undefined = r === undefined || change.action === 'delete' ? (deleteIsEffectful(change.kind) ? { creates: [] } : undefined) : intentOf(ctx, r, change);
    if (intent) await journal.started(change, intent);
    let opts: RecordOptions = {};
    let heldCanary: StepResult['canaryHeld'];
    try {
      if (change.action === 'delete' || r === undefined) {
        await deleteResource(driver, change.id, change.kind);
      } else {
        // A moved resource starts from the outputs recorded under its old id.
        const movedFrom = change.action === 'move' ? change.movedFrom : undefined;
        const prior = movedFrom !== undefined ? input.state.resources[movedFrom] : undefined;
        if (prior) outputs.set(r.id, { ...prior.outputs });
        const result = await runKind(ctx, r, change);
        heldCanary = result.canaryHeld;
        if (!heldCanary) outputs.set(r.id, result.outputs);
        if (movedFrom !== undefined && (r.kind === 'Deployment' || r.kind === 'Job')) await deleteResource(driver, movedFrom, r.kind);
        opts = { outputs: result.outputs, ...(result.placements ? { placements: result.placements } : {}) };
      }
    } catch (e) {
      // Cut short by the signal, the step stays `started`: like a kill, it may have left
      // objects, and the next deploy finishes it. Otherwise it ended, and says how.
      if (intent && !input.signal.aborted) await journal.failed(change, intent, e instanceof Error ? e.message : String(e)).catch(() => undefined);
      throw e;
    }
    if (heldCanary) {
      // Not recorded as done: state keeps the spec that still serves, marked with the canary.
      const mark = { replicaHash: ctx.replicaOf(change), specHash: specOf(change), replicas: heldCanary.replicas, since: new Date().toISOString(), release: input.release };
      held.push(change.id);
      await (intent ? journal.done(change, (s) => markCanary(s, change.id, mark)) : writer.commit((s) => markCanary(s, change.id, mark)));
      return;
    }
    await (intent ? journal.done(change, record(opts)) : writer.commit(record(opts)));
  };
  const held: string[] = [];

  const record = input.record;
  const now = (): string => new Date().toISOString();
  // Written ahead, like a journal entry: a deploy killed from here on leaves a record saying so.
  // Counted as a journal point (the crash test kills after it), as is the write that ends it.
  if (record) await writer.commit((s) => startRelease(s, record.start, now(), record.keep), 1);
  await driver.prepare(input.signal);
  // Moves and forced rollouts are changes of their own in the plan: only no-ops are left out.
  const steps = plan.changes.filter((c) => c.action !== 'noop');
  await undoLeftovers(input, journal, new Set(steps.map((c) => c.id)));

  const { failures, skipped, ok } = await runPlanSteps(input, steps, runStep);
  await writer.idle();
  if (record) {
    const first = failures[0];
    const result = !ok ? (input.signal.aborted ? 'interrupted' : 'failed') : held.length > 0 ? 'canary' : 'ok';
    const reason = first ? `${first.id}: ${first.reason}` : held.length > 0 ? `canary of ${held.join(', ')} waits for berth promote or berth abort` : undefined;
    const rolledBack = failures.some((f) => f.rolledBack);
    await writer.commit((s) => finishRelease(s, record.start.number, { result, at: now(), ...(reason !== undefined ? { reason } : {}), ...(rolledBack ? { rolledBack } : {}), pins: releasePins(graph, s, input.secretVersions) }), 1);
  }
  return { ok, failures, skipped, state: writer.state, ...(held.length > 0 ? { canaries: held } : {}) };
}

/**
 * Runs a plan's steps as a DAG (up to `parallelism` at once), announcing each start, finish,
 * failure and skip, and counting an interrupt that left steps unstarted as a failure. Every
 * target's apply runs its steps through this one loop; what a step does is the target's.
 */
export async function runPlanSteps(
  input: Pick<ExecuteInput, 'parallelism' | 'signal' | 'emit'>,
  steps: readonly Change[],
  runStep: (c: Change) => Promise<void>,
): Promise<{ readonly ok: boolean; readonly failures: StepFailure[]; readonly skipped: string[] }> {
  const failures: StepFailure[] = [];
  const outcome = await runDag({
    nodes: steps,
    limit: input.parallelism ?? 4,
    signal: input.signal,
    run: (c) => {
      const t0 = Date.now();
      input.emit({ type: 'step-start', id: c.id, kind: c.kind, action: c.action });
      return runStep(c).then(() => input.emit({ type: 'step-done', id: c.id, kind: c.kind, action: c.action, ms: Date.now() - t0 }));
    },
    onFailed: (c, e) => {
      const reason = e instanceof Error ? e.message : String(e);
      const detail = e instanceof RolloutFailed ? e.detail : [];
      const rolledBack = e instanceof RolloutFailed ? e.rolledBack : false;
      failures.push({ id: c.id, reason, detail, rolledBack });
      input.emit({ type: 'step-failed', id: c.id, kind: c.kind, action: c.action, reason, detail, rolledBack, ...(c.source ? { source: `${c.source.file}:${c.source.line}` } : {}) });
    },
    onSkipped: (c, because) => input.emit({ type: 'step-skipped', id: c.id, because: `${because.join(', ')} failed` }),
  });
  const skipped = [...outcome.skipped, ...outcome.notStarted];
  if (input.signal.aborted && outcome.notStarted.length > 0) {
    failures.push({ id: outcome.notStarted[0] ?? '', reason: 'interrupted', detail: [], rolledBack: false });
  }
  return { ok: failures.length === 0 && outcome.notStarted.length === 0, failures, skipped };
}

/**
 * Steps an earlier deploy left half done that this plan has no step for. One whose resource is
 * in neither the program nor state made objects nothing else will remove (a resource created,
 * killed, then taken out of the program): they are undone. A Volume is left (it may hold data
 * already; `destroy --delete-volumes` removes it by label). Any other open step stays open for
 * a plan that covers it (the planner repairs interrupted resources of the program).
 */
async function undoLeftovers(input: ExecuteInput, journal: Journal, stepped: ReadonlySet<string>): Promise<void> {
  const inProgram = new Set(input.graph.resources.map((r) => r.id));
  const open: JournalEntry[] = [...journal.interrupted.values()].filter((e) => !stepped.has(e.id) && !inProgram.has(e.id) && input.state.resources[e.id] === undefined);
  for (const e of open) {
    if (input.signal.aborted) return;
    const kind = e.kind ?? '';
    if (kind !== 'Volume') await deleteResource(input.driver, e.id, kind);
    await journal.resolved(e);
  }
}
