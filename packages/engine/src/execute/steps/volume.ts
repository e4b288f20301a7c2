/** Volume: made to exist (idempotent). A moved Volume keeps its runtime name, and so its data. */
import type { ResourceOf } from '@berth/core';
import type { StepContext, StepIntent, StepResult } from './context.ts';

type R = ResourceOf<'Volume'>;

export function volumeIntent(_ctx: StepContext, r: R): StepIntent {
  return { creates: [`volume ${r.id}`] };
}

export async function runVolume(ctx: StepContext, r: R): Promise<StepResult> {
  const prior = ctx.outputs.get(r.id)?.['name'];
  return { outputs: { name: (await ctx.driver.ensureVolume(r.id, r.props, typeof prior === 'string' ? prior : undefined)).name } };
}
