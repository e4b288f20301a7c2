/**
 * Is a rollout done? Pure functions of the status objects the controllers write — tested over
 * statuses recorded from the real kube-controller-manager (test/kubernetes/fixtures).
 *
 * A Deployment's rollout is complete when the controller has seen this generation
 * (observedGeneration ≥ generation), every replica is updated and available and none of the
 * old ones is left; it failed when the Progressing condition says ProgressDeadlineExceeded
 * (the controller's own verdict after progressDeadlineSeconds without progress).
 */

export type RolloutPhase = 'waiting' | 'progressing' | 'complete' | 'failed';

export interface Rollout {
  readonly phase: RolloutPhase;
  /** `2/3 updated, 1 available`, or the controller's message. */
  readonly message: string;
}

interface Condition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface DeploymentLike {
  readonly metadata?: { readonly generation?: number };
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly availableReplicas?: number;
    readonly readyReplicas?: number;
    readonly unavailableReplicas?: number;
    readonly conditions?: readonly Condition[];
  };
}

export function deploymentRollout(d: DeploymentLike): Rollout {
  const gen = d.metadata?.generation ?? 0;
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  if ((s.observedGeneration ?? 0) < gen) return { phase: 'waiting', message: `waiting for the controller to see generation ${gen}` };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { phase: 'failed', message: progressing.message ?? 'ProgressDeadlineExceeded' };
  const updated = s.updatedReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const total = s.replicas ?? 0;
  const counts = `${updated}/${want} updated, ${available} available`;
  if (updated >= want && available >= want && total <= want) return { phase: 'complete', message: counts };
  return { phase: 'progressing', message: total > want ? `${counts}, ${total - updated} old replica${total - updated === 1 ? '' : 's'} left` : counts };
}

export interface JobLike {
  readonly status?: { readonly succeeded?: number; readonly failed?: number; readonly active?: number; readonly conditions?: readonly Condition[] };
}

/** A Job is complete on its Complete condition and failed on its Failed condition (backoff limit, deadline). */
export function jobRollout(j: JobLike): Rollout {
  const s = j.status ?? {};
  const done = s.conditions?.find((c) => c.type === 'Complete' && c.status === 'True');
  if (done) return { phase: 'complete', message: `succeeded` };
  const failed = s.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) return { phase: 'failed', message: `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`.trim() };
  return { phase: 'progressing', message: `${s.active ?? 0} running, ${s.failed ?? 0} failed` };
}
