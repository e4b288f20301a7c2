/** Service: its proxy, made to exist and pointed at the target's ready replicas of the recorded spec. */
import type { ResourceOf } from '@berth/core';
import type { Change } from '../../plan/types.ts';
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
  const backends = (await ctx.driver.listReplicas(targetId)).filter(
    (x) => x.state === 'running' && (x.health === 'healthy' || x.health === 'none') && x.specHash === (recorded?.replicaHash ?? recorded?.specHash ?? x.specHash),
  );
  const svc = await ctx.driver.ensureService(
    {
      resourceId: r.id,
      name: r.props.name ?? r.id,
      specHash: ctx.specOf(change),
      release: ctx.release,
      ports: r.props.ports.map((p) => ({ port: p.port, targetPort: p.targetPort ?? p.port, ...(p.publish !== undefined ? { publish: p.publish } : {}), ...(p.hostIp !== undefined ? { hostIp: p.hostIp } : {}) })),
    },
    backends,
    ctx.signal,
  );
  return { outputs: { proxy: svc.proxyContainerId, backends: [...svc.backends] } };
}
