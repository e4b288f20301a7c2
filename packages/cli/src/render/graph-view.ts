/**
 * What a picture of a cluster shows, as data: one node per resource (and per resource a diff
 * deletes), one edge per dependency (a reference such as `image: build`, or `dependsOn`), and,
 * from a plan, each resource's change with its "because" chain and where its replicas go.
 * graph-html.ts and graph-mermaid.ts draw it; neither decides anything.
 */
import { dockerHostsOf, type GraphJson, type ResourceJson } from '@berth/core';
import type { ChangeAction, Plan } from '@berth/engine';

export interface ViewNode {
  readonly id: string;
  readonly kind: string;
  readonly path: string;
  /** The change a plan makes to it (absent for a graph alone). */
  readonly action?: ChangeAction;
  /** Lines for the tooltip: what changes and why, where it is defined. */
  readonly details: readonly string[];
  /** Replicas per node, from the plan's placement (multi-host clusters). */
  readonly placements?: Readonly<Record<string, number>>;
}

export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  /** `ref`: a property refers to it; `dependsOn`: listed to wait for. */
  readonly via: 'ref' | 'dependsOn';
}

export interface ClusterView {
  readonly cluster: string;
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly ViewEdge[];
  /** The cluster's docker hosts (none: the local engine, or another target). */
  readonly hosts: readonly string[];
  /** One line, e.g. "2 to create, 1 to update" (diffs only). */
  readonly summary?: string;
}

/** The graph ids `props` refers to through `$ref`, outside `dependsOn`. */
function referenced(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) referenced(x, out);
  else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['$ref'] === 'string') out.add(o['$ref']);
    else for (const [k, x] of Object.entries(o)) if (k !== 'dependsOn') referenced(x, out);
  }
}

function edgesOf(r: ResourceJson): ViewEdge[] {
  const refs = new Set<string>();
  referenced(r.props, refs);
  return r.dependsOn.map((d) => ({ from: d, to: r.id, via: refs.has(d) ? 'ref' : 'dependsOn' }));
}

/** The picture of `graph`, with `plan`'s changes and placements when given. */
export function clusterView(graph: GraphJson, plan?: Plan): ClusterView {
  const changes = new Map((plan?.changes ?? []).map((c) => [c.id, c]));
  const replicas = plan?.placement?.replicas ?? {};
  const multi = (plan?.placement?.nodes.length ?? 0) > 1 || dockerHostsOf(graph.target).length > 1;
  const node = (r: { id: string; kind: string; path: string; source?: { file: string; line: number } | undefined }): ViewNode => {
    const c = changes.get(r.id);
    const details: string[] = [`${r.kind} ${r.path}`];
    if (r.source) details.push(`defined at ${r.source.file}:${r.source.line}`);
    if (c && c.action !== 'noop') {
      details.push(`${c.action}`);
      for (const p of c.propertyChanges.slice(0, 8)) details.push(`  ${p.path}${p.sensitive ? ' (sensitive) changed' : `: ${show(p.before)} → ${show(p.after)}`}${p.forcesReplace ? ' (forces replace)' : ''}`);
      if (c.propertyChanges.length > 8) details.push(`  … ${c.propertyChanges.length - 8} more`);
      for (const why of c.reasons) details.push(why);
    }
    const onNodes = replicas[r.id];
    let placements: Record<string, number> | undefined;
    if (multi && onNodes) {
      placements = {};
      for (const n of onNodes) placements[n ?? '(unplaced)'] = (placements[n ?? '(unplaced)'] ?? 0) + 1;
      details.push(`replicas: ${Object.entries(placements).map(([n, k]) => `${n} ×${k}`).join(', ')}`);
    }
    return { id: r.id, kind: r.kind, path: r.path, ...(c ? { action: c.action } : {}), details, ...(placements ? { placements } : {}) };
  };
  const nodes = graph.resources.map(node);
  // What the plan deletes is no longer in the graph: drawn from the change itself.
  for (const c of plan?.changes ?? []) if (c.action === 'delete' && !graph.resources.some((r) => r.id === c.id)) nodes.push(node({ id: c.id, kind: c.kind, path: c.path, source: c.source }));
  const s = plan?.summary;
  const summary = s ? (['create', 'update', 'replace', 'delete', 'move', 'repair'] as const).filter((k) => s[k] > 0).map((k) => `${s[k]} to ${k}`).join(', ') || 'no changes' : undefined;
  return { cluster: graph.cluster, nodes, edges: graph.resources.flatMap(edgesOf), hosts: dockerHostsOf(graph.target).map((h) => h.name), ...(summary !== undefined ? { summary } : {}) };
}

function show(v: unknown): string {
  if (v === undefined) return '(none)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
