import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { BerthError } from '@berth/core';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import { toHtml } from '../render/graph-html.ts';
import { toMermaid } from '../render/graph-mermaid.ts';
import { clusterView } from '../render/graph-view.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';

export const GRAPH_HELP = `berth graph [--app cluster.ts] [--dot | --mermaid | --html [--out FILE]]

Prints each cluster's resources in dependency order with what each depends on, or:

  --dot        a Graphviz graph (berth graph --dot | dot -Tsvg > graph.svg)
  --mermaid    a Mermaid flowchart (paste it into a Markdown \`\`\`mermaid block)
  --html       one self-contained HTML file (inline SVG, no network): resources by kind,
               references and dependsOn as edges, details on hover
  --out FILE   where --html writes (default berth.out/graph.html beside cluster.ts)

berth diff --html draws the same picture with the plan's changes on it.
`;

export async function graphCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('graph', ctx.args, { ...APP_OPTIONS, dot: { type: 'boolean' }, mermaid: { type: 'boolean' }, html: { type: 'boolean' } });
  if (values.help) {
    ctx.stdout.write(GRAPH_HELP);
    return 0;
  }
  if ([values.dot, values.mermaid, values.html].filter(Boolean).length > 1) {
    throw new BerthError('cli.usage', 'berth graph: choose one of --dot, --mermaid and --html', { hint: 'run berth graph once per format' });
  }
  if (values.out !== undefined && !values.html) throw new BerthError('cli.usage', 'berth graph: --out goes with --html', { hint: 'berth graph --html --out graph.html' });
  const { program, graphs } = await synthApp(ctx.cwd, values.app, paramFlags(values));
  if (values.mermaid) {
    ctx.stdout.write(toMermaid(graphs.map((g) => clusterView(g))));
    return 0;
  }
  if (values.html) {
    const file = values.out !== undefined ? resolve(ctx.cwd, values.out) : join(program.appDir, 'berth.out', 'graph.html');
    writeHtml(file, toHtml(graphs.map((g) => clusterView(g)), `berth graph: ${graphs.map((g) => g.cluster).join(', ')}`));
    ctx.stdout.write(`wrote ${relative(ctx.cwd, file) || file}\n`);
    return 0;
  }
  for (const g of graphs) {
    if (values.dot) {
      ctx.stdout.write(`digraph "${g.cluster}" {\n  rankdir=LR;\n  node [shape=box, fontname="sans-serif"];\n`);
      for (const r of g.resources) ctx.stdout.write(`  "${r.id}" [label="${r.id}\\n${r.kind}"];\n`);
      for (const r of g.resources) for (const d of r.dependsOn) ctx.stdout.write(`  "${d}" -> "${r.id}";\n`);
      ctx.stdout.write('}\n');
      continue;
    }
    // Depth = longest chain of dependencies: what deploy can run together shares a depth.
    const depth = new Map<string, number>();
    const byId = new Map(g.resources.map((r) => [r.id, r]));
    const visit = (id: string): number => {
      const known = depth.get(id);
      if (known !== undefined) return known;
      const r = byId.get(id);
      const d = r && r.dependsOn.length > 0 ? 1 + Math.max(...r.dependsOn.map(visit)) : 0;
      depth.set(id, d);
      return d;
    };
    for (const r of g.resources) visit(r.id);
    ctx.stdout.write(`cluster ${g.cluster}\n`);
    const ordered = [...g.resources].sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0) || (a.id < b.id ? -1 : 1));
    for (const r of ordered) {
      const deps = r.dependsOn.length > 0 ? ` ← ${r.dependsOn.join(', ')}` : '';
      ctx.stdout.write(`  ${'  '.repeat(depth.get(r.id) ?? 0)}${r.id} (${r.kind})${deps}\n`);
    }
  }
  return 0;
}

/** Written whole or not at all (temp file and rename). */
export function writeHtml(file: string, html: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, html);
  renameSync(`${file}.tmp`, file);
}
