// A Cluster's target: docker (one host or many), swarm or kubernetes, exactly one.
import { describe, expect, it } from 'vitest';
import { App, Cluster, Deployment, GraphJson, SynthFailure, TargetJson, synthesize } from '@berth/core';

function synthTarget(target: unknown): GraphJson['target'] {
  const app = new App();
  const c = new Cluster(app, 'prod', { target } as ConstructorParameters<typeof Cluster>[2]);
  new Deployment(c, 'web', { image: 'busybox:1.36' });
  const g = synthesize(app).graphs[0];
  if (!g) throw new Error('no graph');
  expect(GraphJson.safeParse(g).success).toBe(true);
  return g.target;
}

function problems(target: unknown): Array<{ code: string; property: string | undefined; message: string }> {
  try {
    synthTarget(target);
  } catch (e) {
    if (e instanceof SynthFailure) return e.diagnostics.map((d) => ({ code: d.code, property: d.property, message: d.message }));
    throw e;
  }
  return [];
}

describe('Cluster target', () => {
  it('is the local Docker engine by default, as before (the graph bytes do not move)', () => {
    expect(JSON.stringify(synthTarget(undefined))).toBe('{"hosts":[],"kind":"docker"}');
    expect(synthTarget({ docker: { hosts: [{ name: 'a', endpoint: 'ssh://a' }] } })).toEqual({ hosts: [{ name: 'a', endpoint: 'ssh://a', labels: {} }], kind: 'docker' });
  });

  it('accepts a Swarm manager and its nodes, and records where the Cluster was made', () => {
    const t = synthTarget({ swarm: { manager: 'tcp://10.0.0.1:2375', nodes: [{ name: 'w1', endpoint: 'tcp://10.0.0.2:2375' }] } });
    expect(t).toMatchObject({ kind: 'swarm', manager: 'tcp://10.0.0.1:2375', nodes: [{ name: 'w1', endpoint: 'tcp://10.0.0.2:2375' }] });
    expect(t.kind === 'swarm' && t.source?.file).toMatch(/target\.test\.ts$/);
    expect(synthTarget({ swarm: { manager: 'unix:///var/run/docker.sock' } })).toMatchObject({ kind: 'swarm', nodes: [] });
  });

  it('accepts Kubernetes with a namespace, and optionally a kubeconfig and context', () => {
    expect(synthTarget({ kubernetes: { namespace: 'shop' } })).toMatchObject({ kind: 'kubernetes', namespace: 'shop' });
    const t = synthTarget({ kubernetes: { namespace: 'shop', kubeconfig: '/etc/kube.conf', context: 'prod' } });
    expect(t).toMatchObject({ kind: 'kubernetes', namespace: 'shop', kubeconfig: '/etc/kube.conf', context: 'prod' });
    expect(TargetJson.safeParse(t).success).toBe(true);
  });

  it('refuses two targets, a Kubernetes target without a valid namespace, and unknown keys, each located', () => {
    expect(problems({ docker: {}, swarm: { manager: 'tcp://m:2375' } })).toEqual([{ code: 'props.invalid', property: 'target', message: 'target: a Cluster runs on one target: give one of docker, swarm or kubernetes, got an object' }]);
    expect(problems({ kubernetes: {} })).toEqual([expect.objectContaining({ code: 'props.invalid', property: 'target.kubernetes.namespace' })]);
    expect(problems({ kubernetes: { namespace: 'Shop_1' } })[0]?.message).toMatch(/Kubernetes namespace/);
    expect(problems({ swarm: { manager: 'tcp://m:2375', replicas: 3 } })).toEqual([expect.objectContaining({ code: 'props.unknown', property: 'target.swarm.replicas' })]);
    expect(problems({ nomad: {} })).toEqual([expect.objectContaining({ code: 'props.unknown', property: 'target.nomad' })]);
  });
});
