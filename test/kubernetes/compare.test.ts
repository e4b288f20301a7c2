// Pure comparisons behind the Kubernetes diff: property changes, other managers' fields, redaction.
import { describe, expect, it } from 'vitest';
import { fieldChanges, foreignFields, redact, REDACTED, scrub } from '@berth/target-kubernetes';

describe('fieldChanges', () => {
  it('lists leaf changes by path and ignores what the server sets', () => {
    const live = { kind: 'Deployment', metadata: { name: 'web', resourceVersion: '7', generation: 2, managedFields: [{}], annotations: { 'berth.release': 'r1', a: '1' } }, spec: { replicas: 3, template: { spec: { containers: [{ image: 'nginx:1' }] } } }, status: { replicas: 3 } };
    const next = { kind: 'Deployment', metadata: { name: 'web', resourceVersion: '8', generation: 3, annotations: { 'berth.release': 'r2', a: '1' } }, spec: { replicas: 2, template: { spec: { containers: [{ image: 'nginx:2' }] } } } };
    expect(fieldChanges(live, next)).toEqual([
      { path: 'spec.replicas', before: 3, after: 2 },
      { path: 'spec.template.spec.containers', before: [{ image: 'nginx:1' }], after: [{ image: 'nginx:2' }] },
    ]);
    expect(fieldChanges(live, { ...live, metadata: { ...live.metadata, resourceVersion: '9' } })).toEqual([]);
  });
  it("never shows a Secret's values", () => {
    const c = fieldChanges({ kind: 'Secret', metadata: { name: 's' }, data: { value: 'b2xk' } }, { kind: 'Secret', metadata: { name: 's' }, data: { value: 'bmV3' } });
    expect(c).toEqual([{ path: 'data.value', before: REDACTED, after: REDACTED }]);
  });
});

describe('foreignFields', () => {
  it("names other managers and their fields; berth's own, the controller's and status are not drift", () => {
    const mf = [
      { manager: 'berth', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:status': { 'f:replicas': {} } } },
      { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:deployment.kubernetes.io/revision': {} } }, 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } }, 'f:status': {} } },
    ];
    expect(foreignFields(mf)).toEqual(new Map([['kubectl-edit', ['spec.template.spec.containers[{"name":"web"}].image']]]));
    expect(foreignFields(mf.slice(0, 2)).size).toBe(0);
  });
});

describe('redact and scrub', () => {
  it('hide secret data and any echo of a value (plain or base64)', () => {
    expect(redact({ kind: 'Secret', data: { value: 'eA==' } })).toEqual({ kind: 'Secret', data: { value: REDACTED } });
    expect(redact({ kind: 'ConfigMap', data: { a: '1' } })).toEqual({ kind: 'ConfigMap', data: { a: '1' } });
    expect(scrub(`bad value "hunter22" (${Buffer.from('hunter22').toString('base64')})`, ['hunter22'])).toBe(`bad value "${REDACTED}" (${REDACTED})`);
  });
});
