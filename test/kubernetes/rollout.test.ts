// Rollout await, pure: over Deployment statuses recorded from the real kube-controller-manager
// 1.20.2 (scripts/testbed/k8s-record-rollout.mjs). Without a kubelet no pod becomes ready here,
// so "complete" is recorded with replicas: 0, and a stalled rollout with replicas: 2.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deploymentRollout, jobRollout } from '@berth/target-kubernetes';

const rec = JSON.parse(readFileSync(new URL('./fixtures/rollout-status.json', import.meta.url), 'utf8')) as Record<string, { generation: number; spec: { replicas: number }; status: object }>;
const asDeployment = (k: string) => {
  const r = rec[k];
  if (!r) throw new Error(`no recording ${k}`);
  return { metadata: { generation: r.generation }, spec: r.spec, status: r.status };
};

describe('deploymentRollout over recorded statuses', () => {
  it('waits until the controller has seen the generation', () => {
    expect(deploymentRollout(asDeployment('justApplied'))).toEqual({ phase: 'waiting', message: 'waiting for the controller to see generation 1' });
    // recorded right after an update: the controller had already seen generation 2
    expect(deploymentRollout(asDeployment('updatedNotObserved')).phase).toBe('complete');
    const d = asDeployment('updatedNotObserved');
    expect(deploymentRollout({ ...d, metadata: { generation: 3 } })).toEqual({ phase: 'waiting', message: 'waiting for the controller to see generation 3' });
  });
  it('is complete when every replica is updated and available', () => {
    expect(deploymentRollout(asDeployment('completeZero'))).toEqual({ phase: 'complete', message: '0/0 updated, 0 available' });
  });
  it('is progressing while replicas are unavailable', () => {
    expect(deploymentRollout(asDeployment('progressing'))).toEqual({ phase: 'progressing', message: '2/2 updated, 0 available' });
  });
  it("fails on ProgressDeadlineExceeded with the controller's message", () => {
    expect(deploymentRollout(asDeployment('deadlineExceeded'))).toEqual({ phase: 'failed', message: 'ReplicaSet "stall-7f8486d5ff" has timed out progressing.' });
  });
  it('counts old replicas still left as progress, not completion', () => {
    const d = asDeployment('completeZero');
    const r = deploymentRollout({ ...d, spec: { replicas: 2 }, status: { ...d.status, replicas: 3, updatedReplicas: 2, availableReplicas: 2 } });
    expect(r).toEqual({ phase: 'progressing', message: '2/2 updated, 2 available, 1 old replica left' });
  });
});

describe('jobRollout', () => {
  it('complete on Complete, failed on Failed with the reason, else running', () => {
    expect(jobRollout({ status: { conditions: [{ type: 'Complete', status: 'True' }] } }).phase).toBe('complete');
    expect(jobRollout({ status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } })).toEqual({ phase: 'failed', message: 'BackoffLimitExceeded: Job has reached the specified backoff limit' });
    expect(jobRollout({ status: { active: 1 } })).toEqual({ phase: 'progressing', message: '1 running, 0 failed' });
  });
});
