/** stopSignal and stopGracePeriod: in graph units when set, absent from the graph when not, bad values located. */
import { describe, expect, it } from 'vitest';
import { App, Cluster, Deployment, DeploymentSpec, Job, SynthFailure, synthesize, type DeploymentProps } from '@berth/core';
import { Testing } from '@berth/core/testing';

describe('stopSignal and stopGracePeriod', () => {
  it('reach the graph of a Deployment and a Job in graph units', () => {
    const c = Testing.cluster();
    new Deployment(c, 'web', { image: 'nginx:1', stopSignal: 'SIGQUIT', stopGracePeriod: '30s' });
    new Job(c, 'migrate', { image: 'busybox:1.36', stopSignal: 'SIGINT', stopGracePeriod: '1m30s' });
    const g = Testing.synth(c);
    expect(Testing.resource(g, 'web').props).toMatchObject({ stopSignal: 'SIGQUIT', stopGracePeriod: 30_000 });
    expect(Testing.resource(g, 'migrate').props).toMatchObject({ stopSignal: 'SIGINT', stopGracePeriod: 90_000 });
    expect(DeploymentSpec.safeParse(Testing.resource(g, 'web').props).success).toBe(true);
  });

  it('are left out of the graph when not set, so existing programs keep their spec hashes', () => {
    const c = Testing.cluster();
    new Deployment(c, 'web', { image: 'nginx:1' });
    const props = Testing.resource(Testing.synth(c), 'web').props as Record<string, unknown>;
    expect(props).not.toHaveProperty('stopSignal');
    expect(props).not.toHaveProperty('stopGracePeriod');
  });

  it('a bad signal or grace period is a located prop error that echoes the value', () => {
    const app = new App();
    const c = new Cluster(app, 'prod');
    new Deployment(c, 'web', { image: 'nginx:1', stopSignal: 'TERM', stopGracePeriod: 'soon' } as DeploymentProps);
    let diags: SynthFailure['diagnostics'] = [];
    try {
      synthesize(app);
    } catch (e) {
      if (!(e instanceof SynthFailure)) throw e;
      diags = e.diagnostics;
    }
    expect(diags.map((d) => d.property).sort()).toEqual(['stopGracePeriod', 'stopSignal']);
    for (const d of diags) {
      expect(d.constructPath).toBe('prod/web');
      expect(d.location?.file).toMatch(/stop-props\.test\.ts$/);
    }
    expect(diags.find((d) => d.property === 'stopSignal')?.message).toMatch(/TERM|signal/);
    expect(diags.find((d) => d.property === 'stopGracePeriod')?.message).toContain('"soon"');
  });
});
