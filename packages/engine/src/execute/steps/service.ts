/** Service: its proxy, made to exist and pointed at the target's ready replicas of the recorded spec. */
import type { ResourceOf } from '@berth/core';
import type { Change } from '../../plan/types.ts';
import { serviceRunSpec } from '../resolve.ts';
import { isReadyNow } from '../rollout.ts';
import type { StepContext, StepIntent, StepResult } from './context.ts';

type R = ResourceOf<'Service'>;

export function serviceIntent(ctx: StepContext, r: R, change: Change): StepIntent {
  return { specHash: ctx.specOf(change), creates: [`proxy ${r.id}`] };
}

export async function runService(ctx: StepContext, r: R, change: Change): Promise<StepResult> {
  // A moved Service's old proxy holds the published port: it must go first.
  if (change.movedFrom) await ctx.driver.removeService(change.movedFrom);
  const targetId = r.props.target.$ref;
  const recorded = ctx.state().resources[targetId];
  // A held canary serves beside the recorded spec: a Service step meanwhile keeps sending it requests.
  const canary = recorded?.canary?.replicaHash;
  const backends = (await ctx.driver.listReplicas(targetId)).filter(
    (x) => isReadyNow(x) && (x.specHash === (recorded?.replicaHash ?? recorded?.specHash ?? x.specHash) || x.specHash === canary),
  );
  const svc = await ctx.driver.ensureService(serviceRunSpec(r, ctx.specOf(change), ctx.release), backends, ctx.signal);
  return { outputs: { proxy: svc.proxyContainerId, backends: [...svc.backends] } };
}
