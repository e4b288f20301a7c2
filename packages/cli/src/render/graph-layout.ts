/**
 * A layered layout for the resource graph (the Sugiyama scheme in its simplest form), pure and
 * deterministic: each node's layer is the length of the longest dependency chain below it, so
 * every edge runs left to right, from what is needed to what needs it; within a layer, nodes
 * are ordered by a few sweeps of the barycenter heuristic (fewer crossings), ties broken by id;
 * then placed on a grid. Same input, same picture: nothing depends on input order.
 */

export interface LayoutNode {
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

/** `from` is needed by `to` (the dependency points at its dependent). */
export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
}

export interface PlacedNode extends LayoutNode {
  readonly x: number;
  readonly y: number;
  readonly layer: number;
}

export interface PlacedEdge extends LayoutEdge {
  /** An SVG path from the right side of `from` to the left side of `to`. */
  readonly path: string;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

export const GAP_X = 72;
export const GAP_Y = 20;
export const MARGIN = 16;
const SWEEPS = 4;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function layout(nodesIn: readonly LayoutNode[], edgesIn: readonly LayoutEdge[]): Layout {
  const nodes = [...nodesIn].sort((a, b) => cmp(a.id, b.id));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Edges between known nodes, each once, none to itself.
  const seen = new Set<string>();
  const edges: LayoutEdge[] = [];
  for (const e of [...edgesIn].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to))) {
    const k = `${e.from}\u0000${e.to}`;
    if (e.from === e.to || !byId.has(e.from) || !byId.has(e.to) || seen.has(k)) continue;
    seen.add(k);
    edges.push(e);
  }
  const preds = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  const succs = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    preds.get(e.to)?.push(e.from);
    succs.get(e.from)?.push(e.to);
  }

  // Layer: longest chain of predecessors. A cycle (synth refuses them; a diff's deleted
  // resources could still form one with old ids) is cut where the walk meets itself.
  const layerOf = new Map<string, number>();
  const onPath = new Set<string>();
  const visit = (id: string): number => {
    const known = layerOf.get(id);
    if (known !== undefined) return known;
    if (onPath.has(id)) return 0;
    onPath.add(id);
    let l = 0;
    for (const p of preds.get(id) ?? []) l = Math.max(l, visit(p) + 1);
    onPath.delete(id);
    layerOf.set(id, l);
    return l;
  };
  for (const n of nodes) visit(n.id);
  // Edges that a cycle cut run backwards; the picture keeps them, the layering ignores them.
  const layerCount = nodes.length === 0 ? 0 : Math.max(...nodes.map((n) => layerOf.get(n.id) ?? 0)) + 1;
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  for (const n of nodes) layers[layerOf.get(n.id) ?? 0]?.push(n.id);

  // Barycenter sweeps: order each layer by the mean position of its neighbours in the layer
  // before (left to right), then after (right to left).
  const pos = new Map<string, number>();
  const index = (): void => {
    for (const l of layers) l.forEach((id, i) => pos.set(id, i));
  };
  index();
  for (let s = 0; s < SWEEPS; s++) {
    const down = s % 2 === 0;
    const order = down ? layers.keys() : [...layers.keys()].reverse().values();
    for (const li of order) {
      const l = layers[li] as string[];
      const bary = new Map<string, number>();
      for (const id of l) {
        const ns = (down ? preds.get(id) : succs.get(id)) ?? [];
        bary.set(id, ns.length === 0 ? (pos.get(id) ?? 0) : ns.reduce((sum, n) => sum + (pos.get(n) ?? 0), 0) / ns.length);
      }
      l.sort((a, b) => (bary.get(a) ?? 0) - (bary.get(b) ?? 0) || cmp(a, b));
      l.forEach((id, i) => pos.set(id, i));
    }
  }

  // Grid: columns as wide as their widest node, each column centred on the tallest.
  const colWidth = layers.map((l) => Math.max(0, ...l.map((id) => byId.get(id)?.width ?? 0)));
  const colHeight = layers.map((l) => l.reduce((h, id) => h + (byId.get(id)?.height ?? 0), 0) + GAP_Y * Math.max(0, l.length - 1));
  const inner = Math.max(0, ...colHeight);
  const placed = new Map<string, PlacedNode>();
  let x = MARGIN;
  layers.forEach((l, li) => {
    let y = MARGIN + ((inner - (colHeight[li] ?? 0)) / 2);
    for (const id of l) {
      const n = byId.get(id) as LayoutNode;
      placed.set(id, { ...n, x: x + ((colWidth[li] ?? 0) - n.width) / 2, y, layer: li });
      y += n.height + GAP_Y;
    }
    x += (colWidth[li] ?? 0) + GAP_X;
  });
  const width = layerCount === 0 ? 2 * MARGIN : x - GAP_X + MARGIN;
  const height = inner + 2 * MARGIN;

  const placedEdges = edges.map((e) => {
    const a = placed.get(e.from) as PlacedNode;
    const b = placed.get(e.to) as PlacedNode;
    const x1 = a.x + a.width;
    const y1 = a.y + a.height / 2;
    const x2 = b.x;
    const y2 = b.y + b.height / 2;
    const bend = Math.max(24, Math.abs(x2 - x1) / 2);
    return { ...e, path: `M${r(x1)},${r(y1)} C${r(x1 + bend)},${r(y1)} ${r(x2 - bend)},${r(y2)} ${r(x2)},${r(y2)}` };
  });
  return { width, height, nodes: nodes.map((n) => placed.get(n.id) as PlacedNode), edges: placedEdges };
}

function r(n: number): string {
  return String(Math.round(n * 10) / 10);
}
