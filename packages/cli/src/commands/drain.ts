import { BerthError } from '@berth/core';
import { newState } from '@berth/engine';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { migrateDrainFile, withDrained } from '../drain.ts';
import { synthApp } from '../load/synth-app.ts';
import { stateStore } from '../session.ts';
import { nodesOf } from '../target.ts';

export const DRAIN_HELP = `berth drain <node> [--undo] [--app cluster.ts] [--cluster NAME]

Marks a node as draining: the scheduler places nothing on it, and the next \`berth deploy\`
moves its replicas to other nodes (health-gated, like any rollout). --undo makes it
schedulable again (running replicas stay where they are until they have a reason to move).
The drain set is part of the cluster's state, written under its lock.
`;

export async function drainCommand(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse('drain', ctx.args, { ...APP_OPTIONS, undo: { type: 'boolean' }, cluster: { type: 'string' } }, true);
  if (values.help) {
    ctx.stdout.write(DRAIN_HELP);
    return 0;
  }
  const node = positionals[0];
  if (!node) throw new BerthError('cli.usage', 'berth drain needs a node name', { hint: 'berth drain node-b' });
  const { program, graphs } = await synthApp(ctx.cwd, values.app, paramFlags(values));
  const chosen = graphs.filter((g) => (values.cluster ? g.cluster === values.cluster : nodesOf(g).includes(node)));
  if (chosen.length === 0) {
    const known = graphs.flatMap((g) => nodesOf(g).map((n) => `${g.cluster}/${n}`));
    throw new BerthError('cli.usage', `no cluster of the program has a node "${node}"`, { hint: known.length > 0 ? `nodes: ${known.join(', ')}` : 'nodes are listed in the Cluster target: { docker: { hosts: [...] } }' });
  }
  const store = stateStore(program.appDir, ctx.cwd);
  for (const g of chosen) {
    const lock = await store.lock(g.cluster, 'drain');
    try {
      const state = (await migrateDrainFile(program.appDir, store, lock, await store.read(g.cluster))) ?? newState(g.cluster);
      const drained = new Set(state.drained ?? []);
      if (values.undo) drained.delete(node);
      else drained.add(node);
      await store.write(lock, withDrained(state, drained));
    } finally {
      await store.unlock(lock);
    }
    ctx.stdout.write(`${g.cluster}: ${node} ${values.undo ? 'is schedulable again' : 'is draining; run berth deploy to move its replicas'}\n`);
  }
  return 0;
}
