/**
 * What the pictures show, from a real plan: each change's action and its because, deleted
 * resources drawn from the plan, an edge per dependency (refs apart from dependsOn), and the
 * same in the HTML and the Mermaid text.
 */
import { describe, expect, it } from 'vitest';
import { App, Cluster, Config, Deployment, Image, Job, Service, synthesize, type GraphJson } from '@berth/core';
import { newState, plan, stateAfter } from '@berth/engine';
import { toHtml } from '../../packages/cli/src/render/graph-html.ts';
import { toMermaid } from '../../packages/cli/src/render/graph-mermaid.ts';
import { clusterView } from '../../packages/cli/src/render/graph-view.ts';

function program(v: { conf: string; worker: boolean }): GraphJson {
  const app = new App();
  const c = new Cluster(app, 'v');
  const img = new Image(c, 'img', { name: 'busybox:1.36' });
  const conf = new Config(c, 'conf', { data: v.conf });
  const migrate = new Job(c, 'migrate', { image: img });
  const web = new Deployment(c, 'web', { image: img, mounts: [{ config: conf, path: '/etc/x' }], dependsOn: [migrate] });
  new Service(c, 'svc', { target: web, ports: [{ port: 80 }] });
  if (v.worker) new Deployment(c, 'worker', { image: img });
  return synthesize(app).graphs[0] as GraphJson;
}

describe('cluster pictures', () => {
  const before = program({ conf: 'a', worker: true });
  const p0 = plan({ graph: before, state: undefined });
  const state = stateAfter({ graph: before, state: undefined }, p0, newState('v'));
  const after = program({ conf: 'b', worker: false });
  const p1 = plan({ graph: after, state });
  const view = clusterView(after, p1);

  it('marks each change, with the because of a rolled Deployment, and draws what is deleted', () => {
    const action = Object.fromEntries(view.nodes.map((n) => [n.id, n.action]));
    expect(action).toMatchObject({ conf: 'update', worker: 'delete', img: 'noop', svc: 'noop' });
    expect(['update', 'replace']).toContain(action['web']);
    const web = view.nodes.find((n) => n.id === 'web');
    expect(web?.details.join('\n')).toMatch(/because.*conf/i);
    expect(view.summary).toMatch(/1 to delete/);
  });

  it('has one edge per dependency, references apart from dependsOn', () => {
    expect(view.edges.map((e) => `${e.from}>${e.to}:${e.via}`).sort()).toEqual(['conf>web:ref', 'img>migrate:ref', 'img>web:ref', 'migrate>web:dependsOn', 'web>svc:ref']);
    expect(view.edges).toHaveLength(after.resources.reduce((n, r) => n + r.dependsOn.length, 0));
  });

  it('writes the same nodes and edges into the HTML and the Mermaid text, escaped', () => {
    const html = toHtml([view], 'diff <v>');
    expect(html).toContain('<title>diff &#60;v&#62;</title>');
    expect(html.match(/<g class="node"/g)).toHaveLength(view.nodes.length);
    expect(html.match(/<path class="edge/g)).toHaveLength(view.edges.length);
    expect(html).toContain('data-id="worker" data-kind="Deployment" data-action="delete"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const mm = toMermaid([view]);
    expect(mm).toContain('  class n_worker delete');
    expect(mm).toContain('  n_migrate -.-> n_web');
  });

  it('shows replicas per node from a multi-host placement', () => {
    const withPlacement = { ...p1, placement: { nodes: [{ name: 'a', reachable: true, draining: false }, { name: 'b', reachable: true, draining: false }], replicas: { web: ['a', 'b', 'a'] }, moves: [], unplaced: [], leftovers: [], preemptions: [], incomplete: false } };
    const v = clusterView(after, withPlacement);
    expect(v.nodes.find((n) => n.id === 'web')?.placements).toEqual({ a: 2, b: 1 });
    expect(toHtml([v], 't')).toContain('a ×2  b ×1');
  });
});
