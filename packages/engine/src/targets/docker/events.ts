/**
 * The engine's event stream for one cluster's containers, shared by every replica being waited
 * on: a replica is seen healthy (or dying) the moment the engine says so, instead of at the
 * next poll. With 50 rollouts waiting at once, polling every 100 ms kept the engine answering
 * 10 list calls a second on the 2 cores that were also starting the containers and running their
 * health checks, and still saw each replica 0.1–0.2 s late.
 *
 * Events only make waits faster, never decide them: a watcher that misses one (the stream is
 * still connecting, the engine dropped it for a slow reader, the stream broke) is woken by its
 * poll timeout and looks at the container again. Only state-changing actions are asked for:
 * each health probe also emits three exec_* events, which are filtered out by the engine.
 *
 * The stream is open only while someone watches (so it never keeps the process alive) and its
 * socket is unref'd besides.
 */
import type { DockerClient } from './connect.ts';
import { LABEL_CLUSTER } from './labels.ts';

/** `health_status` matches `health_status: healthy|unhealthy|starting` (the engine matches it as a prefix). */
const ACTIONS = ['health_status', 'die', 'oom', 'destroy'];

/** One container's events, from when it was watched until `close`. */
export interface ContainerWatch {
  /** The next action (`health_status: healthy`, `die`, ...) not yet taken, or undefined after `ms` or on abort. */
  next(ms: number, signal?: AbortSignal): Promise<string | undefined>;
  close(): void;
}

interface Watcher {
  readonly queue: string[];
  wake: (() => void) | undefined;
}

export class ContainerEvents {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private stream: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
  /** The attempt to connect in progress, if any. */
  private opening: object | undefined;
  private connected = false;
  /** When the stream last failed: not reopened for a while, the watchers poll meanwhile. */
  private failedAt = 0;

  constructor(
    private readonly client: DockerClient,
    private readonly cluster: string,
  ) {}

  /** True while the stream is connected: watchers may then poll rarely. */
  get live(): boolean {
    return this.connected;
  }

  watch(containerId: string): ContainerWatch {
    const w: Watcher = { queue: [], wake: undefined };
    let set = this.watchers.get(containerId);
    if (!set) this.watchers.set(containerId, (set = new Set()));
    set.add(w);
    this.open();
    return {
      next: (ms, signal) => {
        const queued = w.queue.shift();
        if (queued !== undefined || ms <= 0 || signal?.aborted) return Promise.resolve(queued);
        return new Promise<string | undefined>((resolve) => {
          const done = (): void => {
            clearTimeout(t);
            signal?.removeEventListener('abort', done);
            w.wake = undefined;
            resolve(w.queue.shift());
          };
          const t = setTimeout(done, ms);
          signal?.addEventListener('abort', done, { once: true });
          w.wake = done;
        });
      },
      close: () => {
        set.delete(w);
        w.wake?.();
        if (set.size === 0 && this.watchers.get(containerId) === set) this.watchers.delete(containerId);
        if (this.watchers.size === 0) this.shut();
      },
    };
  }

  /** Stops the stream (the driver closes). */
  close(): void {
    for (const set of this.watchers.values()) for (const w of set) w.wake?.();
    this.watchers.clear();
    this.shut();
  }

  private open(): void {
    if (this.stream || this.opening || Date.now() - this.failedAt < 5000) return;
    const attempt = {};
    this.opening = attempt;
    void (async (): Promise<void> => {
      try {
        const stream = (await this.client.docker.getEvents({
          filters: { type: ['container'], label: [`${LABEL_CLUSTER}=${this.cluster}`], event: ACTIONS },
        })) as NodeJS.ReadableStream & { destroy(): void; socket?: { unref?: () => void } };
        // Nobody watches any more (or the driver closed) while it connected.
        if (this.opening !== attempt || this.watchers.size === 0) {
          stream.destroy();
          return;
        }
        stream.socket?.unref?.();
        this.stream = stream;
        this.connected = true;
        this.read(stream);
      } catch {
        this.failedAt = Date.now();
      } finally {
        if (this.opening === attempt) this.opening = undefined;
      }
    })();
  }

  private read(stream: NodeJS.ReadableStream & { destroy(): void }): void {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== '') this.dispatch(line);
      }
    });
    const ended = (): void => {
      if (this.stream !== stream) return;
      // Broken under us (engine restart, network): poll until a later watch reopens it.
      this.stream = undefined;
      this.connected = false;
      this.failedAt = Date.now();
      for (const set of this.watchers.values()) for (const w of set) w.wake?.();
    };
    stream.on('end', ended);
    stream.on('close', ended);
    stream.on('error', ended);
  }

  private dispatch(line: string): void {
    let e: { id?: unknown; Action?: unknown; status?: unknown };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      return;
    }
    const id = typeof e.id === 'string' ? e.id : undefined;
    const action = typeof e.Action === 'string' ? e.Action : typeof e.status === 'string' ? e.status : undefined;
    if (!id || !action) return;
    for (const w of this.watchers.get(id) ?? []) {
      w.queue.push(action);
      w.wake?.();
    }
  }

  private shut(): void {
    this.opening = undefined;
    this.connected = false;
    const s = this.stream;
    this.stream = undefined;
    s?.destroy();
  }
}
