import { BerthError } from '@berth/core';
import { APP_OPTIONS, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';
import { targetFor } from '../target.ts';

export const LOGS_HELP = `berth logs <deployment|job> [--app cluster.ts] [-f] [--tail N]

Prints the logs of a resource's containers, each line prefixed with the container name.
  -f, --follow   keep printing new lines (Ctrl-C to stop)
  --tail N       lines per container to start with (default 100)
`;

export async function logsCommand(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse('logs', ctx.args, { ...APP_OPTIONS, follow: { type: 'boolean', short: 'f' }, tail: { type: 'string' }, cluster: { type: 'string' } }, true);
  if (values.help) {
    ctx.stdout.write(LOGS_HELP);
    return 0;
  }
  const name = positionals[0];
  if (!name) throw new BerthError('cli.usage', 'berth logs needs a resource', { hint: 'berth logs web   (a Deployment or Job id, or its construct path)' });
  const tail = values.tail === undefined ? 100 : Number(values.tail);
  if (!Number.isInteger(tail) || tail < 0) {
    throw new BerthError('cli.usage', `--tail must be a whole number >= 0, got "${values.tail}"`, { hint: 'berth logs web --tail 20' });
  }
  const { graphs, program } = await synthApp(ctx.cwd, values.app);
  const matches = graphs.flatMap((g) => g.resources.filter((r) => (r.id === name || r.path === name) && (r.kind === 'Deployment' || r.kind === 'Job')).map((r) => ({ g, r })));
  const hit = matches[0];
  if (!hit) {
    const known = graphs.flatMap((g) => g.resources.filter((r) => r.kind === 'Deployment' || r.kind === 'Job').map((r) => r.id));
    throw new BerthError('cli.usage', `no Deployment or Job "${name}" in the program`, { hint: `try one of: ${known.join(', ')}` });
  }
  const target = await targetFor(hit.g, { env: ctx.env, appDir: program.appDir });
  try {
    await target.logs(hit.r.id, {
      follow: Boolean(values.follow),
      tail,
      onLine: (replica, line) => ctx.stdout.write(`${replica} | ${line}\n`),
      signal: ctx.signal,
    });
  } finally {
    await target.close();
  }
  return 0;
}
