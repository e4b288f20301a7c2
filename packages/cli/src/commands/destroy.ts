import { createInterface } from 'node:readline/promises';
import { BerthError } from '@berth/core';
import { newState } from '@berth/engine';
import { APP_OPTIONS, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';
import { stateStore } from '../session.ts';
import { driverFor } from '../target.ts';

export const DESTROY_HELP = `berth destroy [--app cluster.ts] [--yes] [--delete-volumes] [--cluster NAME]

Removes everything berth runs for the program's clusters: containers, proxies and networks,
found by their berth.cluster label (so nothing is orphaned even without state). Volumes hold
data and are kept unless you pass --delete-volumes. A node that does not answer is named and
the exit code is 1: run destroy again once it is back.
`;

export async function destroyCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('destroy', ctx.args, {
    ...APP_OPTIONS,
    yes: { type: 'boolean', short: 'y' },
    cluster: { type: 'string' },
    'delete-volumes': { type: 'boolean' },
    'force-unlock': { type: 'boolean' },
  });
  if (values.help) {
    ctx.stdout.write(DESTROY_HELP);
    return 0;
  }
  const { program, graphs } = await synthApp(ctx.cwd, values.app);
  const chosen = values.cluster ? graphs.filter((g) => g.cluster === values.cluster) : graphs;
  if (chosen.length === 0) throw new BerthError('cli.usage', `no cluster "${values.cluster ?? ''}" in the program`);
  const volumes = Boolean(values['delete-volumes']);
  if (!values.yes) {
    if (!ctx.stdin.isTTY) throw new BerthError('cli.usage', 'refusing to destroy without confirmation: stdin is not a terminal', { hint: 'pass --yes' });
    const rl = createInterface({ input: ctx.stdin, output: ctx.stderr as NodeJS.WritableStream });
    const answer = await rl.question(`Destroy ${chosen.map((g) => g.cluster).join(', ')}${volumes ? ' including its volumes (data!)' : ''}? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) return 1;
  }
  const store = stateStore(program.appDir, ctx.cwd);
  const left: string[] = [];
  for (const g of chosen) {
    if (values['force-unlock']) await store.forceUnlock(g.cluster);
    const lock = await store.lock(g.cluster, 'destroy');
    try {
      const driver = await driverFor(g);
      const removed = await driver.destroy({ volumes });
      const prior = await store.read(g.cluster);
      // Keep lineage and serial: the history stays one line, and volumes kept stay recorded.
      const base = prior ?? newState(g.cluster);
      const keep = Object.fromEntries(Object.entries(base.resources).filter(([, r]) => r.kind === 'Volume' && !volumes));
      await store.write(lock, { ...base, resources: keep });
      await driver.close();
      ctx.stdout.write(
        `${g.cluster}: removed ${removed.containers} container${removed.containers === 1 ? '' : 's'}, ${removed.networks} network${removed.networks === 1 ? '' : 's'}` +
          (volumes ? `, ${removed.volumes} volume${removed.volumes === 1 ? '' : 's'}` : `; volumes kept (--delete-volumes removes them)`) +
          '\n',
      );
      for (const u of removed.unreachable) left.push(`${g.cluster}/${u.node} (${u.why})`);
    } finally {
      await store.unlock(lock);
    }
  }
  // What berth ran on a node that did not answer is still there: not a clean destroy.
  if (left.length > 0) {
    throw new BerthError('driver.unreachable', `destroy could not reach ${left.join(', ')}; what berth ran there is still there`, {
      hint: 'run berth destroy again once the node answers: it removes what is left by its labels',
    });
  }
  return 0;
}
