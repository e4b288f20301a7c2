/** A cluster's picture as a Mermaid flowchart (GitHub and most wikis draw it), left to right. */
import type { ClusterView } from './graph-view.ts';

const CLASS: Record<string, string> = {
  create: 'fill:#dcfce7,stroke:#16a34a',
  update: 'fill:#fef3c7,stroke:#d97706',
  replace: 'fill:#f3e8ff,stroke:#9333ea',
  delete: 'fill:#fee2e2,stroke:#dc2626,stroke-dasharray:4 3',
  move: 'fill:#cffafe,stroke:#0891b2',
  repair: 'fill:#ffedd5,stroke:#ea580c',
};

/** Mermaid ids are letters, digits and `_`: `n_` plus the id with anything else as `_xx`. */
function mid(id: string): string {
  return `n_${id.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

function label(s: string): string {
  return s.replace(/"/g, '#quot;');
}

export function toMermaid(views: readonly ClusterView[]): string {
  const out = ['flowchart LR'];
  const used = new Set<string>();
  for (const v of views) {
    const pre = views.length > 1 ? `${v.cluster}__` : '';
    if (views.length > 1) out.push(`  subgraph ${mid(v.cluster)}["${label(v.cluster)}"]`);
    for (const n of v.nodes) {
      const place = n.placements ? `<br/>${Object.entries(n.placements).map(([h, k]) => `${h} ×${k}`).join(', ')}` : '';
      out.push(`  ${mid(pre + n.id)}["${label(n.id)}<br/><small>${n.kind}${n.action && n.action !== 'noop' ? ` · ${n.action}` : ''}</small>${label(place)}"]`);
      if (n.action && CLASS[n.action]) {
        out.push(`  class ${mid(pre + n.id)} ${n.action}`);
        used.add(n.action);
      }
    }
    for (const e of v.edges) out.push(`  ${mid(pre + e.from)} ${e.via === 'ref' ? '-->' : '-.->'} ${mid(pre + e.to)}`);
    if (views.length > 1) out.push('  end');
  }
  for (const a of [...used].sort()) out.push(`  classDef ${a} ${CLASS[a] ?? ''}`);
  return `${out.join('\n')}\n`;
}
