/**
 * The executor: runs a plan as a DAG with bounded parallelism. It decides order, parallelism
 * and health gates — never *what* changes (the plan did). Every finished step is journalled to
 * state at once, so a deploy killed at any point is finished by running deploy again: the
 * rerun plans against the journalled state and the rollouts reconcile from runtime labels.
 */
import { BerthError, type GraphJson } from '@berth/core';
import type { Driver, Replica } from '../targets/driver.ts';
import { recordChange, type RecordOptions } from '../plan/record.ts';
import { resolveSpecs } from '../plan/spec-hash.ts';
import type { Change, Plan } from '../plan/types.ts';
import type { State, StateResource } from '../state/schema.ts';
import type { StateLock, StateStore } from '../state/store.ts';
import type { EventSink } from './events.ts';
import { resolveRunSpec, type ResolveContext } from './resolve.ts';
import { rollout, RolloutFailed } from './rollout.ts';

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
}

export async function execute(input: ExecuteInput): Promise<ExecuteResult> {
  const { graph, plan, driver } = input;
  const byId = new Map(graph.resources.map((r) => [r.id, r]));
  const resolved = resolveSpecs(graph, input.secretVersions, input.state);
  let state: State = input.state;
  // State writes are serialised: each step's record lands on the state the previous one wrote.
  // Records that arrive while a write is in flight go into the next write together (group
  // commit): when 10 rollouts turn ready within a moment, the deploy waited for 10 fsync'd
  // writes one after another (0.1 s each on a loaded machine) before it could return. A step
  // still counts as done only once a write holding its record is durable.
  const queued: Array<{ apply: (s: State) => State; resolve: () => void; reject: (e: unknown) => void }> = [];
  let writing: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    // One microtask first: records made in the same tick share a write, and `writing` is set
    // before this can finish (it is cleared below, with nothing queued and no await between).
    await Promise.resolve();
    while (queued.length > 0) {
      const batch = queued.splice(0);
      let next = state;
      const held: typeof batch = [];
      for (const r of batch) {
        try {
          next = r.apply(next);
          held.push(r);
        } catch (e) {
          r.reject(e);
        }
      }
      if (held.length === 0) continue;
      try {
        state = await input.store.write(input.lock, next);
        for (const r of held) r.resolve();
      } catch (e) {
        for (const r of held) r.reject(e);
      }
    }
    writing = undefined;
  };
  const record = (change: Change, opts: RecordOptions = {}): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      queued.push({ apply: (s) => recordChange(s, graph, change, resolved.get(change.id), opts), resolve, reject });
      writing ??= flush();
    });
  const outputs = new Map<string, Record<string, unknown>>();
  for (const [id, r] of Object.entries(state.resources)) outputs.set(id, { ...r.outputs });
  const ctx: ResolveContext = { graph, outputs, secrets: input.secrets };

  const servicesOf = (deploymentId: string): Array<{ id: string; targetPorts: number[] }> =>
    graph.resources.flatMap((r) =>
      r.kind === 'Service' && r.props.target.$ref === deploymentId ? [{ id: r.id, targetPorts: r.props.ports.map((p) => p.targetPort ?? p.port) }] : [],
    );

  await driver.prepare(input.signal);

  // Runtime labels carry the hash state will record (resolved with the secret versions of this
  // deploy), so a plan saved by diff under another salt cannot leave labels and state apart.
  // The scheduler's node per ordinal, by Deployment id, as the plan decided it.
  const placed = plan.placement?.replicas;
  const specOf = (c: Change): string => resolved.get(c.id)?.specHash ?? c.specHash ?? '';
  // What a Deployment's containers are labelled with and compared by (spec-hash.ts).
  const replicaOf = (c: Change): string => resolved.get(c.id)?.replicaHash ?? specOf(c);

  const runStep = async (change: Change): Promise<void> => {
    const r = byId.get(change.id);
    const progress = (message: string): void => input.emit({ type: 'step-progress', id: change.id, message });
    if (change.action === 'delete') {
      const prior = state.resources[change.id];
      await deleteResource(driver, change.id, change.kind, prior);
      await record(change);
      return;
    }
    if (!r) throw new BerthError('internal', `plan names ${change.id}, which is not in the graph`);
    if (change.action === 'move' && change.movedFrom) {
      const from = change.movedFrom;
      const prior = state.resources[from];
      if (prior) outputs.set(r.id, { ...prior.outputs });
    }
    let out: Record<string, unknown> = { ...(outputs.get(r.id) ?? {}) };
    let placements: Replica[] | undefined;
    switch (r.kind) {
      case 'ImageBuild': {
        progress('building');
        const built = await driver.buildImage(r.id, r.props, input.appDir, (line) => progress(line), input.signal);
        out = { image: built.image, cached: built.cached };
        break;
      }
      case 'Image':
        out = { image: (await driver.resolveImage(r.id, r.props.name)).image };
        break;
      case 'Volume':
        // A moved volume keeps its runtime name (and so its data).
        out = { name: (await driver.ensureVolume(r.id, r.props, typeof out['name'] === 'string' ? out['name'] : undefined)).name };
        break;
      case 'Network':
        out = { name: (await driver.ensureNetwork(r.id, r.props)).name };
        break;
      case 'Secret':
      case 'Config':
        out = {};
        break;
      case 'Job': {
        const spec = resolveRunSpec(ctx, r, 0, specOf(change), input.release);
        let attempt = 0;
        for (;;) {
          progress(attempt === 0 ? 'running' : `retry ${attempt} of ${r.props.backoffLimit}`);
          const res = await driver.runJob(spec, r.props.timeout, input.signal);
          if (res.ok) {
            out = { containerId: res.containerId, exitCode: 0 };
            break;
          }
          if (attempt++ >= r.props.backoffLimit) {
            throw new RolloutFailed(`job ${r.path} failed: ${res.reason ?? `exit code ${res.exitCode}`}`, res.logs, false);
          }
        }
        break;
      }
      case 'Deployment': {
        const current = await rollout({
          driver,
          id: r.id,
          replicas: r.props.replicas,
          specHash: replicaOf(change),
          maxSurge: r.props.update.maxSurge,
          maxUnavailable: r.props.update.maxUnavailable,
          progressDeadlineMs: r.props.update.progressDeadline,
          services: servicesOf(r.id),
          spec: (o) => {
            const node = placed?.[r.id]?.[o];
            return { ...resolveRunSpec(ctx, r, o, replicaOf(change), input.release), ...(node ? { node } : {}) };
          },
          ...(placed?.[r.id] ? { nodeOf: (o: number) => placed[r.id]?.[o] ?? undefined } : {}),
          unplaced: new Set((placed?.[r.id] ?? []).flatMap((n, o) => (n === null ? [o] : []))),
          progress,
          signal: input.signal,
        });
        placements = current;
        out = { containers: current.map((c) => c.name) };
        break;
      }
      case 'Service': {
        // A moved Service's old proxy holds the published port: it must go first.
        if (change.movedFrom) await driver.removeService(change.movedFrom);
        const targetId = r.props.target.$ref;
        const backends = (await driver.listReplicas(targetId)).filter(
          (x) => x.state === 'running' && (x.health === 'healthy' || x.health === 'none') && x.specHash === (state.resources[targetId]?.replicaHash ?? state.resources[targetId]?.specHash ?? x.specHash),
        );
        const svc = await driver.ensureService(
          {
            resourceId: r.id,
            name: r.props.name ?? r.id,
            specHash: specOf(change),
            release: input.release,
            ports: r.props.ports.map((p) => ({ port: p.port, targetPort: p.targetPort ?? p.port, ...(p.publish !== undefined ? { publish: p.publish } : {}), ...(p.hostIp !== undefined ? { hostIp: p.hostIp } : {}) })),
          },
          backends,
          input.signal,
        );
        out = { proxy: svc.proxyContainerId, backends: [...svc.backends] };
        break;
      }
    }
    outputs.set(r.id, out);
    if (change.action === 'move' && change.movedFrom) {
      const from = change.movedFrom;
      if (r.kind === 'Deployment' || r.kind === 'Job') {
        for (const x of await driver.listReplicas(from)) await driver.removeReplica(x);
      }
    }
    await record(change, { outputs: out, ...(placements ? { placements: placements.map((p) => ({ ordinal: p.ordinal, node: p.node })) } : {}) });
  };

  // The DAG: a step starts when every step it depends on finished; a failure skips its dependents.
  const steps = plan.changes.filter((c) => c.action !== 'noop');
  const done = new Set<string>(plan.changes.filter((c) => c.action === 'noop').map((c) => c.id));
  const failedIds = new Set<string>();
  const failures: StepFailure[] = [];
  const skipped: string[] = [];
  const pending = new Map(steps.map((c) => [c.id, c]));
  const running = new Set<Promise<void>>();
  const limit = Math.max(1, input.parallelism ?? 4);
  const inPlan = new Set(steps.map((c) => c.id));

  const ready = (c: Change): 'ready' | 'wait' | 'skip' => {
    for (const d of c.dependsOn) {
      if (failedIds.has(d)) return 'skip';
      if (inPlan.has(d) && !done.has(d)) return 'wait';
    }
    return 'ready';
  };

  while (pending.size > 0 || running.size > 0) {
    let progressed = false;
    for (const c of [...pending.values()]) {
      if (running.size >= limit) break;
      if (input.signal.aborted) break;
      const st = ready(c);
      if (st === 'wait') continue;
      pending.delete(c.id);
      progressed = true;
      if (st === 'skip') {
        failedIds.add(c.id);
        skipped.push(c.id);
        input.emit({ type: 'step-skipped', id: c.id, because: `${c.dependsOn.filter((d) => failedIds.has(d)).join(', ')} failed` });
        continue;
      }
      const t0 = Date.now();
      input.emit({ type: 'step-start', id: c.id, kind: c.kind, action: c.action });
      const p: Promise<void> = runStep(c)
        .then(() => {
          done.add(c.id);
          input.emit({ type: 'step-done', id: c.id, kind: c.kind, action: c.action, ms: Date.now() - t0 });
        })
        .catch((e: unknown) => {
          failedIds.add(c.id);
          const reason = e instanceof Error ? e.message : String(e);
          const detail = e instanceof RolloutFailed ? e.detail : [];
          const rolledBack = e instanceof RolloutFailed ? e.rolledBack : false;
          failures.push({ id: c.id, reason, detail, rolledBack });
          input.emit({ type: 'step-failed', id: c.id, kind: c.kind, action: c.action, reason, detail, rolledBack, ...(c.source ? { source: `${c.source.file}:${c.source.line}` } : {}) });
        })
        .finally(() => {
          running.delete(p);
        });
      running.add(p);
    }
    if (input.signal.aborted && running.size === 0) break;
    if (running.size > 0) await Promise.race(running);
    else if (!progressed) break;
  }
  await writing;
  for (const c of pending.values()) skipped.push(c.id);
  if (input.signal.aborted && pending.size > 0) {
    failures.push({ id: [...pending.keys()][0] ?? '', reason: 'interrupted', detail: [], rolledBack: false });
  }
  return { ok: failures.length === 0 && pending.size === 0, failures, skipped, state };
}

async function deleteResource(driver: Driver, id: string, kind: string, prior: StateResource | undefined): Promise<void> {
  switch (kind) {
    case 'Deployment':
    case 'Job':
      for (const r of await driver.listReplicas(id)) await driver.removeReplica(r);
      return;
    case 'Service':
      await driver.removeService(id);
      return;
    case 'Volume':
      await driver.removeVolume(id);
      return;
    case 'Network':
      await driver.removeNetwork(id);
      return;
    default:
      void prior;
  }
}
