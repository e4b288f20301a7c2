/** Network: made to exist (idempotent). */
import type { ResourceOf } from '@berth/core';
import type { StepContext, StepIntent, StepResult } from './context.ts';

type R = ResourceOf<'Network'>;

export function networkIntent(_ctx: StepContext, r: R): StepIntent {
  return { creates: [`network ${r.id}`] };
}

export async function runNetwork(ctx: StepContext, r: R): Promise<StepResult> {
  return { outputs: { name: (await ctx.driver.ensureNetwork(r.id, r.props)).name } };
}
