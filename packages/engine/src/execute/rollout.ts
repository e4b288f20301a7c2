/**
 * A Deployment's rollout: make the live replicas match (replicas × spec hash), in batches that
 * honour maxSurge and maxUnavailable, gated on readiness, with Services re-pointed before an
 * old replica stops — so no request meets a stopped backend. It reconciles from what runs (by
 * label), not from what state says, which is what makes an interrupted deploy resumable: a
 * rerun finds the half-done rollout and finishes it.
 */
import { BerthError } from '@berth/core';
import { canaryCount, decideCanary, type CanarySpec } from '../plan/canary.ts';
import type { Driver, NotReady, Replica, RunSpec } from '../targets/driver.ts';
import { sleep } from './sleep.ts';

export interface RolloutInput {
  readonly driver: Driver;
  readonly id: string;
  readonly replicas: number;
  readonly specHash: string;
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  readonly progressDeadlineMs: number;
  /** The Services in front of this Deployment: their ids and target ports. */
  readonly services: ReadonlyArray<{ readonly id: string; readonly targetPorts: readonly number[] }>;
  readonly spec: (ordinal: number) => RunSpec;
  /** The node the scheduler chose per ordinal (multi-host); undefined: anywhere / not placed. */
  readonly nodeOf?: (ordinal: number) => string | undefined;
  /** Ordinals the scheduler could not place (`--allow-partial`): not started. */
  readonly unplaced?: ReadonlySet<number>;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
  /**
   * Start canary replicas of the new spec first (plan/canary.ts decides). Only when old
   * replicas serve and none of the new spec runs yet: a rerun after a kill, or `berth promote`,
   * finds the canary and rolls the rest.
   */
  readonly canary?: CanarySpec;
  /** A `manual` canary passed its pause and holds: the rollout returns the canary replicas without rolling the rest. */
  readonly onHold?: (canary: readonly Replica[]) => void;
}

/** How often the canary is looked at during its pause. */
const CANARY_LOOK_MS = 500;

export class RolloutFailed extends BerthError {
  readonly detail: readonly string[];
  readonly rolledBack: boolean;
  constructor(message: string, detail: readonly string[], rolledBack: boolean) {
    super('deploy.rollout-failed', message, { hint: rolledBack ? 'the previous replicas kept serving; fix the cause and deploy again' : 'fix the cause and deploy again' });
    this.detail = detail;
    this.rolledBack = rolledBack;
  }
}

/** How long an old replica may keep finishing in-flight requests after it left the Services. */
export const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Waits (bounded) until no proxy holds a connection to these replicas, which have already
 * left every Service: the requests they are serving finish before their stop signal.
 */
async function drain(input: RolloutInput, replicas: readonly Replica[]): Promise<void> {
  const { driver, signal } = input;
  // No Service in front: no proxy sends it requests, nothing to wait for.
  if (!driver.drainReplica || input.services.length === 0) return;
  const drainOf = driver.drainReplica.bind(driver);
  const ids = input.services.map((s) => s.id);
  await Promise.all(replicas.filter((r) => r.state === 'running').map((r) => drainOf(r, ids, DRAIN_TIMEOUT_MS, signal).catch(() => false)));
}

/** Running and passing its health check (or having none): what a Service may send requests to. */
export const isReadyNow = (r: Replica): boolean => r.state === 'running' && (r.health === 'healthy' || r.health === 'none');

export async function rollout(input: RolloutInput): Promise<Replica[]> {
  const { driver, id, replicas, specHash } = input;
  const live = await driver.listReplicas(id);
  // Serving now: whatever runs and is ready, old spec or new. The Services keep pointing at these.
  const serving = new Map<string, Replica>(live.filter(isReadyNow).map((r) => [r.containerId, r]));
  const current = new Map<number, Replica>();
  // A replica counts as current when it runs the new spec, is ready, and sits on the node the
  // scheduler chose for its ordinal: a replica on the wrong node is moved like a changed one.
  const onItsNode = (r: Replica): boolean => {
    const want = input.nodeOf?.(r.ordinal);
    return want === undefined || r.node === want;
  };
  for (const r of live) {
    if (r.specHash === specHash && isReadyNow(r) && r.ordinal < replicas && onItsNode(r) && !current.has(r.ordinal)) current.set(r.ordinal, r);
  }
  const stale = (): Replica[] => [...serving.values()].filter((r) => !(current.get(r.ordinal)?.containerId === r.containerId));
  const pushBackends = async (): Promise<void> => {
    const list = [...serving.values()].sort((a, b) => a.ordinal - b.ordinal || (a.name < b.name ? -1 : 1));
    for (const s of input.services) await driver.setServiceBackends(s.id, s.targetPorts, list);
  };
  // A half-done earlier rollout may have left containers of this spec that never became ready:
  // they are replaced like any other.
  let missing: number[] = [];
  for (let o = 0; o < replicas; o++) if (!current.has(o) && !input.unplaced?.has(o)) missing.push(o);

  const swapped: Array<{ ordinal: number; fresh: Replica; old: Replica[] }> = [];
  const surge = input.maxSurge > 0 ? input.maxSurge : 0;
  // Nothing serving yet (a first deploy, or everything crashed): there is no traffic to protect,
  // so every missing replica starts at once instead of maxSurge at a time.
  const batchSize = serving.size === 0 ? Math.max(1, missing.length) : Math.max(1, surge > 0 ? surge : input.maxUnavailable);
  if (missing.length > 0) await pushBackends();

  // A canary only updates something that serves: on a first deploy there is nothing to compare with.
  if (input.canary && missing.length > 0 && serving.size > 0 && current.size === 0) {
    const ordinals = missing.slice(0, canaryCount(replicas, input.canary));
    const canary = await runCanary(input, input.canary, live, serving, ordinals, pushBackends);
    for (const r of canary) current.set(r.ordinal, r);
    if (canary.length > 0 && input.onHold && input.canary.promote === 'manual') {
      input.onHold(canary);
      return canary;
    }
    // Promoted: the canaries take their ordinals' place, like any batch (a later failure puts the old back).
    const old = canary.map((r) => ({ r, old: [...serving.values()].filter((x) => x.ordinal === r.ordinal && x.specHash !== specHash) }));
    for (const o of old) {
      for (const x of o.old) serving.delete(x.containerId);
      swapped.push({ ordinal: o.r.ordinal, fresh: o.r, old: o.old });
    }
    await pushBackends();
    const toStop = old.flatMap((o) => o.old);
    await drain(input, toStop);
    for (const x of toStop) await driver.stopReplica(x).catch(() => undefined);
    missing = missing.filter((o) => !ordinals.includes(o));
    input.progress(`canary promoted: rolling the other ${missing.length} replica${missing.length === 1 ? '' : 's'}`);
  }

  for (let i = 0; i < missing.length; i += batchSize) {
    if (input.signal.aborted) throw new BerthError('deploy.interrupted', `rollout of ${id} interrupted`, { hint: 'run berth deploy again to finish it' });
    const batch = missing.slice(i, i + batchSize);
    // Without surge, room is made first: the old replicas of these ordinals stop before new ones start.
    const oldOf = (o: number): Replica[] => [...serving.values()].filter((r) => r.ordinal === o && r.specHash !== specHash);
    const stoppedFirst: Replica[] = [];
    if (surge === 0) {
      for (const o of batch) for (const r of oldOf(o)) serving.delete(r.containerId);
      await pushBackends();
      await drain(input, batch.flatMap((o) => live.filter((x) => x.ordinal === o && x.specHash !== specHash)));
      for (const o of batch) {
        for (const r of live.filter((x) => x.ordinal === o && x.specHash !== specHash && x.state === 'running')) {
          await driver.stopReplica(r);
          stoppedFirst.push(r);
        }
      }
    }
    // A container of this spec and ordinal that is not ready — created but never started by a
    // deploy killed in between, or stopped by an engine restart — holds the name the new
    // replica gets (name = cluster-resource-ordinal-spec): without this, every rerun fails on
    // a name conflict. It serves nothing, so it goes before the new one is created.
    for (const o of batch) {
      for (const r of live.filter((x) => x.ordinal === o && x.specHash === specHash && !serving.has(x.containerId))) await driver.removeReplica(r);
    }
    input.progress(`starting replica${batch.length > 1 ? 's' : ''} ${batch.join(', ')} of ${replicas}`);
    const started = await Promise.allSettled(batch.map((o) => driver.startReplica(input.spec(o), input.signal)));
    const fresh = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const startError = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const readiness = await Promise.all(fresh.map((r) => driver.waitReady(r, input.progressDeadlineMs, input.signal)));
    const failed = readiness.findIndex((x) => !x.ready);
    if (startError || failed >= 0) {
      const why = startError
        ? { reason: startError.reason instanceof Error ? startError.reason.message : String(startError.reason), detail: [] as readonly string[] }
        : (readiness[failed] as NotReady);
      const who = startError ? `a new replica of ${id} could not start` : `replica ${fresh[failed]?.ordinal} of ${id} did not become ready`;
      for (const r of fresh) await driver.removeReplica(r).catch(() => undefined);
      // Without surge the old replicas of this batch were stopped to make room: they come back first.
      if (stoppedFirst.length > 0) swapped.push({ ordinal: -1, fresh: { ...(stoppedFirst[0] as Replica), containerId: '' }, old: stoppedFirst });
      // Nothing served before this rollout (a first deploy): there is nothing to roll back to,
      // and saying "the previous replicas keep serving" would be false.
      const rolledBack = serving.size > 0 || swapped.length > 0 ? await rollBack(input, serving, swapped, pushBackends) : false;
      throw new RolloutFailed(`${who}: ${why.reason}`, why.detail, rolledBack);
    }
    // Ready: into the Services first, then the old ones out, then the old ones stop.
    for (const r of fresh) {
      serving.set(r.containerId, r);
      current.set(r.ordinal, r);
    }
    await pushBackends();
    for (const r of fresh) {
      // The replicas stopped first to make room (no surge) are what this one replaced too: a
      // later batch's failure must start them again, or the rollback leaves nothing serving.
      const old = oldOf(r.ordinal)
        .concat(stale().filter((x) => x.ordinal === r.ordinal && x.containerId !== r.containerId))
        .concat(stoppedFirst.filter((x) => x.ordinal === r.ordinal));
      const uniq = [...new Map(old.map((x) => [x.containerId, x])).values()];
      for (const x of uniq) serving.delete(x.containerId);
      swapped.push({ ordinal: r.ordinal, fresh: r, old: uniq });
    }
    await pushBackends();
    // Out of the Services now: in-flight requests finish (bounded), then the stop signal. The
    // replicas stopped first (no surge) are already stopped.
    const toStop = swapped.slice(-fresh.length).flatMap((s) => s.old.filter((x) => !stoppedFirst.includes(x)));
    await drain(input, toStop);
    for (const x of toStop) await driver.stopReplica(x).catch(() => undefined);
    input.progress(`${current.size}/${replicas} replicas ready`);
  }

  // Scale down and clean up: anything not current leaves the Services, then is removed.
  const keep = new Set([...current.values()].map((r) => r.containerId));
  // Only which containers exist matters here, not their addresses.
  const extra = (await driver.listReplicas(id, { addresses: false })).filter((r) => !keep.has(r.containerId));
  if (extra.length > 0) {
    // The serving entry knows where a replica is reached, which the drain needs.
    const known = extra.map((r) => serving.get(r.containerId) ?? r);
    for (const r of extra) serving.delete(r.containerId);
    await pushBackends();
    // A running one finishes its in-flight requests and gets its stop signal before it goes.
    await drain(input, known);
    for (const r of extra) {
      if (r.state === 'running') await driver.stopReplica(r).catch(() => undefined);
      await driver.removeReplica(r);
    }
  }
  return [...current.values()].sort((a, b) => a.ordinal - b.ordinal);
}

/**
 * Starts the canary replicas of `ordinals` beside the old ones, puts them into the Services
 * once ready, and watches them for the pause: health and the proxies' error counts. Returns the
 * canary replicas when it may be promoted (or held); on a failure it removes them — the old
 * replicas were never touched — and throws RolloutFailed (rolled back) with the reason.
 */
async function runCanary(input: RolloutInput, spec: CanarySpec, live: readonly Replica[], serving: Map<string, Replica>, ordinals: readonly number[], push: () => Promise<void>): Promise<Replica[]> {
  const { driver, id, specHash } = input;
  const serviceIds = input.services.map((s) => s.id);
  // Same name as the canary (a container of this spec and ordinal left not ready by a kill): it serves nothing.
  for (const o of ordinals) for (const r of live.filter((x) => x.ordinal === o && x.specHash === specHash && !serving.has(x.containerId))) await driver.removeReplica(r);
  input.progress(`canary: starting ${ordinals.length} replica${ordinals.length === 1 ? '' : 's'} of the new spec beside ${serving.size}`);
  const started = await Promise.allSettled(ordinals.map((o) => driver.startReplica(input.spec(o), input.signal)));
  const fresh = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const abort = async (reason: string, detail: readonly string[]): Promise<never> => {
    for (const r of fresh) serving.delete(r.containerId);
    await push();
    await drain(input, fresh);
    for (const r of fresh) await driver.removeReplica(r).catch(() => undefined);
    input.progress('canary aborted: the old replicas are serving, untouched');
    throw new RolloutFailed(`canary of ${id} aborted: ${reason}`, detail, true);
  };
  const startError = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (startError) return abort(`a canary replica could not start: ${startError.reason instanceof Error ? startError.reason.message : String(startError.reason)}`, []);
  const readiness = await Promise.all(fresh.map((r) => driver.waitReady(r, input.progressDeadlineMs, input.signal)));
  const failed = readiness.findIndex((x) => !x.ready);
  if (failed >= 0) {
    const why = readiness[failed] as NotReady;
    return abort(`canary replica ${fresh[failed]?.ordinal} did not become ready: ${why.reason}`, why.detail);
  }
  for (const r of fresh) serving.set(r.containerId, r);
  await push();
  const errorsOf = async (): Promise<number> => {
    if (!driver.replicaErrors || serviceIds.length === 0) return 0;
    const counts = await Promise.all(fresh.map((r) => driver.replicaErrors?.(r, serviceIds).catch(() => 0) ?? 0));
    return counts.reduce((a, b) => a + b, 0);
  };
  // A running total, read once now: only what happens from here on counts against the canary.
  const base = await errorsOf();
  const t0 = Date.now();
  input.progress(`canary: ${fresh.length} replica${fresh.length === 1 ? '' : 's'} serving beside ${serving.size - fresh.length}; watching for ${Math.round(spec.pause / 1000)}s`);
  for (;;) {
    if (input.signal.aborted) throw new BerthError('deploy.interrupted', `rollout of ${id} interrupted during its canary`, { hint: 'run berth deploy again: it finds the canary and rolls the rest' });
    const now = new Map((await driver.listReplicas(id, { addresses: false })).map((r) => [r.containerId, r]));
    const down = fresh.find((r) => {
      const x = now.get(r.containerId);
      return !x || !isReadyNow(x);
    });
    const downNow = down ? now.get(down.containerId) : undefined;
    const notReady = down ? `canary replica ${down.ordinal} is ${downNow ? `${downNow.state}${downNow.health !== 'none' ? ` (${downNow.health})` : ''}` : 'gone'}` : undefined;
    const d = decideCanary(spec, { elapsedMs: Date.now() - t0, errors: (await errorsOf()) - base, ...(notReady !== undefined ? { notReady } : {}) });
    if (d.decision === 'abort') return abort(d.reason, []);
    if (d.decision === 'promote') return fresh;
    if (d.decision === 'hold') {
      input.progress('canary passed its pause; holding for berth promote or berth abort');
      return fresh;
    }
    await sleep(Math.min(CANARY_LOOK_MS, Math.max(0, spec.pause - (Date.now() - t0))), input.signal);
  }
}

/** Puts the replaced replicas back: old ones start again, take their place in the Services, new ones go. */
async function rollBack(input: RolloutInput, serving: Map<string, Replica>, swapped: Array<{ ordinal: number; fresh: Replica; old: Replica[] }>, push: () => Promise<void>): Promise<boolean> {
  let ok = true;
  for (const s of swapped.reverse()) {
    // Without surge the rollback honours the same bound as the rollout: the new replica goes
    // before the old one comes back (maxUnavailable ≥ 1 then), never one more than `replicas`.
    const freshFirst = input.maxSurge === 0 && s.fresh.containerId !== '';
    if (freshFirst) {
      serving.delete(s.fresh.containerId);
      await push();
      await drain(input, [s.fresh]);
      await input.driver.removeReplica(s.fresh).catch(() => undefined);
    }
    for (const old of s.old) {
      try {
        const again = await input.driver.restartReplica(old);
        const ready = await input.driver.waitReady(again, input.progressDeadlineMs, input.signal);
        if (!ready.ready) {
          ok = false;
          continue;
        }
        serving.set(again.containerId, again);
      } catch {
        ok = false;
      }
    }
    if (s.fresh.containerId === '' || freshFirst) {
      await push();
      continue;
    }
    serving.delete(s.fresh.containerId);
    await push();
    await drain(input, [s.fresh]);
    await input.driver.removeReplica(s.fresh).catch(() => undefined);
  }
  // Success is announced once, by the failed step itself (rolledBack: "rolled back: the previous
  // replicas keep serving"); only a rollback that did not finish needs its own line.
  if (!ok) input.progress('rollback incomplete');
  return ok;
}
