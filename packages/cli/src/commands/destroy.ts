import { createInterface } from 'node:readline/promises';
import { BerthError } from '@berth/core';
import { newState, type VolumeChoice } from '@berth/engine';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';
import { stateStore } from '../session.ts';
import { targetFor } from '../target.ts';

export const DESTROY_HELP = `berth destroy [--app cluster.ts] [--yes] [--delete-volumes | --delete-volume ID...] [--cluster NAME]

Removes everything berth runs for the program's clusters: containers, proxies and networks,
found by their berth.cluster label (so nothing is orphaned even without state). Volumes hold
data and are kept unless named: --delete-volume ID (repeatable) removes that Volume,
--delete-volumes removes them all. A node that does not answer is named and the exit code
is 1: run destroy again once it is back.
`;

export async function destroyCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('destroy', ctx.args, {
    ...APP_OPTIONS,
    yes: { type: 'boolean', short: 'y' },
    cluster: { type: 'string' },
    'delete-volumes': { type: 'boolean' },
    'delete-volume': { type: 'string', multiple: true },
    'force-unlock': { type: 'boolean' },
  });
  if (values.help) {
    ctx.stdout.write(DESTROY_HELP);
    return 0;
  }
  const { program, graphs } = await synthApp(ctx.cwd, values.app, paramFlags(values));
  const chosen = values.cluster ? graphs.filter((g) => g.cluster === values.cluster) : graphs;
  if (chosen.length === 0) throw new BerthError('cli.usage', `no cluster "${values.cluster ?? ''}" in the program`);
  const named = values['delete-volume'] ?? [];
  if (named.length > 0 && values['delete-volumes']) throw new BerthError('cli.usage', '--delete-volumes removes every volume; it cannot be combined with --delete-volume', { hint: 'pass one of them' });
  const store = stateStore(program.appDir, ctx.cwd);
  // A named volume must be one the program or its state knows: a typo must not pass silently.
  for (const id of named) {
    const known = await Promise.all(chosen.map(async (g) => g.resources.some((r) => r.id === id && r.kind === 'Volume') || (await store.read(g.cluster))?.resources[id]?.kind === 'Volume'));
    if (!known.some(Boolean)) {
      const all = [...new Set(chosen.flatMap((g) => g.resources.filter((r) => r.kind === 'Volume').map((r) => r.id)))];
      throw new BerthError('cli.usage', `--delete-volume ${id}: no Volume "${id}" in ${chosen.map((g) => g.cluster).join(', ')}; nothing was removed`, {
        hint: all.length > 0 ? `its Volumes: ${all.join(', ')}` : 'the program declares no Volume',
      });
    }
  }
  const volumes: VolumeChoice = values['delete-volumes'] ? true : named;
  const deletesVolume = (id: string): boolean => volumes === true || volumes.includes(id);
  if (!values.yes) {
    if (!ctx.stdin.isTTY) throw new BerthError('cli.usage', 'refusing to destroy without confirmation: stdin is not a terminal', { hint: 'pass --yes' });
    const rl = createInterface({ input: ctx.stdin, output: ctx.stderr as NodeJS.WritableStream });
    const what = volumes === true ? ' including its volumes (data!)' : named.length > 0 ? ` including the volume${named.length === 1 ? '' : 's'} ${named.join(', ')} (data!)` : '';
    const answer = await rl.question(`Destroy ${chosen.map((g) => g.cluster).join(', ')}${what}? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) return 1;
  }
  const left: string[] = [];
  for (const g of chosen) {
    if (values['force-unlock']) await store.forceUnlock(g.cluster);
    const lock = await store.lock(g.cluster, 'destroy');
    try {
      const target = await targetFor(g, { env: ctx.env, appDir: program.appDir });
      const removed = await target.destroy({ volumes });
      const prior = await store.read(g.cluster);
      // Keep lineage and serial: the history stays one line, and volumes kept stay recorded.
      const base = prior ?? newState(g.cluster);
      const keep = Object.fromEntries(Object.entries(base.resources).filter(([id, r]) => r.kind === 'Volume' && !deletesVolume(id)));
      await store.write(lock, { ...base, resources: keep });
      await target.close();
      ctx.stdout.write(
        `${g.cluster}: removed ${removed.containers} container${removed.containers === 1 ? '' : 's'}, ${removed.networks} network${removed.networks === 1 ? '' : 's'}` +
          (volumes === true || volumes.length > 0 ? `, ${removed.volumes} volume${removed.volumes === 1 ? '' : 's'}` : '') +
          (Object.keys(keep).length > 0 ? `; volumes kept: ${Object.keys(keep).sort().join(', ')} (--delete-volume ID removes one)` : '') +
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
