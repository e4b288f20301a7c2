/**
 * Job: run to completion, retried up to backoffLimit. A run that an interrupted deploy started
 * goes on without berth (the container outlives the process): its outcome counts, so a
 * migration that finished is not run twice, and one still running is waited for, not killed.
 */
import type { ResourceOf } from '@berth/core';
import type { Change } from '../../plan/types.ts';
import { resolveRunSpec } from '../resolve.ts';
import { RolloutFailed } from '../rollout.ts';
import { sleep } from '../sleep.ts';
import type { StepContext, StepIntent, StepResult } from './context.ts';

type R = ResourceOf<'Job'>;

export function jobIntent(ctx: StepContext, r: R, change: Change): StepIntent {
  return { specHash: ctx.specOf(change), creates: [`job ${r.id}#0`] };
}

export async function runJob(ctx: StepContext, r: R, change: Change): Promise<StepResult> {
  const spec = resolveRunSpec(ctx.resolve, r, 0, ctx.specOf(change), ctx.release);
  const adopted = await adoptInterrupted(ctx, r, spec.specHash);
  if (adopted) return adopted;
  for (let attempt = 0; ; attempt++) {
    ctx.progress(r.id, attempt === 0 ? 'running' : `retry ${attempt} of ${r.props.backoffLimit}`);
    const res = await ctx.driver.runJob(spec, r.props.timeout, ctx.signal);
    if (res.ok) return { outputs: { containerId: res.containerId, exitCode: 0 } };
    if (attempt >= r.props.backoffLimit) {
      throw new RolloutFailed(`job ${r.path} failed: ${res.reason ?? `exit code ${res.exitCode}`}`, res.logs, false);
    }
  }
}

/** The interrupted run's result when it succeeded (waiting while it runs); undefined: run it again. */
async function adoptInterrupted(ctx: StepContext, r: R, specHash: string): Promise<StepResult | undefined> {
  const entry = ctx.interrupted(r.id);
  if (!entry || entry.specHash !== specHash) return undefined;
  // When it started is not known: its full timeout from now bounds the wait.
  const until = Date.now() + r.props.timeout;
  let said = false;
  for (;;) {
    const run = (await ctx.driver.listReplicas(r.id, { addresses: false })).find((x) => x.specHash === specHash);
    if (!run) return undefined;
    if (run.state === 'exited' || run.state === 'dead') {
      return run.exitCode === 0 ? { outputs: { containerId: run.containerId, exitCode: 0, adopted: true } } : undefined;
    }
    // Created but never started (killed in between), or paused: nothing to wait for.
    if (run.state !== 'running' && run.state !== 'restarting') return undefined;
    if (Date.now() >= until || ctx.signal.aborted) return undefined;
    if (!said) ctx.progress(r.id, 'waiting for the run an interrupted deploy started');
    said = true;
    await sleep(250, ctx.signal);
  }
}
