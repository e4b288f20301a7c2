/**
 * `berth dev`: deploy, then deploy again whenever a file of the program changes. The watch
 * covers the directory of cluster.ts (the program, files it imports from there, build contexts
 * and Config files below it); a change is debounced, and a deploy never starts while another
 * runs (a change during one queues exactly one more). Each round is an ordinary deploy, so it
 * does the smallest change the planner finds: an edit in a build context changes that
 * ImageBuild's content hash and rolls only its consumers; a file .dockerignore leaves out
 * changes no hash and the round says "no changes". A program that fails to synthesize prints
 * its located errors and leaves the running app as it was. Ctrl-C stops watching and leaves the
 * app running; with --down it is destroyed first (volumes kept).
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { BerthError } from '@berth/core';
import { APP_OPTIONS, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { resolveAppFile } from '../load/program.ts';
import { diagnosticsOf } from '../main.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { deployCommand } from './deploy.ts';
import { destroyCommand } from './destroy.ts';

export const DEV_HELP = `berth dev [--app cluster.ts] [--down] [--debounce MS] [--set N=V] [--env NAME]

Deploys the program, then watches the directory of cluster.ts and deploys again on every change
(debounced; one deploy at a time). Only what changed is rebuilt and rolled. A program with
errors prints them and the running app is kept. Ctrl-C stops watching and leaves the app
running; --down destroys it on exit (volumes are kept).

  --down          destroy the app when berth dev exits
  --debounce MS   wait this long after the last change before deploying (default 300)
`;

/** Paths under the app directory that berth itself writes, or that a deploy cannot depend on through a change. */
const IGNORED = /(^|[\\/])(\.berth|berth\.out|node_modules|\.git)([\\/]|$)|\.tmp$/;

export async function devCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('dev', ctx.args, { ...APP_OPTIONS, down: { type: 'boolean' }, debounce: { type: 'string' } });
  if (values.help) {
    ctx.stdout.write(DEV_HELP);
    return 0;
  }
  const debounce = values.debounce === undefined ? 300 : Number(values.debounce);
  if (!Number.isInteger(debounce) || debounce < 0) throw new BerthError('cli.usage', `--debounce must be a whole number of milliseconds, got "${values.debounce}"`);
  const appFile = resolveAppFile(ctx.cwd, values.app);
  const appDir = dirname(appFile);
  const pass = ['--app', appFile, ...(values.set ?? []).flatMap((s) => ['--set', s]), ...(values.env !== undefined ? ['--env', values.env] : [])];
  const say = (s: string): void => void ctx.stdout.write(s);

  /** One deploy round; a failure is printed, never thrown: the loop and the app go on. */
  const round = async (why: string): Promise<void> => {
    say(`\n[berth dev] ${why}: deploying\n`);
    try {
      const code = await deployCommand({ ...ctx, args: [...pass, '--yes'] });
      say(`[berth dev] ${code === 0 ? 'up to date' : 'deploy failed; the app keeps running as it was'}. Watching ${relative(ctx.cwd, appDir) || '.'} (Ctrl-C to stop)\n`);
    } catch (e) {
      ctx.stderr.write(`${renderDiagnostics(diagnosticsOf(e), { cwd: ctx.cwd, color: ctx.color && Boolean(ctx.stderr.isTTY) })}\n`);
      say(`[berth dev] not deployed: fix the program; the app keeps running as it was. Watching (Ctrl-C to stop)\n`);
    }
  };

  let running: Promise<void> | undefined;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const kick = (): void => {
    if (running || pending.length === 0 || ctx.signal.aborted) return;
    const files = [...new Set(pending)];
    pending = [];
    running = round(`${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''} changed`).finally(() => {
      running = undefined;
      kick();
    });
  };

  running = round('start').finally(() => {
    running = undefined;
    kick();
  });
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(appDir, { recursive: true }, (_event, name) => {
      if (name === null || IGNORED.test(name)) return;
      pending.push(name.split(sep).join('/'));
      clearTimeout(timer);
      timer = setTimeout(kick, debounce);
    });
  } catch (e) {
    throw new BerthError('cli.usage', `cannot watch ${appDir}: ${(e as Error).message}`, { cause: e });
  }
  await new Promise<void>((done) => {
    if (ctx.signal.aborted) done();
    else ctx.signal.addEventListener('abort', () => done(), { once: true });
  });
  watcher.close();
  clearTimeout(timer);
  // The round in flight was told to stop by the same signal; let it record what finished.
  await running;
  if (values.down) {
    say('[berth dev] --down: destroying the app\n');
    return destroyCommand({ ...ctx, signal: new AbortController().signal, args: ['--app', appFile, '--yes', ...pass.slice(2)] });
  }
  say('[berth dev] stopped; the app keeps running (berth destroy removes it)\n');
  return 0;
}
