/** ImageBuild: build the context (cached by content hash); the output is the image id. */
import type { ResourceOf } from '@berth/core';
import type { Change } from '../../plan/types.ts';
import type { StepContext, StepIntent, StepResult } from './context.ts';

type R = ResourceOf<'ImageBuild'>;

export function imageBuildIntent(_ctx: StepContext, r: R): StepIntent {
  return { specHash: r.props.contentHash, creates: [`image ${r.id}:${r.props.contentHash.slice(0, 12)}`] };
}

export async function runImageBuild(ctx: StepContext, r: R, _change: Change): Promise<StepResult> {
  const pinned = ctx.pinnedImage(r.id);
  if (pinned !== undefined) {
    ctx.progress(r.id, `using ${pinned.slice(0, 19)} (pinned by the release)`);
    return { outputs: { image: (await ctx.driver.resolveImage(r.id, pinned)).image, cached: true } };
  }
  ctx.progress(r.id, 'building');
  const built = await ctx.driver.buildImage(r.id, r.props, ctx.appDir, (line) => ctx.progress(r.id, line), ctx.signal);
  return { outputs: { image: built.image, cached: built.cached } };
}
