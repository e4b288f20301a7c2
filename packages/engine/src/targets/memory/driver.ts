/**
 * The in-memory target: a real implementation of the Driver interface that keeps containers,
 * networks, volumes, images and Service proxies in memory. Executor and rollout tests run on it
 * without Docker. It behaves like the Docker driver where the executor can tell: names are
 * `<cluster>-<resource>-<ordinal>-<spec8>` and a second container of the same name is refused,
 * stopped containers stay until removed, health turns `healthy` after a delay, a Job's run goes
 * on without the process that started it, and observe() reads ownership from labels only.
 *
 * It can be told to fail (`fail`: a start, a readiness check, a job, a build) and to die
 * (`kill`): from then on every call throws, as calls of a killed process never happen, while
 * the containers keep running — a rerun (`revive`) finds them as a restarted berth would.
 * `onCall` sees every call before it acts, to kill at a chosen point mid-step.
 */
import { DriverError, type ImageBuildSpec } from '@berth/core';
import type { DestroyResult, Driver, JobOutcome, NodeStatus, Readiness, Replica, RunSpec, ServiceOutputs, ServiceRunSpec, VolumeChoice } from '../driver.ts';
import type { Observed, ObservedResource } from '../../plan/observed.ts';

/** One container as the memory runtime holds it. */
export interface MemoryContainer {
  readonly id: string;
  readonly name: string;
  readonly resourceId: string;
  readonly component: 'replica' | 'proxy';
  readonly kind: 'Deployment' | 'Job' | 'Service';
  readonly ordinal: number;
  readonly specHash: string;
  readonly release: string;
  readonly node: string;
  state: Replica['state'];
  health: Replica['health'];
  exitCode?: number;
  /** Why a `ready` fault made it fail. */
  reason?: string;
  readonly spec?: RunSpec;
  readonly service?: ServiceRunSpec;
  /** A proxy's backends (`address:port` per listener). */
  backends?: string[];
  /** Monotonic: the order containers were created in. */
  readonly seq: number;
}

/** The driver calls `onCall` and `fail` can act on. */
export type MemoryOp =
  | 'prepare'
  | 'buildImage'
  | 'resolveImage'
  | 'ensureVolume'
  | 'removeVolume'
  | 'ensureNetwork'
  | 'removeNetwork'
  | 'listReplicas'
  | 'startReplica'
  | 'waitReady'
  | 'drainReplica'
  | 'stopReplica'
  | 'restartReplica'
  | 'removeReplica'
  | 'runJob'
  | 'ensureService'
  | 'setServiceBackends'
  | 'removeService'
  | 'observe'
  | 'destroy';

export interface MemoryCall {
  readonly op: MemoryOp;
  readonly resourceId: string | undefined;
  /** 1-based count of calls so far (across revives). */
  readonly n: number;
}

/** What a fault applies to: a replica start, its readiness, a job run's exit, a build. */
export type FaultOn = 'start' | 'ready' | 'job' | 'build';

export interface Fault {
  readonly on: FaultOn;
  /** Resource id this fault hits (all when absent). */
  readonly resourceId?: string;
  /** Only containers with this spec hash (all when absent). */
  readonly specHash?: string;
  readonly reason?: string;
  /** For `job`: the exit code. @default 1 */
  readonly exitCode?: number;
  /** How many times it fires; unlimited when absent. */
  times?: number;
  /** Matching events let through before it fires (fail the third start: `skip: 2`). */
  skip?: number;
}

export interface MemoryDriverOptions {
  readonly cluster: string;
  /** The nodes; default one reachable node `local` with room for anything. */
  readonly nodes?: readonly NodeStatus[];
  /** Images already on the engine, name → id (for `Image` resources). */
  readonly images?: Readonly<Record<string, string>>;
  /** How long a started replica takes to turn healthy. @default 5 */
  readonly readyAfterMs?: number;
  /** How long a job's run takes. @default 5 */
  readonly jobMs?: number;
  /** How long a build takes when not cached. @default 1 */
  readonly buildMs?: number;
}

/** Thrown by every call of a killed driver: the process is gone, nothing it would do happens. */
export class MemoryKilled extends DriverError {
  constructor(op: string) {
    super('driver.unreachable', `killed (memory driver) before ${op}`, { driver: 'memory' });
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class MemoryDriver implements Driver {
  readonly name = 'memory';
  readonly cluster: string;
  readonly containers = new Map<string, MemoryContainer>();
  readonly volumes = new Map<string, { readonly resourceId: string }>();
  readonly networks = new Map<string, { readonly resourceId: string | undefined }>();
  /** Image name → id: seeded ones and those built. */
  readonly images = new Map<string, string>();
  /** Faults still armed. */
  readonly faults: Fault[] = [];
  /** Every call, in order (ops with their resource id). */
  readonly calls: MemoryCall[] = [];
  /** Called before each call acts; may `kill()` (the call then throws). */
  onCall: ((call: MemoryCall, driver: MemoryDriver) => void) | undefined;
  /** Called after anything changed, with what changed: tests check invariants at every step. */
  onChange: ((what: string, driver: MemoryDriver) => void) | undefined;
  private killed = false;
  private seq = 0;
  private readonly nodes: readonly NodeStatus[];
  private readonly readyAfterMs: number;
  private readonly jobMs: number;
  private readonly buildMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(opts: MemoryDriverOptions) {
    this.cluster = opts.cluster;
    this.nodes = opts.nodes ?? [{ name: 'local', labels: {}, capacity: { cpu: 64_000, memory: 2 ** 40 }, reachable: true, volumes: [] }];
    for (const [name, id] of Object.entries(opts.images ?? {})) this.images.set(name, id);
    this.readyAfterMs = opts.readyAfterMs ?? 5;
    this.jobMs = opts.jobMs ?? 5;
    this.buildMs = opts.buildMs ?? 1;
  }

  // ---- the test's handles ----

  /** The process dies: every later call throws until `revive()`. The runtime goes on. */
  kill(): void {
    this.killed = true;
  }
  get isKilled(): boolean {
    return this.killed;
  }
  /** A new process talks to the same runtime. */
  revive(): void {
    this.killed = false;
  }
  fail(fault: Fault): void {
    this.faults.push(fault);
  }
  /** Containers of a resource (replicas or proxy), in creation order. */
  of(resourceId: string): MemoryContainer[] {
    return [...this.containers.values()].filter((c) => c.resourceId === resourceId).sort((a, b) => a.seq - b.seq);
  }
  /** Stops the timers of containers still turning healthy or running a job. */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private enter(op: MemoryOp, resourceId: string | undefined): void {
    if (this.killed) throw new MemoryKilled(op);
    const call = { op, resourceId, n: this.calls.length + 1 };
    this.calls.push(call);
    this.onCall?.(call, this);
    if (this.killed) throw new MemoryKilled(op);
  }

  private changed(what: string): void {
    this.onChange?.(what, this);
  }

  private fault(on: FaultOn, resourceId: string, specHash?: string): Fault | undefined {
    const f = this.faults.find((x) => x.on === on && (x.resourceId === undefined || x.resourceId === resourceId) && (x.specHash === undefined || x.specHash === specHash) && (x.times === undefined || x.times > 0));
    if (!f) return undefined;
    if (f.skip !== undefined && f.skip > 0) {
      f.skip--;
      return undefined;
    }
    if (f.times !== undefined) f.times--;
    return f;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private toReplica(c: MemoryContainer, addresses = true): Replica {
    const n = Number.parseInt(c.id.slice(1), 10);
    return {
      resourceId: c.resourceId,
      ordinal: c.ordinal,
      containerId: c.id,
      name: c.name,
      node: c.node,
      specHash: c.specHash,
      release: c.release,
      state: c.state,
      health: c.health,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(addresses && c.state === 'running' ? { address: `10.0.${(n >> 8) & 255}.${n & 255}` } : {}),
    };
  }

  private create(fields: Omit<MemoryContainer, 'id' | 'seq'>): MemoryContainer {
    for (const c of this.containers.values()) {
      if (c.name === fields.name) {
        throw new DriverError('driver.failed', `container name "${fields.name}" is already in use by ${c.id}`, { driver: 'memory', resourceId: fields.resourceId, hint: 'remove it first' });
      }
    }
    this.seq++;
    const c: MemoryContainer = { ...fields, id: `c${this.seq}`, seq: this.seq };
    this.containers.set(c.id, c);
    return c;
  }

  /** Starts the health clock of a running replica: healthy after the delay unless a `ready` fault says otherwise. */
  private startHealth(c: MemoryContainer): void {
    const f = this.fault('ready', c.resourceId, c.specHash);
    const hasProbe = c.spec?.health !== undefined;
    c.health = hasProbe ? 'starting' : 'none';
    this.later(this.readyAfterMs, () => {
      if (this.containers.get(c.id) !== c || c.state !== 'running') return;
      if (f) {
        if (hasProbe) c.health = 'unhealthy';
        else {
          c.state = 'exited';
          c.exitCode = 1;
        }
      } else if (hasProbe) c.health = 'healthy';
      if (f?.reason !== undefined) c.reason = f.reason;
      this.changed(`health ${c.name}`);
    });
  }

  // ---- Driver ----

  async nodeStatus(): Promise<NodeStatus[]> {
    return this.nodes.map((n) => ({ ...n, volumes: [...this.volumes.values()].map((v) => v.resourceId) }));
  }

  async observe(): Promise<Observed> {
    this.enter('observe', undefined);
    const resources: Record<string, ObservedResource> = {};
    const groups = new Map<string, MemoryContainer[]>();
    for (const c of [...this.containers.values()].sort((a, b) => a.seq - b.seq)) {
      if (c.component === 'proxy') {
        resources[c.resourceId] = { kind: 'Service', exists: c.state === 'running', specHash: c.specHash };
        continue;
      }
      groups.set(c.resourceId, [...(groups.get(c.resourceId) ?? []), c]);
    }
    for (const [id, cs] of groups) {
      resources[id] = {
        kind: cs[0]?.kind === 'Job' ? 'Job' : 'Deployment',
        exists: true,
        replicas: cs.map((c) => ({ ordinal: c.ordinal, node: c.node, containerId: c.id, specHash: c.specHash, state: c.state === 'running' ? 'running' : 'exited', health: c.health })),
      };
    }
    return { cluster: this.cluster, kinds: ['Deployment', 'Service'], resources };
  }

  async prepare(): Promise<void> {
    this.enter('prepare', undefined);
    if (!this.networks.has(this.cluster)) {
      this.networks.set(this.cluster, { resourceId: undefined });
      this.changed('network');
    }
  }

  async buildImage(id: string, props: ImageBuildSpec, _appDir: string, onLog: (line: string) => void): Promise<{ image: string; cached: boolean }> {
    this.enter('buildImage', id);
    const tag = `berth/${this.cluster}/${id}:${props.contentHash.slice(0, 12)}`;
    const have = this.images.get(tag);
    if (have) return { image: have, cached: true };
    onLog('step 1/1');
    await delay(this.buildMs);
    if (this.killed) throw new MemoryKilled('buildImage');
    const f = this.fault('build', id);
    if (f) throw new DriverError('driver.build-failed', f.reason ?? `build of ${id} failed`, { driver: 'memory', resourceId: id });
    const image = `sha256:${Buffer.from(tag).toString('hex').slice(0, 32)}`;
    this.images.set(tag, image);
    this.changed('image');
    return { image, cached: false };
  }

  async resolveImage(id: string, name: string): Promise<{ image: string }> {
    this.enter('resolveImage', id);
    // By name, or by id as Docker resolves one (a rollback pins images by id).
    const image = this.images.get(name) ?? ([...this.images.values()].includes(name) ? name : undefined);
    if (!image) throw new DriverError('driver.failed', `image "${name}" is not on the engine (memory)`, { driver: 'memory', resourceId: id });
    return { image };
  }

  async ensureVolume(id: string, _props: unknown, name?: string): Promise<{ name: string }> {
    this.enter('ensureVolume', id);
    const n = name ?? `${this.cluster}-${id}`;
    if (!this.volumes.has(n)) {
      this.volumes.set(n, { resourceId: id });
      this.changed('volume');
    }
    return { name: n };
  }

  async removeVolume(id: string): Promise<void> {
    this.enter('removeVolume', id);
    this.volumes.delete(`${this.cluster}-${id}`);
    this.changed('volume');
  }

  async ensureNetwork(id: string): Promise<{ name: string }> {
    this.enter('ensureNetwork', id);
    const name = `${this.cluster}-${id}`;
    if (!this.networks.has(name)) {
      this.networks.set(name, { resourceId: id });
      this.changed('network');
    }
    return { name };
  }

  async removeNetwork(id: string): Promise<void> {
    this.enter('removeNetwork', id);
    this.networks.delete(`${this.cluster}-${id}`);
    this.changed('network');
  }

  async listReplicas(resourceId: string, opts: { readonly addresses?: boolean } = {}): Promise<Replica[]> {
    this.enter('listReplicas', resourceId);
    return [...this.containers.values()]
      .filter((c) => c.component === 'replica' && c.resourceId === resourceId)
      .map((c) => this.toReplica(c, opts.addresses !== false))
      .sort((a, b) => a.ordinal - b.ordinal || (a.name < b.name ? -1 : 1));
  }

  private replicaName(spec: RunSpec): string {
    return `${this.cluster}-${spec.resourceId}-${spec.ordinal}-${spec.specHash.slice(0, 8)}`;
  }

  async startReplica(spec: RunSpec): Promise<Replica> {
    this.enter('startReplica', spec.resourceId);
    const f = this.fault('start', spec.resourceId, spec.specHash);
    if (f) throw new DriverError('driver.failed', f.reason ?? `container of ${spec.resourceId} could not start`, { driver: 'memory', resourceId: spec.resourceId });
    const c = this.create({
      name: this.replicaName(spec),
      resourceId: spec.resourceId,
      component: 'replica',
      kind: spec.kind,
      ordinal: spec.ordinal,
      specHash: spec.specHash,
      release: spec.release,
      node: spec.node ?? this.nodes[0]?.name ?? 'local',
      state: 'running',
      health: 'none',
      spec,
    });
    this.startHealth(c);
    this.changed(`start ${c.name}`);
    return this.toReplica(c);
  }

  async waitReady(replica: Replica, deadlineMs: number, signal?: AbortSignal): Promise<Readiness> {
    this.enter('waitReady', replica.resourceId);
    const t0 = Date.now();
    for (;;) {
      if (this.killed) throw new MemoryKilled('waitReady');
      const c = this.containers.get(replica.containerId);
      if (!c) return { ready: false, reason: 'the container disappeared while starting', detail: [] };
      const why = c.reason;
      if (c.state !== 'running') return { ready: false, reason: why ?? `exited with code ${c.exitCode ?? 1}`, detail: [] };
      if (c.health === 'healthy') return { ready: true, elapsedMs: Date.now() - t0 };
      if (c.health === 'unhealthy') return { ready: false, reason: why ?? 'health check failed 3 times', detail: ['probe output: refused'] };
      // No probe: running a moment after the start is ready (the Docker driver asks for a second).
      if (c.health === 'none' && Date.now() - t0 >= this.readyAfterMs) return { ready: true, elapsedMs: Date.now() - t0 };
      if (signal?.aborted || Date.now() - t0 >= deadlineMs) return { ready: false, reason: `not ready within the progress deadline (last status ${c.health})`, detail: [] };
      await delay(1);
    }
  }

  /** No connections are held in memory: drained once no proxy of these Services lists it. */
  async drainReplica(replica: Replica, serviceIds: readonly string[]): Promise<boolean> {
    this.enter('drainReplica', replica.resourceId);
    const c = this.containers.get(replica.containerId);
    if (!c) return true;
    const mine = this.toReplica(c).address;
    return !serviceIds.some((id) => this.proxyOf(id)?.backends?.some((b) => mine !== undefined && b.startsWith(`${mine}:`)));
  }

  async stopReplica(replica: Replica): Promise<void> {
    this.enter('stopReplica', replica.resourceId);
    const c = this.containers.get(replica.containerId);
    if (!c || c.state !== 'running') return;
    c.state = 'exited';
    c.exitCode = 0;
    c.health = 'none';
    this.changed(`stop ${c.name}`);
  }

  async restartReplica(replica: Replica): Promise<Replica> {
    this.enter('restartReplica', replica.resourceId);
    const c = this.containers.get(replica.containerId);
    if (!c) throw new DriverError('driver.failed', `no container ${replica.containerId}`, { driver: 'memory', resourceId: replica.resourceId });
    c.state = 'running';
    delete c.exitCode;
    this.startHealth(c);
    this.changed(`restart ${c.name}`);
    return this.toReplica(c);
  }

  async removeReplica(replica: Replica): Promise<void> {
    this.enter('removeReplica', replica.resourceId);
    if (this.containers.delete(replica.containerId)) this.changed(`remove ${replica.name}`);
  }

  async runJob(spec: RunSpec, _timeoutMs: number, signal?: AbortSignal): Promise<JobOutcome> {
    this.enter('runJob', spec.resourceId);
    // As the Docker driver: earlier runs go; the latest run's container stays for logs.
    for (const old of this.of(spec.resourceId)) this.containers.delete(old.id);
    const f = this.fault('job', spec.resourceId, spec.specHash);
    const c = this.create({
      name: this.replicaName(spec),
      resourceId: spec.resourceId,
      component: 'replica',
      kind: 'Job',
      ordinal: 0,
      specHash: spec.specHash,
      release: spec.release,
      node: this.nodes[0]?.name ?? 'local',
      state: 'running',
      health: 'none',
      spec,
    });
    this.changed(`job ${c.name}`);
    // The run ends on its own, whether or not anyone still waits for it.
    const ended = new Promise<void>((resolve) =>
      this.later(this.jobMs, () => {
        if (this.containers.get(c.id) === c) {
          c.state = 'exited';
          c.exitCode = f ? (f.exitCode ?? 1) : 0;
          this.changed(`job end ${c.name}`);
        }
        resolve();
      }),
    );
    while (c.state === 'running' && this.containers.get(c.id) === c) {
      if (this.killed) throw new MemoryKilled('runJob');
      if (signal?.aborted) return { ok: false, exitCode: -1, reason: 'interrupted', logs: [], containerId: c.id };
      await Promise.race([ended, delay(1)]);
    }
    const code = c.exitCode ?? -1;
    return { ok: code === 0, exitCode: code, ...(code !== 0 ? { reason: f?.reason ?? `exited with code ${code}` } : {}), logs: code !== 0 ? ['stderr | failed'] : [], containerId: c.id };
  }

  private proxyOf(resourceId: string): MemoryContainer | undefined {
    return [...this.containers.values()].find((c) => c.component === 'proxy' && c.resourceId === resourceId);
  }

  private endpoints(spec: { ports: ServiceRunSpec['ports'] } | undefined, targetPorts: readonly number[], backends: readonly Replica[]): string[] {
    const ports = targetPorts.length > 0 ? targetPorts : (spec?.ports.map((p) => p.targetPort) ?? []);
    return ports.flatMap((tp) => backends.flatMap((b) => (b.address ? [`${b.address}:${tp}`] : [])));
  }

  async ensureService(spec: ServiceRunSpec, backends: readonly Replica[]): Promise<ServiceOutputs> {
    this.enter('ensureService', spec.resourceId);
    const existing = this.proxyOf(spec.resourceId);
    const list = this.endpoints(spec, spec.ports.map((p) => p.targetPort), backends);
    if (existing && existing.specHash === spec.specHash && existing.state === 'running') {
      existing.backends = list;
      this.changed(`backends ${spec.resourceId}`);
      return { proxyContainerId: existing.id, backends: list };
    }
    if (existing) this.containers.delete(existing.id);
    for (const p of spec.ports) {
      if (p.publish === undefined) continue;
      const holder = [...this.containers.values()].find((c) => c.service?.ports.some((q) => q.publish === p.publish));
      if (holder) throw new DriverError('driver.failed', `the proxy of service ${spec.name} did not start: port ${p.publish} is in use by ${holder.name}`, { driver: 'memory', resourceId: spec.resourceId });
    }
    const c = this.create({
      name: `${this.cluster}-${spec.resourceId}-proxy`,
      resourceId: spec.resourceId,
      component: 'proxy',
      kind: 'Service',
      ordinal: 0,
      specHash: spec.specHash,
      release: spec.release,
      node: this.nodes[0]?.name ?? 'local',
      state: 'running',
      health: 'healthy',
      service: spec,
      backends: list,
    });
    this.changed(`proxy ${c.name}`);
    return { proxyContainerId: c.id, backends: list };
  }

  async setServiceBackends(resourceId: string, targetPorts: readonly number[], backends: readonly Replica[]): Promise<boolean> {
    this.enter('setServiceBackends', resourceId);
    const p = this.proxyOf(resourceId);
    if (!p || p.state !== 'running') return false;
    p.backends = this.endpoints(p.service, targetPorts, backends);
    this.changed(`backends ${resourceId}`);
    return true;
  }

  async removeService(resourceId: string): Promise<void> {
    this.enter('removeService', resourceId);
    const p = this.proxyOf(resourceId);
    if (p) {
      this.containers.delete(p.id);
      this.changed(`remove ${p.name}`);
    }
  }

  async destroy(opts: { volumes: VolumeChoice }): Promise<DestroyResult> {
    this.enter('destroy', undefined);
    const containers = this.containers.size;
    this.containers.clear();
    const networks = this.networks.size;
    this.networks.clear();
    let volumes = 0;
    for (const [name, v] of [...this.volumes]) {
      if (opts.volumes === true || (Array.isArray(opts.volumes) && opts.volumes.includes(v.resourceId))) {
        this.volumes.delete(name);
        volumes++;
      }
    }
    this.changed('destroy');
    return { containers, networks, volumes, unreachable: [] };
  }

  async logs(resourceId: string, opts: { onLine: (replica: string, line: string) => void }): Promise<void> {
    for (const c of this.of(resourceId)) opts.onLine(c.name, `${c.name} ${c.state}`);
  }

  async close(): Promise<void> {
    // Nothing is held open; the runtime's containers outlive the client, as Docker's do.
  }
}
