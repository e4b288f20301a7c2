// A construct library is tested the way core is: Testing.synth on a throwaway cluster.
import { describe, expect, it } from 'vitest';
import { Testing } from '@berth/core/testing';
import { WebApp } from '../../examples/construct-library/index.ts';

describe('WebApp construct', () => {
  it('makes an image, a health-checked deployment and a named service', () => {
    const c = Testing.cluster('lib');
    new WebApp(c, 'storefront', { context: './storefront', publish: 8081, replicas: 3 });
    const g = Testing.synth(c);
    expect(g.resources.map((r) => `${r.kind}:${r.id}`)).toEqual([
      'Deployment:storefront-app',
      'ImageBuild:storefront-image',
      'Service:storefront-svc',
    ]);
    const dep = Testing.resource(g, 'storefront-app');
    expect(dep.kind === 'Deployment' && dep.props.replicas).toBe(3);
    expect(dep.kind === 'Deployment' && dep.props.health?.type).toBe('http');
    expect(dep.dependsOn).toEqual(['storefront-image']);
    const svc = Testing.resource(g, 'storefront-svc');
    expect(svc.kind === 'Service' && svc.props).toMatchObject({ name: 'storefront', ports: [{ port: 80, targetPort: 8080, publish: 8081 }] });
    expect(svc.dependsOn).toEqual(['storefront-app']);
  });
  it('shows the composite in construct paths', () => {
    const c = Testing.cluster('lib');
    new WebApp(c, 'shopfront', { context: '.' });
    expect(Testing.synth(c).resources.map((r) => r.path)).toContain('lib/shopfront/app');
  });
});
