/**
 * Container logs. berth creates containers without a TTY, so the Engine multiplexes stdout and
 * stderr into one body of frames: an 8-byte header [stream (1|2), 0, 0, 0, size (uint32 BE)]
 * followed by `size` bytes. `demux` splits them; frames may be cut anywhere by the transport.
 */
import type { DockerClient } from './connect.ts';
import { wrap } from './driver-error.ts';

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** Incremental demultiplexer: feed it chunks, it emits complete lines per stream. */
export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial = { stdout: '', stderr: '' };
  constructor(private readonly onLine: (line: LogLine) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const stream = this.pending[0] === 2 ? 'stderr' : 'stdout';
      this.text(stream, this.pending.subarray(8, 8 + size).toString('utf8'));
      this.pending = this.pending.subarray(8 + size);
    }
  }

  /** Emits what is left without a trailing newline. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.onLine({ stream, text: this.partial[stream] });
      this.partial[stream] = '';
    }
  }

  private text(stream: 'stdout' | 'stderr', s: string): void {
    const parts = (this.partial[stream] + s).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const text of parts) this.onLine({ stream, text: text.replace(/\r$/, '') });
  }
}

/** Demultiplexes a whole log body. */
export function demux(body: Buffer): LogLine[] {
  const lines: LogLine[] = [];
  const d = new LogDemuxer((l) => lines.push(l));
  d.push(body);
  d.end();
  return lines;
}

export interface LogOptions {
  /** Only the last N lines. @default all */
  readonly tail?: number;
  /** Unix seconds. */
  readonly since?: number;
  readonly timestamps?: boolean;
}

/** The engine's log query for `opts` (both streams; follow is set by the caller). */
function logQuery(opts: LogOptions) {
  return {
    stdout: true,
    stderr: true,
    timestamps: opts.timestamps ?? false,
    ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
    ...(opts.since !== undefined ? { since: opts.since } : {}),
  } as const;
}

/** The container's logs so far. */
export async function readLogs(client: DockerClient, containerId: string, opts: LogOptions = {}): Promise<LogLine[]> {
  const body = await wrap(`read logs of ${containerId}`, () =>
    client.docker.getContainer(containerId).logs({ ...logQuery(opts), follow: false }),
    containerId,
  );
  return demux(Buffer.isBuffer(body) ? body : Buffer.from(String(body)));
}

/**
 * Follows the logs, calling `onLine` per line, until the container stops (resolves) or `signal`
 * aborts (resolves too: stopping to watch is not a failure).
 */
export async function followLogs(client: DockerClient, containerId: string, onLine: (line: LogLine) => void, opts: LogOptions & { signal?: AbortSignal } = {}): Promise<void> {
  const stream = await wrap(`follow logs of ${containerId}`, () =>
    client.docker.getContainer(containerId).logs({ ...logQuery(opts), follow: true }),
    containerId,
  );
  const d = new LogDemuxer(onLine);
  await new Promise<void>((resolve, reject) => {
    const stop = (): void => {
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      d.end();
      resolve();
    };
    if (opts.signal?.aborted) return stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    stream.on('data', (c: Buffer) => d.push(c));
    stream.on('end', () => {
      opts.signal?.removeEventListener('abort', stop);
      d.end();
      resolve();
    });
    stream.on('error', (err) => {
      opts.signal?.removeEventListener('abort', stop);
      if (opts.signal?.aborted) resolve();
      else reject(err);
    });
  });
}
