/**
 * The CLI's one error boundary: every command returns an exit code or throws; only here do
 * errors become text and only here does the process exit.
 *   0  ok / no changes      1  error      2  `diff` found changes
 */
import { BerthError, SynthFailure, type Diagnostic } from '@berth/core';
import type { Command, CommandContext } from './context.ts';
import { diagnosticsJson, renderDiagnostics } from './render/diagnostics.ts';
import { version } from './version.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  synth: { summary: 'compile cluster.ts into resource graphs (berth.out/)', load: async () => (await import('./commands/synth.ts')).synthCommand },
  diff: { summary: 'show what deploy would change (exit 2 when there are changes)', load: async () => (await import('./commands/diff.ts')).diffCommand },
  deploy: { summary: 'make the runtime match cluster.ts (health-gated, resumable)', load: async () => (await import('./commands/deploy.ts')).deployCommand },
  destroy: { summary: "remove everything berth runs for the program (volumes kept)", load: async () => (await import('./commands/destroy.ts')).destroyCommand },
  status: { summary: 'replicas, health, nodes, ports and release of what runs', load: async () => (await import('./commands/status.ts')).statusCommand },
  graph: { summary: 'print the resource graph (dependency order, or --dot)', load: async () => (await import('./commands/graph.ts')).graphCommand },
  init: { summary: 'write a starter cluster.ts into the current directory', load: async () => (await import('./commands/init.ts')).initCommand },
  drain: { summary: 'move replicas off a node at the next deploy (--undo to stop)', load: async () => (await import('./commands/drain.ts')).drainCommand },
  history: { summary: 'list the releases, newest first (what changed, images, result)', load: async () => (await import('./commands/history.ts')).historyCommand },
  rollback: { summary: 'go back to a recorded release (diff shown first, no rebuild)', load: async () => (await import('./commands/rollback.ts')).rollbackCommand },
  promote: { summary: "roll the rest of a Deployment whose manual canary holds", load: async () => (await import('./commands/canary.ts')).promoteCommand },
  abort: { summary: "remove a Deployment's held canary; the old replicas stay", load: async () => (await import('./commands/canary.ts')).abortCommand },
  export: { summary: 'write a cluster in another format: berth export compose | kubernetes', load: async () => (await import('./commands/export.ts')).exportCommand },
  dev: { summary: 'deploy, then redeploy what changed on every save (Ctrl-C leaves it running)', load: async () => (await import('./commands/dev.ts')).devCommand },
  logs: { summary: "print a Deployment's or Job's logs (-f to follow)", load: async () => (await import('./commands/logs.ts')).logsCommand },
};

/** Registers a command; commands live in their own modules and load lazily to keep start-up fast. */
export function registerCommand(name: string, summary: string, load: () => Promise<Command>): void {
  COMMANDS[name] = { summary, load };
}

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(9)} ${c.summary}`);
  return `berth ${version()} — infrastructure-as-code for containers

usage: berth <command> [flags]     (run where cluster.ts is, or pass --app FILE)

commands:
${rows.join('\n')}

exit codes: 0 ok / no changes, 1 error, 2 changes found (diff)
run \`berth <command> --help\` for a command's flags
`;
}

export async function main(argv: readonly string[], base: Omit<CommandContext, 'args'>): Promise<number> {
  const [name, ...args] = argv;
  const wantsJson = args.includes('--json');
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    base.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === 'version') {
    base.stdout.write(`${version()}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (!cmd) {
      throw new BerthError('cli.usage', `unknown command "${name}"`, { hint: `commands: ${Object.keys(COMMANDS).join(', ')}` });
    }
    const run = await cmd.load();
    return await run({ ...base, args });
  } catch (e) {
    const diags = toDiagnostics(e);
    if (wantsJson) base.stdout.write(`${JSON.stringify(diagnosticsJson(diags, base.cwd))}\n`);
    const color = Boolean(base.stderr.isTTY) && base.color;
    base.stderr.write(`${renderDiagnostics(diags, { cwd: base.cwd, color })}\n`);
    if (e instanceof SynthFailure) {
      const n = diags.filter((d) => d.severity !== 'warning').length;
      const w = diags.length - n;
      base.stderr.write(`\n${n} problem${n === 1 ? '' : 's'}${w > 0 ? ` and ${w} warning${w === 1 ? '' : 's'}` : ''} found; nothing was written.\n`);
    }
    if (base.env['BERTH_DEBUG'] && e instanceof Error) base.stderr.write(`${e.stack ?? ''}\n`);
    return 1;
  }
}

/** What an error says, as diagnostics (also for commands that print an error and go on, such as dev). */
export function diagnosticsOf(e: unknown): Diagnostic[] {
  return toDiagnostics(e);
}

function toDiagnostics(e: unknown): Diagnostic[] {
  if (e instanceof SynthFailure || (BerthError.is(e) && 'diagnostics' in e)) return [...(e as SynthFailure).diagnostics];
  if (BerthError.is(e)) {
    const cause = e.cause instanceof Error && !BerthError.is(e.cause) ? `\ncause: ${e.cause.message}` : '';
    return [{ code: e.code, message: e.message + cause, constructPath: e.constructPath, kind: e.kind, property: e.property, location: e.location, hint: e.hint }];
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return [{ code: 'internal', message: `${err.name}: ${err.message}\n${(err.stack ?? '').split('\n').slice(1, 6).join('\n')}`, hint: 'this is a bug in berth; please report it with the command you ran' }];
}
