/** Running a command inside a running container and collecting its output and exit code. */
import { DriverError } from '@berth/core';
import type { DockerClient } from './connect.ts';
import { wrap } from './driver-error.ts';
import { LogDemuxer } from './logs.ts';

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cmd` (exec form) in the container. A non-zero exit is a result, not an error. */
export async function execInContainer(client: DockerClient, containerId: string, cmd: readonly string[], opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ExecResult> {
  const container = client.docker.getContainer(containerId);
  const exec = await wrap(`exec in ${containerId}`, () => container.exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true }), containerId);
  const stream = await wrap(`exec in ${containerId}`, () => exec.start({ hijack: true, stdin: false }), containerId);
  const out = { stdout: '', stderr: '' };
  const d = new LogDemuxer((l) => (out[l.stream] += l.text + '\n'));
  const signals = [opts.signal, AbortSignal.timeout(opts.timeoutMs ?? 30_000)].filter((s): s is AbortSignal => s !== undefined);
  const signal = AbortSignal.any(signals);
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      reject(new DriverError('driver.failed', `docker: exec ${cmd.join(' ')} in ${containerId} was aborted or timed out`, { driver: 'docker', resourceId: containerId, cause: signal.reason }));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (c: Buffer) => d.push(c));
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      d.end();
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
  // The stream can end a moment before the engine records the exit code.
  for (let i = 0; i < 50; i++) {
    const info = await wrap(`inspect exec in ${containerId}`, () => exec.inspect(), containerId);
    if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, ...out };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new DriverError('driver.failed', `docker: exec ${cmd.join(' ')} in ${containerId} did not report an exit code`, { driver: 'docker', resourceId: containerId });
}
