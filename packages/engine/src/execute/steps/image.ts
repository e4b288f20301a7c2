/** Image: an existing image, looked up by name; nothing is created (so nothing is journalled). */
import type { ResourceOf } from '@berth/core';
import type { StepContext, StepResult } from './context.ts';

export async function runImage(ctx: StepContext, r: ResourceOf<'Image'>): Promise<StepResult> {
  // A rollback runs the image id its release ran, whatever the name points at now.
  return { outputs: { image: (await ctx.driver.resolveImage(r.id, ctx.pinnedImage(r.id) ?? r.props.name)).image } };
}
