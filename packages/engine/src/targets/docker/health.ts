/**
 * Waiting for a replica to become ready. The outcome is a result, not an exception (an unhealthy
 * replica is an expected event of a rollout, and the executor decides what to do about it), and
 * it carries what a user needs to see why: the last probe's output, the exit code, OOMKilled,
 * and the last log lines.
 *
 * Polls inspect (every 200 ms by default): a poll cannot miss a transition that happened before
 * it started watching, and it reads everything the outcome needs. The driver's readiness gate
 * waits on the engine's events (events.ts) for the common case, a replica turning healthy, and
 * comes here for anything else, to learn what happened.
 */
import { DriverError } from '@berth/core';
import type { DockerClient } from './connect.ts';
import { tryInspectContainer, type ContainerInfo } from './containers.ts';
import { readLogs, type LogLine } from './logs.ts';
import { sleep } from '../../execute/sleep.ts';

export type HealthOutcome =
  /** The health check passed. */
  | { readonly status: 'healthy'; readonly elapsedMs: number }
  /** No health check is defined and the container is running: as ready as we can tell. */
  | { readonly status: 'running'; readonly elapsedMs: number }
  | {
      readonly status: 'unhealthy';
      readonly elapsedMs: number;
      readonly failingStreak: number;
      /** Output of the last probe (what the check printed, e.g. wget's "connection refused"). */
      readonly probeOutput: string;
      readonly probeExitCode: number | undefined;
      readonly logs: readonly LogLine[];
    }
  | {
      /** The process ended (or is being restarted by its restart policy after ending). */
      readonly status: 'exited';
      readonly elapsedMs: number;
      readonly exitCode: number;
      /** The kernel killed it for exceeding its memory limit. */
      readonly oomKilled: boolean;
      readonly restarting: boolean;
      /** The engine's error, e.g. "exec: \"foo\": executable file not found". */
      readonly error: string;
      readonly logs: readonly LogLine[];
    }
  | {
      readonly status: 'timeout';
      readonly elapsedMs: number;
      /** The health status when time ran out (starting) or the container state. */
      readonly lastStatus: string;
      readonly probeOutput: string | undefined;
      readonly logs: readonly LogLine[];
    }
  /** The container does not exist (removed while we waited). */
  | { readonly status: 'missing'; readonly elapsedMs: number };

export interface WaitForHealthOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Aborting throws DriverError `deploy.interrupted`. */
  readonly signal?: AbortSignal;
  /** @default 200 */
  readonly pollMs?: number;
  /** How many log lines to attach to a failure. @default 20 */
  readonly logLines?: number;
  /**
   * Without a health check, count the container as ready only after it has kept running this
   * long (as Kubernetes' minReadySeconds), so an app that crashes on start is not called ready.
   * @default 0
   */
  readonly minRunningMs?: number;
}

/** Waits until the container is healthy (or running, without a health check), fails, or time runs out. */
export async function waitForHealth(client: DockerClient, containerId: string, opts: WaitForHealthOptions): Promise<HealthOutcome> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  const tail = opts.logLines ?? 20;
  const logs = async (): Promise<LogLine[]> => readLogs(client, containerId, { tail }).catch(() => []);
  // When we first saw the current run (keyed by StartedAt, which changes on every restart).
  // Measured on our clock, not the engine's: a remote engine's clock may be skewed.
  let seenRun: { startedAt: string; at: number } | undefined;
  for (;;) {
    if (opts.signal?.aborted) {
      throw new DriverError('deploy.interrupted', `docker: stopped waiting for ${containerId} to become healthy`, {
        driver: 'docker',
        resourceId: containerId,
        cause: opts.signal.reason,
      });
    }
    const info = await tryInspectContainer(client, containerId);
    if (!info) return { status: 'missing', elapsedMs: elapsed() };
    const s = info.State;
    // Being removed: gone for our purposes (its health reads "unhealthy" once stopped, which
    // would blame a health check that never failed).
    if (s.Status === 'removing') return { status: 'missing', elapsedMs: elapsed() };
    // Restarting means it already exited once; a crash-looping replica is not going to become ready.
    if (s.Status === 'exited' || s.Status === 'dead' || s.Restarting) {
      return {
        status: 'exited',
        elapsedMs: elapsed(),
        exitCode: s.ExitCode,
        oomKilled: s.OOMKilled,
        restarting: s.Restarting,
        error: s.Error,
        logs: await logs(),
      };
    }
    const health = s.Health;
    if (s.Running && !health) {
      if (seenRun?.startedAt !== s.StartedAt) seenRun = { startedAt: s.StartedAt, at: Date.now() };
      if (Date.now() - seenRun.at >= (opts.minRunningMs ?? 0)) return { status: 'running', elapsedMs: elapsed() };
    }
    if (health?.Status === 'healthy') return { status: 'healthy', elapsedMs: elapsed() };
    if (health?.Status === 'unhealthy') {
      const last = lastProbe(info);
      return {
        status: 'unhealthy',
        elapsedMs: elapsed(),
        failingStreak: health.FailingStreak,
        probeOutput: last?.Output.trim() ?? '',
        probeExitCode: last?.ExitCode,
        logs: await logs(),
      };
    }
    if (elapsed() >= opts.timeoutMs) {
      return { status: 'timeout', elapsedMs: elapsed(), lastStatus: health?.Status ?? s.Status, probeOutput: lastProbe(info)?.Output.trim(), logs: await logs() };
    }
    await sleep(Math.min(opts.pollMs ?? 200, Math.max(0, opts.timeoutMs - elapsed())), opts.signal);
  }
}

function lastProbe(info: ContainerInfo): { Output: string; ExitCode: number } | undefined {
  const log = info.State.Health?.Log ?? [];
  return log[log.length - 1];
}

export interface ExitOutcome {
  readonly exitCode: number;
  readonly oomKilled: boolean;
  readonly error: string;
  readonly logs: readonly LogLine[];
}

/**
 * Waits for the container's process to end (a Job, a one-off task) and says how it ended.
 * undefined when it is still running at the deadline or the container is gone.
 */
export async function waitForExit(client: DockerClient, containerId: string, opts: { timeoutMs: number; signal?: AbortSignal; pollMs?: number; logLines?: number }): Promise<ExitOutcome | undefined> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.signal?.aborted) {
      throw new DriverError('deploy.interrupted', `docker: stopped waiting for ${containerId} to exit`, { driver: 'docker', resourceId: containerId, cause: opts.signal.reason });
    }
    const info = await tryInspectContainer(client, containerId);
    if (!info) return undefined;
    const s = info.State;
    if (s.Status === 'exited' || s.Status === 'dead') {
      const logs = await readLogs(client, containerId, { tail: opts.logLines ?? 20 }).catch(() => []);
      return { exitCode: s.ExitCode, oomKilled: s.OOMKilled, error: s.Error, logs };
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(opts.pollMs ?? 200, opts.signal);
  }
}
