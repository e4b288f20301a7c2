/**
 * A published Service port someone else holds is a plan error (pure): named owner, a hint,
 * and deploy refuses the plan. The driver only reports who holds what (test/e2e/port-conflict).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deployment, Image, Service, type GraphJson } from '@berth/core';
import { plan, type HostPortHolder, type PlanNodeFacts } from '../../packages/engine/src/plan/index.ts';
import { deployed, graphOf } from './plan-builders.ts';

function shop(publish: number, hostIp?: string): GraphJson {
  return graphOf((c) => {
    const image = new Image(c, 'img', { name: 'busybox:1' });
    const web = new Deployment(c, 'web', { image, ports: [8080] });
    new Service(c, 'front', { target: web, ports: [{ port: 80, targetPort: 8080, publish, ...(hostIp ? { hostIp } : {}) }] });
  });
}

const node = (name: string, hostPorts: HostPortHolder[], reachable = true): PlanNodeFacts => ({ name, labels: {}, capacity: { cpu: 2000, memory: 2 ** 30 }, reachable, volumes: [], hostPorts });
const held = (port: number, owner: HostPortHolder['owner'], address = '0.0.0.0'): HostPortHolder => ({ port, protocol: 'tcp', address, owner });

const conflicts = (g: GraphJson, nodes: PlanNodeFacts[]) => plan({ graph: g, state: undefined, nodes }).issues.filter((i) => i.code === 'plan.port-conflict');

describe('host-port conflicts in the plan', () => {
  it('names a listening process and says what to do', () => {
    const is = conflicts(shop(8080), [node('local', [held(8080, { kind: 'process', pid: 4242, command: 'python3 -m http.server 8080' })])]);
    expect(is).toEqual([
      {
        code: 'plan.port-conflict',
        severity: 'error',
        id: 'front',
        message: 'Service front publishes host port 8080, but process 4242 (python3 -m http.server 8080) already holds it (0.0.0.0:8080)',
        hint: 'stop process 4242, or publish Service front on another port (ports: [{ …, publish: <free port> }])',
      },
    ]);
  });

  it('names another container and another berth cluster', () => {
    expect(conflicts(shop(8080), [node('local', [held(8080, { kind: 'container', container: 'my-nginx', image: 'nginx:1' })])])[0]?.message).toContain('container my-nginx (image nginx:1)');
    const other = conflicts(shop(8080), [node('local', [held(8080, { kind: 'berth', cluster: 'staging', resource: 'front', container: 'staging-front-0-proxy' })])]);
    expect(other[0]?.message).toContain('berth cluster "staging" (front, container staging-front-0-proxy)');
    expect(other[0]?.hint).toMatch(/^destroy or change that cluster/);
  });

  it("this cluster's own proxy holding its port is no conflict, nor is another port or a disjoint address", () => {
    expect(conflicts(shop(8080), [node('local', [held(8080, { kind: 'berth', cluster: 'shop', resource: 'front', container: 'shop-front-0-proxy' })])])).toEqual([]);
    expect(conflicts(shop(8080), [node('local', [held(8081, { kind: 'process', pid: 1 })])])).toEqual([]);
    expect(conflicts(shop(8080, '127.0.0.1'), [node('local', [held(8080, { kind: 'process', pid: 1 }, '127.0.0.2')])])).toEqual([]);
    // A wildcard on either side takes every address.
    expect(conflicts(shop(8080, '127.0.0.1'), [node('local', [held(8080, { kind: 'process', pid: 1 }, '::')])])).toHaveLength(1);
    expect(conflicts(shop(8080), [node('local', [held(8080, { kind: 'process', pid: 1 }, '127.0.0.1')])])).toHaveLength(1);
  });

  it('checks every reachable node (the proxy publishes on each) and names the node', () => {
    const is = conflicts(shop(8080), [node('n1', []), node('n2', [held(8080, { kind: 'process' })]), node('n3', [held(8080, { kind: 'process' })], false)]);
    expect(is.map((i) => i.message)).toEqual(['Service front publishes host port 8080 on node n2, but a process on the host (its owner is not visible from here) already holds it (0.0.0.0:8080)']);
  });

  it('is found on an update too, and without node facts (not observed) nothing is claimed', () => {
    const g = shop(8080);
    const state = deployed(shop(9090));
    expect(plan({ graph: g, state, nodes: [node('local', [held(8080, { kind: 'process', pid: 7 })])] }).issues.map((i) => i.code)).toContain('plan.port-conflict');
    expect(plan({ graph: g, state: undefined }).issues.filter((i) => i.code === 'plan.port-conflict')).toEqual([]);
  });

  it('property: an issue exactly when a foreign holder overlaps the published port', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1024, max: 1030 }), fc.array(fc.record({ port: fc.integer({ min: 1024, max: 1030 }), own: fc.boolean(), address: fc.constantFrom('0.0.0.0', '127.0.0.1', '::') }), { maxLength: 5 }), (publish, hs) => {
        const holders = hs.map((h) => held(h.port, h.own ? { kind: 'berth', cluster: 'shop', resource: 'front', container: 'x' } : { kind: 'process', pid: 1 }, h.address));
        const expected = hs.some((h) => h.port === publish && !h.own);
        expect(conflicts(shop(publish), [node('local', holders)]).length > 0).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});
