/**
 * A cluster's picture as one self-contained HTML file: inline SVG and CSS, a few lines of
 * script for highlighting a node's edges on hover, nothing loaded from anywhere. Each resource
 * is a `g.node` (data-id, data-kind, data-action) with its details in a `<title>` (the hover
 * text: for a diff, what changes and because of what); each dependency a `path.edge`
 * (data-from, data-to) from what is needed to what needs it.
 */
import { layout } from './graph-layout.ts';
import type { ClusterView, ViewNode } from './graph-view.ts';

const KIND_FILL: Record<string, string> = {
  Image: '#e0f2fe',
  ImageBuild: '#dbeafe',
  Network: '#f1f5f9',
  Volume: '#fef9c3',
  Secret: '#fce7f3',
  Config: '#ecfccb',
  Job: '#ede9fe',
  Deployment: '#ffffff',
  Service: '#e0e7ff',
};

const ACTION_STROKE: Record<string, string> = {
  create: '#16a34a',
  update: '#d97706',
  replace: '#9333ea',
  delete: '#dc2626',
  move: '#0891b2',
  repair: '#ea580c',
  noop: '#94a3b8',
};

const NODE_H = 42;
const PLACE_H = 14;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function widthOf(n: ViewNode): number {
  const place = n.placements ? Object.entries(n.placements).map(([h, k]) => `${h} ×${k}`).join('  ') : '';
  return Math.max(120, 7.2 * Math.max(n.id.length, n.kind.length + (n.action ? n.action.length + 3 : 0), place.length) + 24);
}

function svgOf(v: ClusterView): string {
  const sized = v.nodes.map((n) => ({ id: n.id, width: Math.round(widthOf(n)), height: NODE_H + (n.placements ? PLACE_H : 0) }));
  const l = layout(sized, v.edges);
  const byId = new Map(v.nodes.map((n) => [n.id, n]));
  const via = new Map(v.edges.map((e) => [`${e.from}\u0000${e.to}`, e.via]));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="graph" data-cluster="${esc(v.cluster)}" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" role="img" aria-label="resource graph of ${esc(v.cluster)}">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>');
  for (const e of l.edges) {
    const kind = via.get(`${e.from}\u0000${e.to}`) ?? 'ref';
    parts.push(`<path class="edge ${kind}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="${e.path}" marker-end="url(#arrow)"><title>${esc(`${e.to} ${kind === 'ref' ? 'refers to' : 'waits for'} ${e.from}`)}</title></path>`);
  }
  for (const p of l.nodes) {
    const n = byId.get(p.id) as ViewNode;
    const action = n.action && n.action !== 'noop' ? n.action : undefined;
    const stroke = ACTION_STROKE[n.action ?? 'noop'] ?? '#94a3b8';
    const place = n.placements ? Object.entries(n.placements).map(([h, k]) => `${h} ×${k}`).join('  ') : '';
    parts.push(
      `<g class="node" tabindex="0" data-id="${esc(n.id)}" data-kind="${esc(n.kind)}"${n.action ? ` data-action="${n.action}"` : ''} transform="translate(${p.x},${p.y})">` +
        `<title>${esc(n.details.join('\n'))}</title>` +
        `<rect width="${p.width}" height="${p.height}" rx="6" fill="${KIND_FILL[n.kind] ?? '#fff'}" stroke="${stroke}" stroke-width="${action ? 2.5 : 1}"${n.action === 'delete' ? ' stroke-dasharray="5 3"' : ''}/>` +
        `<text x="10" y="17" class="id">${esc(n.id)}</text>` +
        `<text x="10" y="33" class="kind">${esc(n.kind)}${action ? `<tspan fill="${stroke}" font-weight="600"> · ${action}</tspan>` : ''}</text>` +
        (place ? `<text x="10" y="${NODE_H + 6}" class="place">${esc(place)}</text>` : '') +
        '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function legend(v: ClusterView): string {
  const kinds = [...new Set(v.nodes.map((n) => n.kind))].sort();
  const actions = [...new Set(v.nodes.map((n) => n.action).filter((a): a is NonNullable<typeof a> => a !== undefined && a !== 'noop'))].sort();
  const chip = (fill: string, stroke: string, text: string) => `<span class="chip" style="background:${fill};border-color:${stroke}">${esc(text)}</span>`;
  return [
    ...kinds.map((k) => chip(KIND_FILL[k] ?? '#fff', '#94a3b8', k)),
    ...actions.map((a) => chip('#fff', ACTION_STROKE[a] ?? '#94a3b8', a)),
    '<span class="chip"><svg width="28" height="8"><line x1="0" y1="4" x2="28" y2="4" stroke="#64748b"/></svg> refers to</span>',
    '<span class="chip"><svg width="28" height="8"><line x1="0" y1="4" x2="28" y2="4" stroke="#64748b" stroke-dasharray="4 3"/></svg> waits for</span>',
  ].join(' ');
}

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 24px; color: #0f172a; background: #f8fafc; }
h1 { font-size: 18px; } h2 { font-size: 16px; margin: 24px 0 4px; }
.meta { color: #475569; margin: 0 0 8px; }
.chip { display: inline-block; border: 1px solid; border-radius: 4px; padding: 1px 6px; margin: 2px; font-size: 12px; background: #fff; }
.frame { overflow: auto; background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 4px; }
svg.graph text { font: 12px ui-monospace, monospace; fill: #0f172a; pointer-events: none; }
svg.graph text.id { font-weight: 600; } svg.graph text.kind, svg.graph text.place { fill: #475569; font-size: 11px; }
svg.graph .edge { fill: none; stroke: #94a3b8; stroke-width: 1.4; }
svg.graph .edge.dependsOn { stroke-dasharray: 5 4; }
svg.graph .node { cursor: default; outline: none; }
svg.graph .node:hover rect, svg.graph .node:focus rect { filter: drop-shadow(0 1px 3px rgba(0,0,0,.25)); }
svg.graph.focus .node, svg.graph.focus .edge { opacity: .25; }
svg.graph.focus .on { opacity: 1; } svg.graph .edge.on { stroke: #0f172a; stroke-width: 2; }
`;

// Hovering a node lights it, its edges and its neighbours. No network, no framework.
const SCRIPT = `
for (const svg of document.querySelectorAll('svg.graph')) {
  const light = (id) => {
    svg.classList.toggle('focus', id !== undefined);
    for (const el of svg.querySelectorAll('.on')) el.classList.remove('on');
    if (id === undefined) return;
    const ids = new Set([id]);
    for (const e of svg.querySelectorAll('path.edge')) if (e.dataset.from === id || e.dataset.to === id) { e.classList.add('on'); ids.add(e.dataset.from); ids.add(e.dataset.to); }
    for (const n of svg.querySelectorAll('g.node')) if (ids.has(n.dataset.id)) n.classList.add('on');
  };
  for (const n of svg.querySelectorAll('g.node')) {
    n.addEventListener('mouseenter', () => light(n.dataset.id));
    n.addEventListener('mouseleave', () => light(undefined));
    n.addEventListener('focus', () => light(n.dataset.id));
    n.addEventListener('blur', () => light(undefined));
  }
}
`;

/** The HTML page: a title, then per cluster its summary, legend and graph. */
export function toHtml(views: readonly ClusterView[], title: string): string {
  const sections = views.map((v) => {
    const meta = [`${v.nodes.length} resources, ${v.edges.length} dependencies`, ...(v.summary ? [v.summary] : []), ...(v.hosts.length > 0 ? [`hosts: ${v.hosts.join(', ')}`] : [])];
    return `<section data-cluster="${esc(v.cluster)}">\n<h2>${esc(v.cluster)}</h2>\n<p class="meta">${esc(meta.join(' · '))}</p>\n<p>${legend(v)}</p>\n<div class="frame">\n${svgOf(v)}\n</div>\n</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">Hover a resource for its details${views.some((v) => v.summary !== undefined) ? ': what changes, and because of what' : ''}.</p>
${sections.join('\n')}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
