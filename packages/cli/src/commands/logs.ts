import { BerthError } from '@berth/core';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';
import { targetFor } from '../target.ts';

export const LOGS_HELP = `berth logs <deployment|job|service> [--app cluster.ts] [-f] [--tail N]

Prints the logs of a resource's containers, each line prefixed with the container name; for a
Service, the logs of its proxy (config changes, backends it forwards to, errors).
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
  if (!name) throw new BerthError('cli.usage', 'berth logs needs a resource', { hint: 'berth logs web   (a Deployment, Job or Service id, or its construct path)' });
  const tail = values.tail === undefined ? 100 : Number(values.tail);
  if (!Number.isInteger(tail) || tail < 0) {
    throw new BerthError('cli.usage', `--tail must be a whole number >= 0, got "${values.tail}"`, { hint: 'berth logs web --tail 20' });
  }
  const { graphs, program } = await synthApp(ctx.cwd, values.app, paramFlags(values));
  // A Service's containers are its proxies: the driver finds them by the same resource label.
  const hasLogs = (kind: string): boolean => kind === 'Deployment' || kind === 'Job' || kind === 'Service';
  const matches = graphs.flatMap((g) => g.resources.filter((r) => (r.id === name || r.path === name) && hasLogs(r.kind)).map((r) => ({ g, r })));
  const hit = matches[0];
  if (!hit) {
    const known = graphs.flatMap((g) => g.resources.filter((r) => hasLogs(r.kind)).map((r) => r.id));
    throw new BerthError('cli.usage', `no Deployment, Job or Service "${name}" in the program`, { hint: `try one of: ${known.join(', ')}` });
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
