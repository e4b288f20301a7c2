import { BerthError } from '@berth/core';
import type { StatusRow } from '@berth/engine';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';
import { stateStore } from '../session.ts';
import { targetFor } from '../target.ts';

export const STATUS_HELP = `berth status [--app cluster.ts] [--json] [--cluster NAME]

What runs now, per resource: replicas ready/desired, health, node, published ports, release.
`;

export async function statusCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('status', ctx.args, { ...APP_OPTIONS, cluster: { type: 'string' } });
  if (values.help) {
    ctx.stdout.write(STATUS_HELP);
    return 0;
  }
  const { program, graphs } = await synthApp(ctx.cwd, values.app, paramFlags(values));
  const chosen = values.cluster ? graphs.filter((g) => g.cluster === values.cluster) : graphs;
  if (chosen.length === 0) throw new BerthError('cli.usage', `no cluster "${values.cluster ?? ''}" in the program`);
  const store = stateStore(program.appDir, ctx.cwd);
  const report: unknown[] = [];
  for (const g of chosen) {
    const state = await store.read(g.cluster);
    const target = await targetFor(g, { env: ctx.env, appDir: program.appDir });
    let rows: StatusRow[];
    try {
      rows = await target.status(g, state);
    } finally {
      await target.close();
    }
    report.push({ cluster: g.cluster, serial: state?.serial ?? null, resources: rows });
    if (!values.json) {
      ctx.stdout.write(`cluster ${g.cluster} (state serial ${state?.serial ?? 'none: never deployed'})\n`);
      const head = ['RESOURCE', 'KIND', 'READY', 'HEALTH', 'NODE', 'PORTS', 'RELEASE'];
      const table = [head, ...rows.map((x) => [x.id, x.kind, x.ready, x.health, x.nodes, x.ports, x.release])];
      const widths = head.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
      for (const row of table) ctx.stdout.write(`  ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
    }
  }
  if (values.json) ctx.stdout.write(`${JSON.stringify({ clusters: report })}\n`);
  return 0;
}
