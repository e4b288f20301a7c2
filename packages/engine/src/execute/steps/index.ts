/**
 * One step per resource kind. `intentOf` says what the journal records before the step runs
 * (undefined: the step touches nothing on the runtime — Image, Secret, Config — and is only
 * recorded); `runKind` does it.
 */
import type { ResourceJson } from '@berth/core';
import type { Change } from '../../plan/types.ts';
import type { StepContext, StepIntent, StepResult } from './context.ts';
import { deploymentIntent, runDeployment } from './deployment.ts';
import { imageBuildIntent, runImageBuild } from './image-build.ts';
import { runImage } from './image.ts';
import { jobIntent, runJob } from './job.ts';
import { networkIntent, runNetwork } from './network.ts';
import { runService, serviceIntent } from './service.ts';
import { runVolume, volumeIntent } from './volume.ts';

export { deleteIsEffectful, deleteResource } from './delete.ts';
export type { StepContext, StepIntent, StepResult } from './context.ts';

export function intentOf(ctx: StepContext, r: ResourceJson, change: Change): StepIntent | undefined {
  switch (r.kind) {
    case 'ImageBuild':
      return imageBuildIntent(ctx, r);
    case 'Volume':
      return volumeIntent(ctx, r);
    case 'Network':
      return networkIntent(ctx, r);
    case 'Job':
      return jobIntent(ctx, r, change);
    case 'Deployment':
      return deploymentIntent(ctx, r, change);
    case 'Service':
      return serviceIntent(ctx, r, change);
    case 'Image':
    case 'Secret':
    case 'Config':
      return undefined;
  }
}

export async function runKind(ctx: StepContext, r: ResourceJson, change: Change): Promise<StepResult> {
  switch (r.kind) {
    case 'ImageBuild':
      return runImageBuild(ctx, r, change);
    case 'Image':
      return runImage(ctx, r);
    case 'Volume':
      return runVolume(ctx, r);
    case 'Network':
      return runNetwork(ctx, r);
    case 'Secret':
    case 'Config':
      // Read at resolve time (into files and env of the containers that use them).
      return { outputs: {} };
    case 'Job':
      return runJob(ctx, r, change);
    case 'Deployment':
      return runDeployment(ctx, r, change);
    case 'Service':
      return runService(ctx, r, change);
  }
}
