/**
 * The graph layout (pure): every edge runs left to right, no two nodes overlap, everything is
 * inside the picture, and the same graph gives the same picture whatever order it came in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GAP_X, layout, type LayoutEdge, type LayoutNode } from '../../packages/cli/src/render/graph-layout.ts';

/** A random DAG: edges only from a lower index to a higher one. */
const dag = fc.integer({ min: 0, max: 14 }).chain((n) =>
  fc.record({
    nodes: fc.tuple(...Array.from({ length: n }, (_, i) => fc.record({ id: fc.constant(`r${i}`), width: fc.integer({ min: 60, max: 220 }), height: fc.integer({ min: 30, max: 60 }) }))),
    edges: fc.array(fc.tuple(fc.nat(Math.max(0, n - 1)), fc.nat(Math.max(0, n - 1))), { maxLength: n * 2 }),
  }).map(({ nodes, edges }) => ({ nodes: nodes as LayoutNode[], edges: edges.filter(([a, b]) => a < b).map(([a, b]) => ({ from: `r${a}`, to: `r${b}` })) })),
);

describe('graph layout', () => {
  it('puts a dependency left of what needs it, one column per chain length', () => {
    const l = layout(
      [{ id: 'web', width: 100, height: 40 }, { id: 'img', width: 100, height: 40 }, { id: 'svc', width: 100, height: 40 }, { id: 'cfg', width: 100, height: 40 }],
      [{ from: 'img', to: 'web' }, { from: 'web', to: 'svc' }, { from: 'cfg', to: 'web' }, { from: 'img', to: 'web' }],
    );
    const at = Object.fromEntries(l.nodes.map((n) => [n.id, n]));
    expect([at['img']?.layer, at['cfg']?.layer, at['web']?.layer, at['svc']?.layer]).toEqual([0, 0, 1, 2]);
    expect(at['web']?.x).toBe((at['img']?.x ?? 0) + 100 + GAP_X);
    // The duplicate edge is drawn once.
    expect(l.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['cfg>web', 'img>web', 'web>svc']);
  });

  it('properties: no overlap, inside the bounds, edges left to right, independent of input order', () => {
    fc.assert(
      fc.property(dag, fc.integer(), ({ nodes, edges }, seed) => {
        const l = layout(nodes, edges);
        expect(l.nodes).toHaveLength(nodes.length);
        for (const n of l.nodes) {
          expect(n.x).toBeGreaterThanOrEqual(0);
          expect(n.y).toBeGreaterThanOrEqual(0);
          expect(n.x + n.width).toBeLessThanOrEqual(l.width);
          expect(n.y + n.height).toBeLessThanOrEqual(l.height);
        }
        for (const a of l.nodes) for (const b of l.nodes) {
          if (a.id >= b.id) continue;
          const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
          expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
        }
        const at = new Map(l.nodes.map((n) => [n.id, n]));
        for (const e of l.edges) expect((at.get(e.from)?.layer ?? 0) < (at.get(e.to)?.layer ?? 0)).toBe(true);
        expect(new Set(l.edges.map((e) => `${e.from}>${e.to}`))).toEqual(new Set(edges.map((e: LayoutEdge) => `${e.from}>${e.to}`)));
        // Shuffled input, same picture.
        const shuffle = <T>(xs: readonly T[]): T[] => xs.map((x, i) => [x, (Math.imul(i + 1, 2654435761) ^ seed) >>> 0] as const).sort((p, q) => p[1] - q[1]).map((p) => p[0]);
        expect(layout(shuffle(nodes), shuffle(edges))).toEqual(l);
      }),
      { numRuns: 150 },
    );
  });
});
