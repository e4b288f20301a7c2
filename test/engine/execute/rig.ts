/**
 * A deploy the way `berth deploy` runs one, without Docker: a real LocalStateStore in a tmp
 * folder, the in-memory driver, plan() against state and observation, then execute(). The
 * store is wrapped so that a killed driver takes the "process" down with it: a write after the
 * kill never becomes durable, as nothing is written by a SIGKILLed process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Cluster, Config, Deployment, Image, ImageBuild, Job, Secret, Service, Volume, type GraphJson } from '@berth/core';
import { execute, type ExecuteInput, type ExecuteResult } from '../../../packages/engine/src/execute/executor.ts';
import type { DeployEvent } from '../../../packages/engine/src/execute/events.ts';
import { plan, type Plan } from '../../../packages/engine/src/plan/index.ts';
import { LocalStateStore, newState, secretVersion, StateJson, type State, type StateLock, type StateStore } from '../../../packages/engine/src/state/index.ts';
import { MemoryDriver, MemoryKilled, type MemoryDriverOptions } from '../../../packages/engine/src/targets/memory/index.ts';
import { graphOf as planGraphOf, reader } from '../plan-builders.ts';

export const SECRET = 's3cret';

/** Synthesizes one cluster named `name`, built by `build`; build contexts hash to `hashes[context]`. */
export function graphOf(name: string, build: (c: Cluster) => void, hashes: Record<string, string> = {}): GraphJson {
  return planGraphOf(build, reader(hashes), name);
}

/** examples/shop in small: volume, config, secret, build, migration job, API + Service, worker. */
export function shop(o: { apiReplicas?: number; version?: string; surge?: number; unavailable?: number; withWorker?: boolean } = {}) {
  return (c: Cluster): void => {
    const orders = new Volume(c, 'orders');
    const settings = new Config(c, 'settings', { data: 'currency = EUR\n' });
    const key = new Secret(c, 'api-key', { fromEnv: 'SHOP_API_KEY' });
    const image = new ImageBuild(c, 'api-image', { context: './api' });
    const migrate = new Job(c, 'migrate', { image, command: ['/app/migrate.sh'], mounts: [{ volume: orders, path: '/data' }], timeout: '1m' });
    const api = new Deployment(c, 'api', {
      image,
      replicas: o.apiReplicas ?? 2,
      ports: [8080],
      env: { VERSION: o.version ?? 'v1' },
      mounts: [
        { volume: orders, path: '/data' },
        { config: settings, path: '/etc/shop.conf' },
        { secret: key, path: '/run/secrets/api-key' },
      ],
      health: { http: { path: '/health', port: 8080 }, interval: '1s', timeout: '1s', retries: 3 },
      update: { maxSurge: o.surge ?? 1, maxUnavailable: o.unavailable ?? 0 },
      dependsOn: [migrate],
    });
    const svc = new Service(c, 'api-svc', { target: api, name: 'api', ports: [{ port: 80, targetPort: 8080 }] });
    if (o.withWorker ?? true) {
      const busybox = new Image(c, 'busybox', { name: 'busybox:1' });
      new Deployment(c, 'worker', { image: busybox, command: ['sh', '-c', 'sleep 1d'], env: { API: `http://${svc.host}:${svc.port}` } });
    }
  };
}

export interface DeployRun {
  /** undefined when the process was killed before it planned. */
  readonly plan: Plan | undefined;
  /** undefined when the plan had nothing to do (deploy prints "no changes" and stops). */
  readonly result: ExecuteResult | undefined;
  readonly events: DeployEvent[];
  /** State writes made durable by this run. */
  readonly writes: number;
  /** The driver was killed during the run (the process died). */
  readonly killed: boolean;
}

export interface RigOptions extends Partial<MemoryDriverOptions> {
  /** Called after each durable state write of a deploy, with its 1-based count in that deploy. */
  readonly afterWrite?: (n: number, written: State, driver: MemoryDriver) => void;
}

/** A cluster's runtime (the memory driver) and its `.berth` folder, across deploys. */
export class Rig {
  readonly dir: string;
  readonly store: LocalStateStore;
  readonly driver: MemoryDriver;
  afterWrite: RigOptions['afterWrite'];

  constructor(
    readonly cluster: string,
    opts: RigOptions = {},
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'berth-exec-'));
    this.store = new LocalStateStore({ dir: join(this.dir, '.berth'), displayBase: this.dir });
    this.driver = new MemoryDriver({ cluster, images: { 'busybox:1': 'sha256:busybox' }, ...opts });
    this.afterWrite = opts.afterWrite;
  }

  /** The store as a process sees it: dead with the driver. */
  private processStore(counter: { writes: number }): StateStore {
    const real = this.store;
    const driver = this.driver;
    const rig = this;
    return {
      location: real.location,
      read: (c) => real.read(c),
      lock: (c, op) => real.lock(c, op),
      unlock: (l) => real.unlock(l),
      forceUnlock: (c) => real.forceUnlock(c),
      readLock: (c) => real.readLock(c),
      history: (c) => real.history(c),
      writeSnapshot: (c, h, t) => real.writeSnapshot(c, h, t),
      readSnapshot: (c, h) => real.readSnapshot(c, h),
      pruneSnapshots: (c, k) => real.pruneSnapshots(c, k),
      secretKey: (c) => real.secretKey(c),
      async write(lock: StateLock, next: State): Promise<State> {
        if (driver.isKilled) throw new MemoryKilled('a state write');
        const written = await real.write(lock, next);
        counter.writes++;
        rig.afterWrite?.(counter.writes, written, driver);
        // Durable — but a process killed right after never goes on from here.
        if (driver.isKilled) throw new MemoryKilled('returning from a state write');
        return written;
      },
    };
  }

  /** One `berth deploy --yes`: lock, read state, observe, plan, execute, unlock. */
  async deploy(graph: GraphJson, opts: { parallelism?: number; signal?: AbortSignal; extra?: (state: State) => Partial<ExecuteInput> } = {}): Promise<DeployRun> {
    this.driver.revive();
    const counter = { writes: 0 };
    const store = this.processStore(counter);
    // A killed run's lock is left behind; the next "process" takes it over (same pid here).
    await this.store.forceUnlock(this.cluster);
    const lock = await store.lock(this.cluster, 'deploy');
    const events: DeployEvent[] = [];
    try {
      return await this.planAndExecute(graph, store, lock, counter, events, opts);
    } catch (e) {
      // The "process" died mid-deploy: what it did is what the rerun finds.
      if (this.driver.isKilled) return { plan: undefined, result: undefined, events, writes: counter.writes, killed: true };
      throw e;
    } finally {
      if (!this.driver.isKilled) await this.store.unlock(lock);
    }
  }

  private async planAndExecute(graph: GraphJson, store: StateStore, lock: StateLock, counter: { writes: number }, events: DeployEvent[], opts: { parallelism?: number; signal?: AbortSignal; extra?: (state: State) => Partial<ExecuteInput> }): Promise<DeployRun> {
    const recorded = await store.read(this.cluster);
    const state = recorded ?? newState(this.cluster);
    const secretVersions = { 'api-key': secretVersion(SECRET, state.lineage) };
    const observed = await this.driver.observe();
    const p = plan({ graph, state: recorded, observed, secretVersions });
    if (!p.changes.some((c) => c.action !== 'noop')) return { plan: p, result: undefined, events, writes: counter.writes, killed: false };
    const result = await execute({
      graph,
      plan: p,
      driver: this.driver,
      store,
      lock,
      state,
      secrets: new Map([['api-key', SECRET]]),
      secretVersions,
      appDir: this.dir,
      parallelism: opts.parallelism ?? 8,
      release: `r${state.serial + 1}`,
      signal: opts.signal ?? new AbortController().signal,
      emit: (e) => events.push(e),
      ...opts.extra?.(state),
    });
    return { plan: p, result, events, writes: counter.writes, killed: this.driver.isKilled };
  }

  /** The state file as the next process reads it, checked by the full schema. */
  async state(): Promise<State | undefined> {
    const s = await this.store.read(this.cluster);
    return s === undefined ? undefined : StateJson.parse(structuredClone(s));
  }

  dispose(): void {
    this.driver.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The runtime matches the program and state exactly: every Deployment has one running, ready
 * container per ordinal on the replica hash state records, each Job one container, each
 * Service one proxy; nothing else carries the cluster's objects; the journal has no open step.
 */
export async function expectConverged(rig: Rig, graph: GraphJson): Promise<void> {
  const state = await rig.state();
  if (!state) throw new Error('no state');
  const dump = (): string => JSON.stringify([...rig.driver.containers.values()].map((c) => `${c.name} ${c.state}/${c.health}`));
  for (const r of graph.resources) {
    const cs = rig.driver.of(r.id);
    if (r.kind === 'Deployment') {
      const want = state.resources[r.id]?.replicaHash ?? state.resources[r.id]?.specHash;
      expect(cs.map((c) => c.ordinal).sort(), `${r.id} ordinals: ${dump()}`).toEqual([...Array(r.props.replicas).keys()]);
      expect(cs.every((c) => c.state === 'running' && c.health !== 'unhealthy' && c.specHash === want), `${r.id} replicas: ${dump()}`).toBe(true);
    } else if (r.kind === 'Job') {
      expect(cs.length, `${r.id}: ${dump()}`).toBe(1);
      expect(cs[0]?.exitCode, `${r.id} exit`).toBe(0);
    } else if (r.kind === 'Service') {
      expect(cs.map((c) => c.component), `${r.id}: ${dump()}`).toEqual(['proxy']);
    }
  }
  const ids = new Set(graph.resources.map((r) => r.id));
  expect([...rig.driver.containers.values()].filter((c) => !ids.has(c.resourceId)).map((c) => c.name), 'containers of no resource').toEqual([]);
  expect((state.journal?.entries ?? []).filter((e) => e.status === 'started').map((e) => e.id), 'open journal steps').toEqual([]);
}
