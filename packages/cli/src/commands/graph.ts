import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';

export const GRAPH_HELP = `berth graph [--app cluster.ts] [--dot]

Prints each cluster's resources in dependency order with what each depends on, or a
Graphviz graph with --dot (berth graph --dot | dot -Tsvg > graph.svg).
`;

export async function graphCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('graph', ctx.args, { ...APP_OPTIONS, dot: { type: 'boolean' } });
  if (values.help) {
    ctx.stdout.write(GRAPH_HELP);
    return 0;
  }
  const { graphs } = await synthApp(ctx.cwd, values.app, paramFlags(values));
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
