import { BerthError } from '@berth/core';
import { APP_OPTIONS, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';
import { stateStore } from '../session.ts';
import { driverFor } from '../target.ts';

export const STATUS_HELP = `berth status [--app cluster.ts] [--json] [--cluster NAME]

What runs now, per resource: replicas ready/desired, health, node, published ports, release.
`;

export async function statusCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('status', ctx.args, { ...APP_OPTIONS, cluster: { type: 'string' } });
  if (values.help) {
    ctx.stdout.write(STATUS_HELP);
    return 0;
  }
  const { program, graphs } = await synthApp(ctx.cwd, values.app);
  const chosen = values.cluster ? graphs.filter((g) => g.cluster === values.cluster) : graphs;
  if (chosen.length === 0) throw new BerthError('cli.usage', `no cluster "${values.cluster ?? ''}" in the program`);
  const store = stateStore(program.appDir, ctx.cwd);
  const report: unknown[] = [];
  for (const g of chosen) {
    const state = await store.read(g.cluster);
    const driver = await driverFor(g);
    const rows: Array<{ id: string; kind: string; ready: string; health: string; nodes: string; ports: string; release: string; containers: Array<{ name: string; state: string; health: string; node: string; spec: string }> }> = [];
    // All at once (the driver answers them with one engine list) and without addresses,
    // which status does not show: one by one, each running replica cost an inspect too.
    const [listed, observed] = await Promise.all([
      Promise.all(g.resources.filter((r) => r.kind === 'Deployment' || r.kind === 'Job').map(async (r) => [r.id, await driver.listReplicas(r.id, { addresses: false })] as const)).then((e) => new Map(e)),
      // A Service is its proxy: whether it runs is live, not what state remembers.
      g.resources.some((r) => r.kind === 'Service') ? driver.observe() : undefined,
    ]);
    for (const r of g.resources) {
      if (r.kind !== 'Deployment' && r.kind !== 'Service' && r.kind !== 'Job') continue;
      if (r.kind === 'Service') {
        const pub = r.props.ports.map((p) => (p.publish !== undefined ? `${p.publish}→${p.port}` : `${p.port}`)).join(', ');
        const backends = (state?.resources[r.id]?.outputs['backends'] as string[] | undefined) ?? [];
        const proxy = observed?.resources[r.id];
        const health = proxy === undefined ? (state?.resources[r.id] ? 'proxy missing' : '') : proxy.exists ? 'proxy running' : 'proxy stopped';
        rows.push({ id: r.id, kind: 'Service', ready: state?.resources[r.id] ? `${backends.length} backends` : 'not deployed', health, nodes: '', ports: pub, release: '', containers: [] });
        continue;
      }
      const reps = listed.get(r.id) ?? [];
      const want = r.kind === 'Deployment' ? r.props.replicas : 1;
      const running = reps.filter((x) => x.state === 'running' && (x.health === 'healthy' || x.health === 'none'));
      const healths = [...new Set(reps.map((x) => x.health))].join(',');
      rows.push({
        id: r.id,
        kind: r.kind,
        ready: r.kind === 'Job' ? (reps[0] ? reps[0].state : 'not run') : `${running.length}/${want}`,
        health: healths,
        nodes: [...new Set(reps.map((x) => x.node))].join(','),
        ports: r.props.ports.map((p) => String(p.containerPort)).join(','),
        release: [...new Set(reps.map((x) => x.release))].join(','),
        containers: reps.map((x) => ({ name: x.name, state: x.state, health: x.health, node: x.node, spec: x.specHash.slice(0, 12) })),
      });
    }
    await driver.close();
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
